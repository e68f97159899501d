"""The Django admin: system administrators only, behind a verified second factor, all audited."""

from __future__ import annotations

import pytest
from django.test import Client

from jointcase.admin import AuditedInline, AuditedModelAdmin, admin_site
from jointcase.agencies.models import Agency, Caveat
from jointcase.audit.models import AuditEntry
from tests.factories import PASSWORD
from tests.support.admin import admin_form_data

pytestmark = pytest.mark.django_db


def test_a_password_only_session_is_sent_to_the_second_factor(personas):
    client = Client()
    client.post("/sign-in/", {"username": "sysadmin", "password": PASSWORD})
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/second-factor/")


@pytest.mark.parametrize("persona", ["agency_admin", "nsd_lead", "auditor"])
def test_a_verified_user_who_is_not_a_system_administrator_gets_404(personas, client_for, persona):
    client = client_for(getattr(personas, persona))
    assert client.get("/admin/").status_code == 404
    assert client.get("/admin/accounts/user/").status_code == 404


def test_staff_status_without_the_system_administrator_role_is_not_enough(personas, client_for):
    user = personas.agency_admin
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    assert client_for(user).get("/admin/").status_code == 404


def test_an_anonymous_visitor_is_sent_to_jointcase_sign_in(personas):
    response = Client().get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


def test_a_verified_system_administrator_gets_in(personas, client_for):
    client = client_for(personas.system_admin)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "Agencies" in response.content.decode()
    assert client.get("/admin/accounts/user/").status_code == 200


def test_every_model_on_the_admin_site_is_audited():
    assert admin_site._registry, "nothing is registered on the JointCase admin site"
    for model, model_admin in admin_site._registry.items():
        assert isinstance(model_admin, AuditedModelAdmin), model
        for inline in model_admin.inlines:
            assert issubclass(inline, AuditedInline), inline


def test_an_admin_change_is_audited_with_the_fields_changed(personas, client_for):
    client = client_for(personas.system_admin)
    agency = Agency.objects.get(code="hmp-frankland")
    url = f"/admin/agencies/agency/{agency.pk}/change/"
    data = admin_form_data(client.get(url))
    data["name"] = "HMP Frankland (renamed)"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = AuditEntry.objects.get(action="admin.change")
    assert entry.object_type == "agencies.agency"
    assert entry.object_id == str(agency.pk)
    assert entry.details == {"fields": ["name"]}
    assert entry.actor_username == "sysadmin"


def test_an_admin_add_and_delete_are_audited(personas, client_for):
    client = client_for(personas.system_admin)
    response = client.post(
        "/admin/agencies/caveat/add/",
        {"code": "TESTCAVEAT", "name": "Test caveat", "description": "", "is_active": "on"},
    )
    assert response.status_code == 302
    caveat = Caveat.objects.get(code="TESTCAVEAT")
    response = client.post(f"/admin/agencies/caveat/{caveat.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Caveat.objects.filter(pk=caveat.pk).exists()
    actions = list(
        AuditEntry.objects.filter(object_type="agencies.caveat").values_list("action", "object_id")
    )
    assert actions == [("admin.add", str(caveat.pk)), ("admin.delete", str(caveat.pk))]


def test_a_bulk_admin_delete_is_audited_row_by_row(personas, client_for):
    client = client_for(personas.system_admin)
    extra = [Caveat.objects.create(code=f"BULK{i}", name=f"Bulk {i}") for i in range(2)]
    response = client.post(
        "/admin/agencies/caveat/",
        {"action": "delete_selected", "_selected_action": [c.pk for c in extra], "post": "yes"},
    )
    assert response.status_code == 302
    deleted = AuditEntry.objects.filter(action="admin.delete", object_type="agencies.caveat")
    assert sorted(deleted.values_list("object_id", flat=True)) == sorted(str(c.pk) for c in extra)


def test_disabling_a_user_in_the_admin_ends_all_their_sessions(personas, client_for):
    user = personas.ctnm_officer
    victim_session = client_for(user)
    assert victim_session.get("/").status_code == 200
    client = client_for(personas.system_admin)
    url = f"/admin/accounts/user/{user.pk}/change/"
    data = admin_form_data(client.get(url))
    data.pop("is_active", None)
    response = client.post(url, data)
    assert response.status_code == 302
    assert victim_session.get("/").status_code == 302
    assert AuditEntry.objects.filter(
        action="auth.sessions_ended", object_id=str(user.pk), reason="account disabled"
    ).exists()
    change = AuditEntry.objects.get(action="admin.change", object_type="accounts.user")
    assert "is_active" in change.details["fields"]


def test_api_tokens_in_the_admin_are_read_only_and_revocation_is_audited(personas, client_for):
    from jointcase.accounts.tokens import api_token_create

    token, plaintext = api_token_create(actor=personas.pom, user=personas.pom, name="Feed")
    client = client_for(personas.system_admin)
    page = client.get(f"/admin/accounts/apitoken/{token.pk}/change/").content.decode()
    assert token.prefix in page
    assert token.token_hash not in page
    assert plaintext not in page
    assert client.get("/admin/accounts/apitoken/add/").status_code == 403
    response = client.post(
        "/admin/accounts/apitoken/",
        {"action": "revoke_tokens", "_selected_action": [token.pk]},
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEntry.objects.get(action="api_token.revoked").actor_username == "sysadmin"


def test_signing_out_of_the_admin_is_the_audited_jointcase_sign_out(personas, client_for):
    client = client_for(personas.system_admin)
    response = client.post("/admin/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/"
    assert client.get("/admin/").status_code == 302
    assert AuditEntry.objects.get(action="auth.sign_out").actor_username == "sysadmin"
