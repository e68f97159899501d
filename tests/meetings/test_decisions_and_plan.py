"""Decisions and the risk management plan, recorded per case."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from jointcase.accounts.models import User
from jointcase.meetings.models import MeetingDecision, MeetingStatus, RiskPlanEntry
from tests.meetings.conftest import MeetingWorld
from tests.register_fixtures import CaseWorld

pytestmark = pytest.mark.django_db
ClientFor = Callable[[User], Client]


def test_a_decision_is_recorded_on_the_meeting(
    meeting_world: MeetingWorld, client_for: ClientFor
) -> None:
    people = meeting_world.world.personas
    client = client_for(people.ct_supervisor)
    url = f"/meetings/{meeting_world.meeting.public_id}/decisions/new/"
    response = client.post(url, {"case": meeting_world.world.case.pk, "text": ""})
    assert response.status_code == 400
    assert "Enter the decision" in response.content.decode()
    response = client.post(
        url, {"case": meeting_world.world.case.pk, "text": "Remain at MAPPA level 3"}
    )
    assert response.status_code == 302
    assert MeetingDecision.objects.get().text == "Remain at MAPPA level 3"
    page = client.get(f"/meetings/{meeting_world.meeting.public_id}/").content.decode()
    assert "Remain at MAPPA level 3" in page


def test_the_risk_management_plan_by_pillar(team_world: CaseWorld, client_for: ClientFor) -> None:
    people = team_world.personas
    client = client_for(people.nsd_practitioner)
    url = f"/meetings/cases/{team_world.case.public_id}/plan/"
    assert client.post(url, {"pillar": "SUPERVISION", "text": ""}).status_code == 400
    response = client.post(
        url,
        {
            "pillar": "VICTIM_SAFETY_PLANNING",
            "text": "Exclusion zone around the victim's address",
            "owner": people.ctnm_officer.pk,
        },
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Victim safety planning" in page
    assert "Exclusion zone around the victim" in page
    owner_not_on_case = client.post(
        url, {"pillar": "SUPERVISION", "text": "Weekly contact", "owner": people.prison_ct_lead.pk}
    )
    assert owner_not_on_case.status_code == 400
    assert RiskPlanEntry.objects.count() == 1
    assert client_for(people.officer_not_on_case).get(url).status_code == 404


def test_the_chair_marks_the_meeting_held(
    meeting_world: MeetingWorld, client_for: ClientFor
) -> None:
    meeting = meeting_world.meeting
    client = client_for(meeting_world.world.personas.ct_supervisor)
    response = client.post(
        f"/meetings/{meeting.public_id}/status/", {"version": meeting.version, "status": "HELD"}
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    stale = client.post(
        f"/meetings/{meeting.public_id}/status/", {"version": 1, "status": "CANCELLED"}
    )
    assert stale.status_code == 400
    assert "Someone else changed this meeting" in stale.content.decode()
