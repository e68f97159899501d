"""An agency administrator can never grant beyond their own ceiling, nor change themselves
(docs/security-tests.md class 4: vertical escalation -> deny and alert)."""

from __future__ import annotations

import pytest

from jointcase.accounts.models import Role, RoleAssignment, User
from jointcase.agencies.models import Caveat, CaveatAuthorisation, Vetting
from tests.agencies.helpers import date_fields, denials, in_days
from tests.support.users import new_user_data

pytestmark = pytest.mark.django_db


def test_an_sc_administrator_cannot_grant_dv(admin_client, personas):
    practitioner = personas.nsd_practitioner
    url = f"/agencies/users/{practitioner.pk}/vetting/"
    offered = admin_client.get(url).content.decode()
    assert 'value="SC"' in offered
    assert 'value="DV"' not in offered

    response = admin_client.post(url, {"level": "DV", **date_fields("expires_on", in_days(365))})
    body = response.content.decode()
    assert response.status_code == 403  # a refusal (NotPermitted), shown on the form
    assert "There is a problem" in body
    assert "it is above your own vetting" in body
    assert Vetting.objects.get(user=practitioner).level == "SC"
    [alert] = denials("agencies.user_vetting_set")
    assert alert.actor_username == "agency.admin"
    assert alert.object_id == str(practitioner.pk)
    assert "DV > SC" in alert.reason
    assert alert.details == {"alert": "vertical_escalation"}


def test_an_administrator_whose_vetting_expired_can_grant_only_up_to_bpss(admin_client, personas):
    Vetting.objects.filter(user=personas.agency_admin).update(
        granted_on=in_days(-800), expires_on=in_days(-1)
    )
    practitioner = personas.nsd_practitioner
    response = admin_client.post(
        f"/agencies/users/{practitioner.pk}/vetting/",
        {"level": "SC", **date_fields("expires_on", in_days(500))},
    )
    assert response.status_code == 403  # a refusal (NotPermitted), shown on the form
    assert Vetting.objects.get(user=practitioner).expires_on != in_days(500)
    assert "SC > BPSS" in denials("agencies.user_vetting_set")[0].reason


def test_an_administrator_cannot_grant_a_caveat_they_do_not_hold(admin_client, personas):
    practitioner = personas.nsd_practitioner
    nightjar = Caveat.objects.get(code="NIGHTJAR")
    url = f"/agencies/users/{practitioner.pk}/caveats/"
    offered = admin_client.get(url).content.decode()
    assert "UK EYES ONLY" in offered
    assert "NIGHTJAR" not in offered

    response = admin_client.post(
        url, {"caveats": [str(nightjar.pk)], **date_fields(f"expires_{nightjar.pk}", in_days(30))}
    )
    assert response.status_code == 403  # a refusal (NotPermitted), shown on the form
    assert "You cannot grant a caveat you do not hold: NIGHTJAR" in response.content.decode()
    assert not CaveatAuthorisation.objects.filter(user=practitioner, caveat=nightjar).exists()
    # Nothing else changed either: the UK EYES ONLY authorisation is still there.
    assert CaveatAuthorisation.objects.filter(
        user=practitioner, caveat__code="UK EYES ONLY"
    ).exists()
    assert "NIGHTJAR" in denials("agencies.user_caveats_set")[0].reason


def test_an_administrator_cannot_grant_a_caveat_whose_own_authorisation_has_expired(
    admin_client, personas
):
    CaveatAuthorisation.objects.filter(user=personas.agency_admin).update(
        granted_on=in_days(-400), expires_on=in_days(-1)
    )
    practitioner = personas.nsd_practitioner
    ukeo = Caveat.objects.get(code="UK EYES ONLY")
    response = admin_client.post(
        f"/agencies/users/{practitioner.pk}/caveats/",
        {"caveats": [str(ukeo.pk)], **date_fields(f"expires_{ukeo.pk}", in_days(30))},
    )
    assert response.status_code == 403  # a refusal (NotPermitted), shown on the form
    assert len(denials("agencies.user_caveats_set")) == 1


def test_caveats_are_granted_with_an_expiry_and_withdrawn(admin_client, personas):
    lead = personas.nsd_lead
    ukeo = Caveat.objects.get(code="UK EYES ONLY")
    url = f"/agencies/users/{lead.pk}/caveats/"
    response = admin_client.post(
        url, {"caveats": [str(ukeo.pk)], **date_fields(f"expires_{ukeo.pk}", in_days(45))}
    )
    assert response.status_code == 302
    auth = CaveatAuthorisation.objects.get(user=lead, caveat=ukeo)
    assert (auth.expires_on, auth.granted_by) == (in_days(45), personas.agency_admin)

    assert admin_client.post(url, {}).status_code == 302
    assert not CaveatAuthorisation.objects.filter(user=lead).exists()


@pytest.mark.parametrize(
    ("expiry", "message"),
    [
        (None, "Enter the date the UK EYES ONLY authorisation expires"),
        (-3, "must be in the future"),
    ],
)
def test_a_caveat_needs_a_future_expiry(admin_client, personas, expiry, message):
    lead = personas.nsd_lead
    ukeo = Caveat.objects.get(code="UK EYES ONLY")
    before = CaveatAuthorisation.objects.get(user=lead, caveat=ukeo).expires_on
    data = {"caveats": [str(ukeo.pk)]}
    if expiry is not None:
        data.update(date_fields(f"expires_{ukeo.pk}", in_days(expiry)))
    response = admin_client.post(f"/agencies/users/{lead.pk}/caveats/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert CaveatAuthorisation.objects.get(user=lead, caveat=ukeo).expires_on == before


def test_caveats_beyond_the_administrators_reach_are_kept(admin_client, personas):
    """A NIGHTJAR authorisation (given by a system administrator) survives the admin's edits."""
    practitioner = personas.nsd_practitioner
    nightjar = Caveat.objects.get(code="NIGHTJAR")
    CaveatAuthorisation.objects.create(user=practitioner, caveat=nightjar, expires_on=in_days(60))
    page = admin_client.get(f"/agencies/users/{practitioner.pk}/caveats/").content.decode()
    assert "outside your authority" in page
    assert admin_client.post(f"/agencies/users/{practitioner.pk}/caveats/", {}).status_code == 302
    assert list(
        CaveatAuthorisation.objects.filter(user=practitioner).values_list("caveat__code", flat=True)
    ) == ["NIGHTJAR"]


def test_an_administrator_cannot_grant_system_administrator(admin_client, personas):
    practitioner = personas.nsd_practitioner
    url = f"/agencies/users/{practitioner.pk}/roles/"
    offered = admin_client.get(url).content.decode()
    assert Role.SYSTEM_ADMIN.value not in offered
    assert Role.CTNM_OFFICER.value not in offered

    response = admin_client.post(url, {"roles": [Role.NSD_PRACTITIONER, Role.SYSTEM_ADMIN]})
    assert response.status_code == 403  # a refusal (NotPermitted), shown on the form
    assert "You cannot grant this role: System administrator" in response.content.decode()
    assert User.objects.get(pk=practitioner.pk).role_codes == {Role.NSD_PRACTITIONER}
    assert "SYSTEM_ADMIN" in denials("agencies.user_roles_set")[0].reason


def test_an_administrator_cannot_grant_another_kind_of_agencys_role(admin_client, personas):
    practitioner = personas.nsd_practitioner
    response = admin_client.post(
        f"/agencies/users/{practitioner.pk}/roles/", {"roles": [Role.CTNM_OFFICER]}
    )
    assert response.status_code == 403  # a refusal (NotPermitted), shown on the form
    assert User.objects.get(pk=practitioner.pk).role_codes == {Role.NSD_PRACTITIONER}
    assert len(denials("agencies.user_roles_set")) == 1


def test_a_new_user_cannot_be_created_beyond_the_ceiling(admin_client, personas):
    response = admin_client.post("/agencies/users/new/", new_user_data(level="DV"))
    assert response.status_code == 403  # a refusal (NotPermitted), shown on the form
    assert not User.objects.filter(username="imogen.fairweather").exists()
    response = admin_client.post("/agencies/users/new/", new_user_data(roles=[Role.AUDITOR]))
    assert response.status_code == 403  # a refusal (NotPermitted), shown on the form
    assert not User.objects.filter(username="imogen.fairweather").exists()
    assert len(denials("agencies.user_create")) == 2


def test_roles_given_by_a_system_administrator_are_kept(admin_client, personas):
    practitioner = personas.nsd_practitioner
    RoleAssignment.objects.create(user=practitioner, role=Role.AUDITOR)
    assert (
        admin_client.post(
            f"/agencies/users/{practitioner.pk}/roles/", {"roles": [Role.NSD_SENIOR_LEAD]}
        ).status_code
        == 302
    )
    assert User.objects.get(pk=practitioner.pk).role_codes == {Role.AUDITOR, Role.NSD_SENIOR_LEAD}


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("roles/", {"roles": [Role.AGENCY_ADMIN, Role.NSD_SENIOR_LEAD]}),
        ("vetting/", {"level": "SC", **date_fields("expires_on", in_days(3000))}),
        ("caveats/", {}),
        ("disable/", {}),
        ("reset-second-factor/", {}),
    ],
)
def test_an_administrator_cannot_change_their_own_access(admin_client, personas, path, data):
    admin = personas.agency_admin
    vetting_before = Vetting.objects.get(user=admin).expires_on
    response = admin_client.post(f"/agencies/users/{admin.pk}/{path}", data)
    assert response.status_code == 403  # a refusal (NotPermitted), shown on the form
    assert "You cannot change your own roles" in response.content.decode()
    admin = User.objects.get(pk=admin.pk)
    assert admin.role_codes == {Role.AGENCY_ADMIN}
    assert admin.is_active
    assert Vetting.objects.get(user=admin).expires_on == vetting_before
    assert CaveatAuthorisation.objects.filter(user=admin).count() == 1
    [alert] = denials()
    assert alert.reason == "self-escalation attempt"


def test_the_own_account_page_offers_no_access_changes(admin_client, personas):
    admin = personas.agency_admin
    body = admin_client.get(f"/agencies/users/{admin.pk}/").content.decode()
    assert "This is your own account" in body
    assert f"/agencies/users/{admin.pk}/roles/" not in body
    assert f"/agencies/users/{admin.pk}/disable/" not in body


def test_a_user_vetted_above_the_ceiling_is_never_silently_downgraded(admin_client, personas):
    lead = personas.nsd_lead
    Vetting.objects.filter(user=lead).update(level="DV")
    url = f"/agencies/users/{lead.pk}/vetting/"
    page = admin_client.get(url).content.decode()
    # Nothing preselected: the browser shows the first option, "Select a vetting level".
    assert "selected" not in page
    assert page.index('value=""') < page.index('value="NONE"')
    response = admin_client.post(url, date_fields("expires_on", in_days(100)))
    assert response.status_code == 400
    assert "Select a vetting level" in response.content.decode()
    assert Vetting.objects.get(user=lead).level == "DV"
