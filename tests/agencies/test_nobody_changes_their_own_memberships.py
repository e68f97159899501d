"""An agency administrator cannot put themselves in a team (nor take themselves out): team
membership carries case access, so another administrator must make the change."""

from __future__ import annotations

import pytest

from jointcase.access.acting import NotPermitted
from jointcase.agencies.models import Team, TeamMembership
from jointcase.agencies.services import team_member_add, team_member_end
from tests.agencies.helpers import denials

pytestmark = pytest.mark.django_db


def test_an_administrator_cannot_add_themselves_to_a_team(admin_client, personas):
    admin = personas.agency_admin
    team = Team.objects.get(name="NSD North team 1")
    url = f"/agencies/teams/{team.pk}/members/add/"
    page = admin_client.get(url).content.decode()
    assert f'value="{admin.pk}"' not in page
    response = admin_client.post(url, {"user": admin.pk})
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert not TeamMembership.objects.filter(team=team, user=admin).exists()


def test_the_team_services_refuse_a_change_to_one_s_own_membership(personas):
    admin = personas.agency_admin
    team = Team.objects.get(name="NSD North team 1")
    with pytest.raises(NotPermitted):
        team_member_add(actor=admin, team=team, user=admin)
    assert not TeamMembership.objects.filter(team=team, user=admin).exists()
    assert denials("agencies.team_member_add")[0].details == {"alert": "vertical_escalation"}
    membership = TeamMembership.objects.create(team=team, user=admin, start="2026-01-01")
    with pytest.raises(NotPermitted):
        team_member_end(actor=admin, membership=membership)
    membership.refresh_from_db()
    assert membership.end is None
    assert len(denials()) == 2
