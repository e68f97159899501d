from __future__ import annotations

import pytest

from jointcase.agencies.models import Team, TeamMembership
from jointcase.audit.models import AuditEntry
from tests.agencies.helpers import actions, in_days, nsd_colleague

pytestmark = pytest.mark.django_db


def test_the_teams_list_shows_own_teams_with_member_counts(admin_client, personas):
    body = admin_client.get("/agencies/teams/").content.decode()
    assert "NSD North team 1" in body
    assert "CTNM North East" not in body


def test_an_administrator_creates_a_team_in_their_own_agency(admin_client, personas):
    response = admin_client.post(
        "/agencies/teams/new/",
        {
            "name": "  NSD  North team 2 ",
            "manager": personas.nsd_lead.pk,
            "agency": personas.ctnm_officer.agency_id,
        },
    )
    team = Team.objects.get(name="NSD North team 2")
    assert response["Location"] == f"/agencies/teams/{team.pk}/"
    assert (team.agency, team.manager) == (personas.agency_admin.agency, personas.nsd_lead)
    assert "agencies.team_create" in actions()


@pytest.mark.parametrize(
    ("name", "message"), [("", "Enter the team name"), ("nsd north TEAM 1", "already has a team")]
)
def test_a_team_needs_a_new_name(admin_client, personas, name, message):
    response = admin_client.post("/agencies/teams/new/", {"name": name})
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert message in response.content.decode()
    assert Team.objects.count() == 2


def test_members_are_added_once_and_removed_straight_away(admin_client, personas):
    team = Team.objects.get(name="NSD North team 1")
    admin = nsd_colleague(personas.agency_admin)
    add_url = f"/agencies/teams/{team.pk}/members/add/"
    assert admin_client.post(add_url, {"user": admin.pk}).status_code == 302
    assert TeamMembership.objects.current().filter(team=team, user=admin).exists()

    again = admin_client.post(add_url, {"user": admin.pk})
    assert again.status_code == 400
    assert TeamMembership.objects.filter(team=team, user=admin).count() == 1

    # A membership that started today is removed outright; an older one ends yesterday.
    new = TeamMembership.objects.get(team=team, user=admin)
    assert admin_client.post(f"/agencies/teams/{team.pk}/members/{new.pk}/end/").status_code == 302
    assert not TeamMembership.objects.filter(pk=new.pk).exists()

    old = TeamMembership.objects.get(team=team, user=personas.nsd_practitioner)
    assert admin_client.post(f"/agencies/teams/{team.pk}/members/{old.pk}/end/").status_code == 302
    old.refresh_from_db()
    assert old.end == in_days(-1)
    assert (
        not TeamMembership.objects.current()
        .filter(team=team, user=personas.nsd_practitioner)
        .exists()
    )
    assert (
        personas.nsd_practitioner.username
        not in admin_client.get(f"/agencies/teams/{team.pk}/").content.decode()
    )
    assert AuditEntry.objects.filter(action="agencies.team_member_end").count() == 2


def test_adding_a_member_needs_a_person(admin_client, personas):
    team = Team.objects.get(name="NSD North team 1")
    response = admin_client.post(f"/agencies/teams/{team.pk}/members/add/", {})
    assert response.status_code == 400
    assert "Select a person to add" in response.content.decode()
