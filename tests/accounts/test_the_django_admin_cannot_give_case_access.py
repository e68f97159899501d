"""The platform operator cannot give anyone, themselves included, case content from the Django
admin: roles, vetting, caveats and memberships are read-only there, their own account's agency
and status too, and nobody sets another person's password."""

from __future__ import annotations

import re

import pytest
from django.urls import NoReverseMatch, reverse

from jointcase.accounts.models import EnrolmentLink, Role, RoleAssignment, User
from jointcase.admin import admin_site
from jointcase.agencies.models import CaveatAuthorisation, Team, TeamMembership, Vetting
from jointcase.cases.models import CaseTeamMember
from tests.support.admin import admin_form_data

pytestmark = pytest.mark.django_db

ACCESS_MODELS = (RoleAssignment, Vetting, CaveatAuthorisation, TeamMembership, CaseTeamMember)


def test_no_model_that_carries_access_can_be_written_in_the_admin(rf, personas):
    request = rf.get("/admin/")
    request.user = personas.system_admin
    request.user.is_verified = lambda: True  # type: ignore[method-assign]
    admins = list(admin_site._registry.values())
    inlines = [
        inline(model_admin.model, admin_site)
        for model_admin in admins
        for inline in model_admin.inlines
    ]
    for model_admin in [*admins, *inlines]:
        if model_admin.model in ACCESS_MODELS:
            assert not model_admin.has_add_permission(request, None), model_admin
            assert not model_admin.has_change_permission(request, None), model_admin
            assert not model_admin.has_delete_permission(request, None), model_admin


def test_a_system_administrator_cannot_add_themselves_to_a_team_in_the_admin(personas, client_for):
    sysadmin = personas.system_admin
    team = Team.objects.get(name="CTNM North East")
    client = client_for(sysadmin)
    response = client.post(
        "/admin/agencies/teammembership/add/",
        {"user": sysadmin.pk, "team": team.pk, "start": "2026-01-01"},
    )
    assert response.status_code == 403
    membership = TeamMembership.objects.filter(team=team).first()
    assert membership is not None
    changed = client.post(
        f"/admin/agencies/teammembership/{membership.pk}/change/",
        {"user": sysadmin.pk, "team": team.pk, "start": "2026-01-01"},
    )
    assert changed.status_code == 403
    assert (
        client.post(
            f"/admin/agencies/teammembership/{membership.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    assert not TeamMembership.objects.filter(user=sysadmin).exists()
    assert TeamMembership.objects.filter(pk=membership.pk, user=membership.user_id).exists()


def test_the_own_user_page_offers_no_role_vetting_or_caveat_fields(personas, client_for):
    sysadmin = personas.system_admin
    body = client_for(sysadmin).get(f"/admin/accounts/user/{sysadmin.pk}/change/")
    html = body.content.decode()
    assert body.status_code == 200
    editable = re.findall(r'<(?:input|select)[^>]*name="([a-z_]+-\d+-[a-z_]+)"', html)
    assert [name for name in editable if not name.endswith(("-id", "-user"))] == []
    assert re.findall(r'<input type="hidden" name="[a-z_]+-\d+-(?:id|user)"', html)
    for field in (
        'name="agency"',
        'name="is_superuser"',
        'name="groups"',
        'name="user_permissions"',
    ):
        assert field not in html, field


def test_a_role_posted_through_the_user_admin_is_not_granted(personas, client_for):
    client = client_for(personas.system_admin)
    for user in (personas.pom, personas.system_admin):
        url = f"/admin/accounts/user/{user.pk}/change/"
        data = admin_form_data(client.get(url))
        prefix = "role_assignments"
        total = int(data.get(f"{prefix}-TOTAL_FORMS", 0))
        data[f"{prefix}-TOTAL_FORMS"] = str(total + 1)
        data[f"{prefix}-{total}-role"] = Role.CTNM_OFFICER
        data[f"{prefix}-{total}-user"] = str(user.pk)
        client.post(url, data)
        assert not RoleAssignment.objects.filter(user=user, role=Role.CTNM_OFFICER).exists()


def test_a_system_administrator_cannot_move_themselves_into_another_agency(personas, client_for):
    sysadmin = personas.system_admin
    client = client_for(sysadmin)
    url = f"/admin/accounts/user/{sysadmin.pk}/change/"
    data = admin_form_data(client.get(url))
    data["agency"] = str(personas.ctnm_officer.agency_id)
    data["first_name"] = "Renamed"
    response = client.post(url, data)
    assert response.status_code == 302
    sysadmin.refresh_from_db()
    assert sysadmin.first_name == "Renamed"
    assert sysadmin.agency_id != personas.ctnm_officer.agency_id


def test_the_admin_has_no_page_that_sets_someone_else_s_password(personas, client_for):
    user = personas.pom
    client = client_for(personas.system_admin)
    new_password = "a completely new passphrase 9"
    response = client.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"password1": new_password, "password2": new_password, "usable_password": "true"},
    )
    assert response.status_code != 200
    assert not User.objects.get(pk=user.pk).check_password(new_password)
    with pytest.raises(NoReverseMatch):
        reverse("admin:accounts_user_password_change", args=[user.pk])


def test_a_user_added_in_the_admin_has_no_password_until_they_use_their_link(personas, client_for):
    client = client_for(personas.system_admin)
    response = client.post(
        "/admin/accounts/user/add/",
        {"username": "platform.newcomer", "password1": "x", "password2": "x", "is_staff": "on"},
    )
    assert response.status_code == 302
    user = User.objects.get(username="platform.newcomer")
    assert not user.has_usable_password()
    issued = client.post(
        "/admin/accounts/user/",
        {
            "action": "reset_second_factor_and_issue_enrolment_link",
            "_selected_action": [user.pk],
        },
    )
    assert issued.status_code == 200
    assert "/sign-in/enrol/" in issued.content.decode()
    assert issued["Cache-Control"] == "no-store"
    assert EnrolmentLink.objects.filter(user=user, used_at__isnull=True).count() == 1
