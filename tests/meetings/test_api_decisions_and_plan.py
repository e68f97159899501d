"""Decisions and the risk management plan through the API, per case, under the pages' rules."""

from __future__ import annotations

import json
import uuid

import pytest
from django.test import Client

from jointcase.accounts.models import User
from jointcase.accounts.tokens import api_token_create
from jointcase.audit.models import AuditEntry, Outcome
from jointcase.meetings.models import MeetingDecision, RiskPlanEntry
from jointcase.meetings.services.decisions import decision_record
from jointcase.meetings.services.invitations import invitation_add
from tests.meetings.conftest import MeetingWorld
from tests.register_fixtures import CaseWorld

pytestmark = pytest.mark.django_db


def _api(user: User) -> Client:
    _token, plaintext = api_token_create(actor=None, user=user, name="test", days=1)
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")


def _post(client: Client, url: str, payload: dict[str, object]) -> tuple[int, dict[str, object]]:
    response = client.post(url, json.dumps(payload), content_type="application/json")
    return response.status_code, response.json()


def _fields(body: dict[str, object]) -> dict[str, str]:
    return {e["field"]: e["message"] for e in body["errors"]}  # type: ignore[attr-defined,index]


def test_a_decision_is_recorded_per_case_and_read_with_the_meeting(
    meeting_world: MeetingWorld,
) -> None:
    people = meeting_world.world.personas
    case = meeting_world.world.case
    url = f"/api/v1/meetings/{meeting_world.meeting.public_id}/decisions"
    status, body = _post(
        _api(people.ct_supervisor), url, {"case": str(case.public_id), "text": " "}
    )
    assert (status, _fields(body)) == (400, {"text": "Enter the decision"})
    status, body = _post(
        _api(people.ct_supervisor),
        url,
        {"case": str(case.public_id), "text": "Remain at MAPPA level 3"},
    )
    assert status == 201
    assert (body["case"], body["meeting"], body["recorded_by"]) == (
        str(case.public_id),
        str(meeting_world.meeting.public_id),
        "ct.supervisor",
    )
    assert AuditEntry.objects.filter(action="meeting.decision", object_id=str(case.pk)).exists()
    read = _api(people.nsd_practitioner).get(f"/api/v1/meetings/{meeting_world.meeting.public_id}")
    assert [d["text"] for d in read.json()["decisions"]] == ["Remain at MAPPA level 3"]


def test_a_decision_is_refused_to_who_may_not_record_it_and_nothing_is_stored(
    meeting_world: MeetingWorld,
) -> None:
    people = meeting_world.world.personas
    case = meeting_world.world.case
    url = f"/api/v1/meetings/{meeting_world.meeting.public_id}/decisions"
    decision = {"case": str(case.public_id), "text": "Refer to MAPPA level 2"}
    invitation_add(
        actor=people.ct_supervisor, meeting=meeting_world.meeting, user=people.prison_ct_lead
    )
    # an invitee from outside the case teams sees the meeting but may not change it: 403
    status, body = _post(_api(people.prison_ct_lead), url, decision)
    assert status == 403
    assert AuditEntry.objects.filter(
        actor_id=people.prison_ct_lead.pk, outcome=Outcome.DENY, reason="not_editor"
    ).exists()
    # it does not reveal decisions about cases the reader may not see either
    decision_record(
        actor=people.ct_supervisor, meeting=meeting_world.meeting, case=case, text="Secret plan"
    )
    invitee_view = _api(people.prison_ct_lead).get(
        f"/api/v1/meetings/{meeting_world.meeting.public_id}"
    )
    assert invitee_view.status_code == 200
    assert invitee_view.json()["decisions"] == []
    # not on the case, not invited: 404, as for a meeting that does not exist
    assert _post(_api(people.officer_not_on_case), url, decision)[0] == 404
    assert (
        _post(_api(people.ct_supervisor), "/api/v1/meetings/987654321/decisions", decision)[0]
        == 404
    )
    # a case named in the body that the caller may not see: 404
    assert _post(_api(people.ct_supervisor), url, {**decision, "case": str(uuid.uuid4())})[0] == 404
    # mass assignment
    status, body = _post(_api(people.ct_supervisor), url, {**decision, "recorded_by": 1})
    assert status == 400
    assert any("recorded_by" in f for f in _fields(body))
    assert MeetingDecision.objects.count() == 1


def test_the_risk_management_plan_is_read_and_added_to_pillar_by_pillar(
    team_world: CaseWorld,
) -> None:
    people = team_world.personas
    url = f"/api/v1/cases/{team_world.case.public_id}/plan"
    api = _api(people.nsd_practitioner)
    assert api.get(url).json()["count"] == 0
    status, body = _post(api, url, {"pillar": "SUPERVISION", "text": "Weekly home visits"})
    assert (status, body["pillar"], body["owner"]) == (201, "SUPERVISION", None)
    status, body = _post(
        api,
        url,
        {
            "pillar": "VICTIM_SAFETY_PLANNING",
            "text": "Exclusion zone around the victim's address",
            "owner": "ctnm.officer",
        },
    )
    assert (status, body["owner"]) == (201, "ctnm.officer")
    status, body = _post(
        api, url, {"pillar": "INTERVENTIONS_AND_TREATMENT", "text": "Desistance programme"}
    )
    assert status == 201
    plan = _api(people.ct_supervisor).get(url).json()
    assert [e["pillar"] for e in plan["results"]] == [
        "SUPERVISION",
        "INTERVENTIONS_AND_TREATMENT",
        "VICTIM_SAFETY_PLANNING",
    ]
    entry = AuditEntry.objects.filter(action="case.risk_plan.add").latest("seq")
    assert (entry.actor_id, entry.object_id) == (
        people.nsd_practitioner.pk,
        str(team_world.case.pk),
    )


def test_bad_plan_entries_are_refused_and_outsiders_get_a_404(team_world: CaseWorld) -> None:
    people = team_world.personas
    url = f"/api/v1/cases/{team_world.case.public_id}/plan"
    api = _api(people.nsd_practitioner)
    status, body = _post(api, url, {"pillar": "PRAYER", "text": ""})
    assert (status, _fields(body)) == (
        400,
        {
            "pillar": "Select a pillar of the risk management plan",
            "text": "Enter the plan entry",
        },
    )
    # an owner who cannot see the case, and an unknown username: one message
    status, body = _post(
        api, url, {"pillar": "SUPERVISION", "text": "Weekly contact", "owner": "prison.ctlead"}
    )
    assert (status, _fields(body)) == (
        400,
        {"owner": "This person cannot own actions on this case"},
    )
    status, body = _post(
        api, url, {"pillar": "SUPERVISION", "text": "Weekly contact", "owner": "nobody.here"}
    )
    assert (status, _fields(body)) == (
        400,
        {"owner": "This person cannot own actions on this case"},
    )
    status, body = _post(api, url, {"pillar": "SUPERVISION", "text": "x", "case": 1})
    assert status == 400
    assert any("case" in f for f in _fields(body))
    outsider = _api(people.officer_not_on_case)
    assert outsider.get(url).status_code == 404
    assert _post(outsider, url, {"pillar": "SUPERVISION", "text": "Weekly contact"})[0] == 404
    assert AuditEntry.objects.filter(
        actor_id=people.officer_not_on_case.pk, outcome=Outcome.DENY, object_type="case"
    ).exists()
    assert _api(people.excluded_officer).get(url).status_code == 404
    assert RiskPlanEntry.objects.count() == 0
