"""The meetings and actions API under the pages' rules."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from jointcase.accounts.models import User
from jointcase.accounts.tokens import api_token_create
from jointcase.meetings.models import AgreedAction
from tests.meetings.conftest import MeetingWorld

pytestmark = pytest.mark.django_db


def _api(user: User) -> Client:
    _token, plaintext = api_token_create(actor=None, user=user, name="test", days=1)
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")


def _post(client: Client, url: str, payload: dict[str, object]) -> tuple[int, dict[str, object]]:
    response = client.post(url, json.dumps(payload), content_type="application/json")
    return response.status_code, response.json()


def test_actions_are_agreed_listed_and_completed_through_the_api(
    meeting_world: MeetingWorld,
) -> None:
    people = meeting_world.world.personas
    case = meeting_world.world.case
    supervisor = _api(people.ct_supervisor)
    due = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    status, body = _post(
        supervisor,
        f"/api/v1/cases/{case.public_id}/actions",
        {"description": "Visit", "due_date": due},
    )
    assert status == 400
    assert {e["field"] for e in body["errors"]} == {"payload.owner"}  # type: ignore[union-attr]
    status, body = _post(
        supervisor,
        f"/api/v1/cases/{case.public_id}/actions",
        {"description": "Visit", "due_date": due, "owner": "officer.notoncase"},
    )
    assert status == 400
    assert body["errors"] == [
        {"field": "owner", "message": "This person cannot own actions on this case"}
    ]
    status, body = _post(
        supervisor,
        f"/api/v1/cases/{case.public_id}/actions",
        {
            "description": "Visit",
            "due_date": due,
            "owner": "nsd.practitioner",
            "meeting": str(meeting_world.meeting.public_id),
        },
    )
    assert status == 201
    action_id = body["id"]
    practitioner = _api(people.nsd_practitioner)
    mine = practitioner.get("/api/v1/actions/mine").json()
    assert [a["id"] for a in mine["results"]] == [action_id]
    status, body = _post(practitioner, f"/api/v1/actions/{action_id}/complete", {"evidence": ""})
    assert status == 400
    status, body = _post(
        practitioner, f"/api/v1/actions/{action_id}/complete", {"evidence": "Visited"}
    )
    assert (status, body["status"]) == (200, "DONE")
    assert _api(people.officer_not_on_case).get(f"/api/v1/actions/{action_id}").status_code == 404
    status, _ = _post(
        supervisor,
        f"/api/v1/cases/{case.public_id}/actions",
        {"description": "x", "due_date": due, "owner_agency": 1},
    )
    assert status == 400
    assert AgreedAction.objects.count() == 1


def test_the_meeting_api_withholds_what_the_reader_may_not_see(meeting_world: MeetingWorld) -> None:
    people = meeting_world.world.personas
    pom = _api(people.pom).get(f"/api/v1/meetings/{meeting_world.meeting.public_id}").json()
    assert [s["withheld"] for s in pom["minutes"]] == [
        None,
        "Section withheld: held by CT Policing North East at SECRET",
    ]
    assert "Covert" not in json.dumps(pom)
    assert pom["marking"] == "OFFICIAL-SENSITIVE"
    assert (
        _api(people.officer_not_on_case)
        .get(f"/api/v1/meetings/{meeting_world.meeting.public_id}")
        .status_code
        == 404
    )
    assert _api(people.officer_not_on_case).get("/api/v1/meetings").json()["count"] == 0


def test_attendance_through_the_api(meeting_world: MeetingWorld) -> None:
    people = meeting_world.world.personas
    invitation = meeting_world.meeting.invitations.get(user=people.nsd_practitioner)
    url = f"/api/v1/meetings/{meeting_world.meeting.public_id}/attendance/{invitation.public_id}"
    status, body = _post(_api(people.ct_supervisor), url, {"attended": True, "apologies": True})
    assert status == 400
    status, body = _post(_api(people.ct_supervisor), url, {"attended": False, "apologies": True})
    assert (status, body["apologies"]) == (200, True)


def test_an_action_records_its_source_through_the_api(meeting_world: MeetingWorld) -> None:
    people = meeting_world.world.personas
    api = _api(people.ct_supervisor)
    url = f"/api/v1/cases/{meeting_world.world.case.public_id}/actions"
    due = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    base = {"description": "Review the item", "due_date": due, "owner": "nsd.practitioner"}
    status, body = _post(api, url, {**base, "source_kind": "RUMOUR"})
    assert status == 400
    assert body["errors"] == [
        {"field": "source_kind", "message": "Select where the action came from"}
    ]
    status, body = _post(api, url, {**base, "source_kind": "MATERIAL", "source_id": "item-7"})
    assert (status, body["source_kind"], body["source_id"]) == (201, "MATERIAL", "item-7")
    assert AgreedAction.objects.count() == 1
