"""An agency administrator reaches only their own agency: anything else is a 404, changes
nothing, and is recorded as a DENY alert (docs/security-tests.md class 4)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from jointcase.access.acting import NotPermitted
from jointcase.accounts.models import Role, User
from jointcase.agencies import services
from jointcase.agencies.models import Team, TeamMembership, Vetting
from tests.agencies.helpers import date_fields, denials, in_days

pytestmark = pytest.mark.django_db

USER_PAGES = [
    "",
    "details/",
    "roles/",
    "vetting/",
    "caveats/",
    "disable/",
    "enable/",
    "reset-second-factor/",
]


def snapshot(user: User) -> tuple[object, ...]:
    fresh = User.objects.get(pk=user.pk)
    vetting = Vetting.objects.get(user=user)
    return (
        fresh.first_name,
        fresh.is_active,
        fresh.session_epoch,
        fresh.role_codes,
        vetting.level,
        vetting.expires_on,
        fresh.caveat_authorisations.count(),
    )


@pytest.mark.parametrize("page", USER_PAGES)
def test_another_agencys_user_is_not_found_and_cannot_be_changed(admin_client, personas, page):
    officer = personas.ctnm_officer
    before = snapshot(officer)
    url = f"/agencies/users/{officer.pk}/{page}"
    missing = f"/agencies/users/999999/{page}"
    assert admin_client.get(url).status_code == 404
    posted = admin_client.post(
        url,
        {
            "first_name": "Hijacked",
            "last_name": "X",
            "email": "x@example.com",
            "roles": [Role.AGENCY_ADMIN],
            "level": "NONE",
            **date_fields("expires_on", in_days(10)),
        },
    )
    # The read-only page takes no POST at all: the same 405 whoever the user is.
    assert posted.status_code == (405 if page == "" else 404)
    assert admin_client.get(missing).status_code == 404
    assert snapshot(officer) == before
    expected = 1 if page == "" else 2
    assert [e.object_id for e in denials("agencies.out_of_scope")] == [str(officer.pk)] * expected


def test_the_not_found_page_is_the_same_for_another_agencys_user_and_a_missing_one(
    admin_client, personas
):
    def body(user_id: int) -> str:
        page = admin_client.get(f"/agencies/users/{user_id}/").content.decode()
        page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
        return re.sub(r'nonce="[^"]+"', "", page)

    assert body(personas.ctnm_officer.pk) == body(999999)


def test_a_system_administrator_is_out_of_reach_even_in_the_same_agency(client_for, personas):
    admin = personas.agency_admin
    User.objects.filter(pk=personas.system_admin.pk).update(agency=admin.agency)
    client = client_for(admin)
    assert "sysadmin" not in client.get("/agencies/").content.decode()
    assert client.get(f"/agencies/users/{personas.system_admin.pk}/").status_code == 404
    response = client.post(f"/agencies/users/{personas.system_admin.pk}/reset-second-factor/")
    assert response.status_code == 404
    assert User.objects.get(pk=personas.system_admin.pk).session_epoch == 0


def test_another_agencys_team_is_not_found(admin_client, personas):
    police_team = Team.objects.get(name="CTNM North East")
    membership = TeamMembership.objects.filter(team=police_team).first()
    for url in (
        f"/agencies/teams/{police_team.pk}/",
        f"/agencies/teams/{police_team.pk}/members/add/",
        f"/agencies/teams/{police_team.pk}/members/{membership.pk}/end/",
    ):
        assert admin_client.get(url).status_code == 404
        posted = admin_client.post(url, {"user": personas.nsd_practitioner.pk})
        assert posted.status_code == (405 if url.endswith(f"{police_team.pk}/") else 404)
    assert TeamMembership.objects.filter(team=police_team).count() == 3
    assert all(m.end is None for m in TeamMembership.objects.filter(team=police_team))
    assert len(denials("agencies.out_of_scope")) == 5


def test_a_membership_of_another_team_cannot_be_ended_through_an_own_team(admin_client, personas):
    nsd_team = Team.objects.get(name="NSD North team 1")
    police_membership = TeamMembership.objects.filter(team__name="CTNM North East").first()
    url = f"/agencies/teams/{nsd_team.pk}/members/{police_membership.pk}/end/"
    assert admin_client.post(url).status_code == 404
    police_membership.refresh_from_db()
    assert police_membership.end is None


def test_a_team_manager_or_member_must_come_from_the_own_agency(admin_client, personas):
    nsd_team = Team.objects.get(name="NSD North team 1")
    response = admin_client.post(
        f"/agencies/teams/{nsd_team.pk}/members/add/", {"user": personas.ctnm_officer.pk}
    )
    assert response.status_code == 400
    assert not TeamMembership.objects.filter(team=nsd_team, user=personas.ctnm_officer).exists()
    response = admin_client.post(
        "/agencies/teams/new/", {"name": "Mixed", "manager": personas.ct_supervisor.pk}
    )
    assert response.status_code == 400
    assert not Team.objects.filter(name="Mixed").exists()


@pytest.mark.parametrize(
    "call",
    [
        lambda actor, user: services.agency_user_vetting_set(
            actor=actor, user=user, level="NONE", expires_on=None
        ),
        lambda actor, user: services.agency_user_roles_set(actor=actor, user=user, roles=[]),
        lambda actor, user: services.agency_user_caveats_set(actor=actor, user=user, grants={}),
        lambda actor, user: services.agency_user_disable(actor=actor, user=user),
        lambda actor, user: services.agency_user_mfa_reset(actor=actor, user=user),
        lambda actor, user: services.agency_user_update(
            actor=actor,
            user=user,
            first_name="X",
            last_name="Y",
            email="",
            job_title="",
            line_manager=None,
        ),
    ],
)
def test_services_refuse_another_agencys_user_even_when_called_directly(personas, call):
    officer = personas.ctnm_officer
    before = snapshot(officer)
    with pytest.raises(NotPermitted):
        call(personas.agency_admin, officer)
    assert snapshot(officer) == before
    [alert] = denials()
    assert alert.reason == "user of another agency"
    assert alert.details == {"alert": "vertical_escalation"}


def test_services_refuse_someone_who_is_not_an_agency_administrator(personas):
    with pytest.raises(NotPermitted):
        services.agency_user_disable(actor=personas.nsd_lead, user=personas.nsd_practitioner)
    assert User.objects.get(pk=personas.nsd_practitioner.pk).is_active
    assert denials()[0].reason == "actor is not an agency administrator"


def test_a_police_agency_administrator_cannot_reset_the_nsd_administrator(client_for, personas):
    police_admin = User.objects.create(username="police.admin", agency=personas.ctnm_officer.agency)
    police_admin.role_assignments.create(role=Role.AGENCY_ADMIN)
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=police_admin, name="app", confirmed=True)
    client = client_for(police_admin)
    url = reverse("agencies:admin-user-mfa-reset", args=[personas.agency_admin.pk])
    assert client.post(url).status_code == 404
    assert TOTPDevice.objects.filter(user=personas.agency_admin).exists()
