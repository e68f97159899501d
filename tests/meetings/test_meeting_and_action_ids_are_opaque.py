"""Meetings, their invitations and agreed actions are named by an opaque identifier (a UUID) in every URL, API
path, parameter and response, so their existence can be neither counted nor probed in
sequence; the integer key stays internal. A missing, a malformed and a forbidden id answer the
same 404; a malformed id in a body parameter is a 400 on that field."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from jointcase.accounts.models import User
from jointcase.accounts.tokens import api_token_create
from jointcase.audit.models import AuditEntry, Outcome
from jointcase.meetings.models import AgreedAction
from jointcase.meetings.services.actions import action_create
from jointcase.notifications.models import Notification
from tests.meetings.conftest import MeetingWorld

pytestmark = pytest.mark.django_db
ClientFor = Callable[[User], Client]
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def _api(user: User) -> Client:
    _token, plaintext = api_token_create(actor=None, user=user, name="test", days=1)
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")


def _action(mw: MeetingWorld) -> AgreedAction:
    people = mw.world.personas
    return action_create(
        actor=people.ct_supervisor,
        case=mw.world.case,
        description="Confirm approved premises placement",
        owner=people.nsd_practitioner,
        due_date=timezone.localdate() + dt.timedelta(days=5),
        meeting=mw.meeting,
    )


def test_meeting_and_action_pages_link_by_uuid_and_never_by_number(
    meeting_world: MeetingWorld, client_for: ClientFor
) -> None:
    action = _action(meeting_world)
    client = client_for(meeting_world.world.personas.nsd_practitioner)
    meeting_page = client.get(f"/meetings/{meeting_world.meeting.public_id}/").content.decode()
    action_page = client.get(f"/meetings/actions/{action.public_id}/").content.decode()
    queue = client.get("/meetings/actions/mine/").content.decode()
    for page in (meeting_page, action_page, queue, client.get("/meetings/").content.decode()):
        assert not re.search(r'href="/meetings/(actions/)?[0-9]+/', page)
    assert f'href="/meetings/actions/{action.public_id}/"' in queue
    assert f'href="/meetings/{meeting_world.meeting.public_id}/"' in action_page
    assert re.search(rf'href="/meetings/{UUID}/edit/"', meeting_page)
    assert re.search(rf'href="/meetings/{UUID}/invitations/{UUID}/remove/"', meeting_page)
    assert not re.search(r"/invitations/[0-9]+/", meeting_page)
    assert not re.search(r'name="invitation" value="[0-9]+"', meeting_page)
    # the integer key names nothing any more
    assert client.get(f"/meetings/{meeting_world.meeting.pk}/").status_code == 404
    assert client.get(f"/meetings/actions/{action.pk}/").status_code == 404


def test_the_api_names_meetings_and_actions_by_uuid(meeting_world: MeetingWorld) -> None:
    people = meeting_world.world.personas
    meeting = meeting_world.meeting
    api = _api(people.ct_supervisor)
    response = api.post(
        f"/api/v1/cases/{meeting_world.world.case.public_id}/actions",
        json.dumps(
            {
                "description": "Review contact with associates",
                "owner": "nsd.practitioner",
                "due_date": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
                "meeting": str(meeting.public_id),
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    created = AgreedAction.objects.get(public_id=uuid.UUID(body["id"]))
    assert (body["meeting"], created.source_id) == (str(meeting.public_id), str(meeting.public_id))
    read = api.get(f"/api/v1/actions/{body['id']}").json()
    assert read["id"] == body["id"]
    assert api.get(f"/api/v1/actions/{created.pk}").status_code == 404
    listed = api.get("/api/v1/meetings").json()["results"]
    assert [m["id"] for m in listed] == [str(meeting.public_id)]
    detail = api.get(f"/api/v1/meetings/{meeting.public_id}").json()
    assert detail["id"] == str(meeting.public_id)
    assert {a["id"] for a in detail["attendees"]} == {
        str(i.public_id) for i in meeting.invitations.all()
    }
    assert api.get(f"/api/v1/meetings/{meeting.pk}").status_code == 404
    mine = _api(people.nsd_practitioner).get("/api/v1/actions/mine").json()["results"]
    assert {a["id"] for a in mine} == {body["id"]}
    assert {a["meeting"] for a in mine} == {str(meeting.public_id)}


def test_missing_malformed_and_forbidden_ids_are_the_same_404(
    meeting_world: MeetingWorld, client_for: ClientFor
) -> None:
    action = _action(meeting_world)
    outsider = meeting_world.world.personas.officer_not_on_case
    page, api = client_for(outsider), _api(outsider)
    forbidden = (meeting_world.meeting.public_id, action.public_id)
    missing = (uuid.uuid4(), uuid.uuid4())
    answers = set()
    for meeting_id, action_id in (forbidden, missing, ("not-a-uuid", "12")):
        for url in (f"/meetings/{meeting_id}/", f"/meetings/actions/{action_id}/"):
            assert page.get(url).status_code == 404, url
        for url in (f"/api/v1/meetings/{meeting_id}", f"/api/v1/actions/{action_id}"):
            response = api.get(url)
            answers.add((response.status_code, response.content))
    assert len(answers) == 1, answers  # one answer, byte for byte, whatever the id
    assert answers.pop()[0] == 404
    denials = AuditEntry.objects.filter(actor_id=outsider.pk, outcome=Outcome.DENY)
    assert denials.filter(reason="not_found").exists()
    assert denials.exclude(reason="not_found").filter(object_type="meeting").exists()


def test_a_malformed_meeting_id_in_a_body_is_a_400_on_that_field(
    meeting_world: MeetingWorld,
) -> None:
    api = _api(meeting_world.world.personas.ct_supervisor)
    before = AgreedAction.objects.count()
    response = api.post(
        f"/api/v1/cases/{meeting_world.world.case.public_id}/actions",
        json.dumps(
            {
                "description": "Review contact with associates",
                "owner": "nsd.practitioner",
                "due_date": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
                "meeting": str(meeting_world.meeting.pk),
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["payload.meeting"]
    assert AgreedAction.objects.count() == before


def test_notices_link_to_the_action_by_its_uuid(meeting_world: MeetingWorld) -> None:
    action = _action(meeting_world)
    notice = Notification.objects.filter(
        recipient=meeting_world.world.personas.nsd_practitioner
    ).latest("pk")
    assert notice.link == f"/meetings/actions/{action.public_id}/"
