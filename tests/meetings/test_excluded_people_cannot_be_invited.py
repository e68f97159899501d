"""Someone excluded from any of a meeting's cases cannot be invited to it, chair it or own one
of its actions: refused with a message that does not say why, and they receive nothing (no
attendee row, nothing in the pack, no notification). Pages and API, creation and edit."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from jointcase.access.meetings import OWNER_REFUSED
from jointcase.accounts.models import User
from jointcase.accounts.tokens import api_token_create
from jointcase.meetings.models import AgreedAction, Invitation, Meeting, MeetingType
from jointcase.meetings.services.actions import action_create, action_reassign
from jointcase.meetings.services.meetings import meeting_cases_set, meeting_create
from jointcase.notifications.models import Notification
from tests.meetings.conftest import MeetingWorld
from tests.register_fixtures import CaseWorld
from tests.support.meetings import meeting_form_fields, second_case

pytestmark = pytest.mark.django_db
ClientFor = Callable[[User], Client]
REFUSED = "This person cannot be invited to meetings about this case"


def _api(user: User) -> Client:
    _token, plaintext = api_token_create(actor=None, user=user, name="test", days=1)
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")


def _post(client: Client, url: str, payload: dict[str, object]) -> tuple[int, dict[str, object]]:
    response = client.post(url, json.dumps(payload), content_type="application/json")
    return response.status_code, response.json()


def _receives_nothing(user: User) -> None:
    assert not Invitation.objects.filter(user=user).exists()
    assert not Notification.objects.filter(recipient=user).exists()


def _new_meeting_form(world: CaseWorld, **overrides: object) -> dict[str, object]:
    day = timezone.localdate() + dt.timedelta(days=3)
    values: dict[str, object] = {
        "type": "MAPPA_L3",
        "day-day": day.day,
        "day-month": day.month,
        "day-year": day.year,
        "time": "10:30",
        "chair": world.personas.ct_supervisor.pk,
        "cases": [world.case.pk],
        "invitees": [world.personas.nsd_practitioner.pk],
        "agenda": "Risk review",
    }
    values.update(overrides)
    return values


def test_an_excluded_officer_cannot_be_invited_to_or_chair_a_new_meeting_on_the_page(
    team_world: CaseWorld, client_for: ClientFor
) -> None:
    people = team_world.personas
    client = client_for(people.ct_supervisor)
    for overrides in (
        {"invitees": [people.nsd_practitioner.pk, people.excluded_officer.pk]},
        {"chair": people.excluded_officer.pk},
    ):
        response = client.post("/meetings/new/", _new_meeting_form(team_world, **overrides))
        assert response.status_code == 400
        body = response.content.decode()
        assert "There is a problem" in body
        assert REFUSED in body
        assert "exclu" not in body.lower()
    assert not Meeting.objects.exists()
    _receives_nothing(people.excluded_officer)
    assert not Notification.objects.exists()


def test_an_excluded_officer_cannot_be_invited_to_or_chair_a_new_meeting_in_the_api(
    team_world: CaseWorld,
) -> None:
    people = team_world.personas
    api = _api(people.ct_supervisor)
    payload: dict[str, object] = {
        "type": "MAPPA_L3",
        "starts_at": (timezone.now() + dt.timedelta(days=3)).isoformat(),
        "chair": "ct.supervisor",
        "cases": [str(team_world.case.public_id)],
        "invitees": ["nsd.practitioner", "excluded.officer"],
    }
    status, body = _post(api, "/api/v1/meetings", payload)
    assert (status, body["errors"]) == (400, [{"field": "invitees", "message": REFUSED}])
    status, body = _post(
        api, "/api/v1/meetings", {**payload, "chair": "excluded.officer", "invitees": []}
    )
    assert (status, body["errors"]) == (400, [{"field": "chair", "message": REFUSED}])
    assert not Meeting.objects.exists()
    _receives_nothing(people.excluded_officer)


def test_an_excluded_officer_cannot_be_invited_to_an_existing_meeting(
    meeting_world: MeetingWorld, client_for: ClientFor
) -> None:
    people = meeting_world.world.personas
    meeting = meeting_world.meeting
    response = client_for(people.ct_supervisor).post(
        f"/meetings/{meeting.public_id}/invite/", {"user": people.excluded_officer.pk}
    )
    assert response.status_code == 400
    assert REFUSED in response.content.decode()
    status, body = _post(
        _api(people.ct_supervisor),
        f"/api/v1/meetings/{meeting.public_id}/invitations",
        {"user": "excluded.officer"},
    )
    assert (status, body["errors"]) == (400, [{"field": "user", "message": REFUSED}])
    _receives_nothing(people.excluded_officer)
    # nor do the other attendees see them listed, on the page or in the pack
    page = (
        client_for(people.nsd_practitioner).get(f"/meetings/{meeting.public_id}/").content.decode()
    )
    assert people.excluded_officer.username not in page
    assert people.excluded_officer.get_full_name() not in page


def test_an_excluded_officer_cannot_be_made_chair_when_the_meeting_is_edited(
    meeting_world: MeetingWorld, client_for: ClientFor
) -> None:
    people = meeting_world.world.personas
    meeting = meeting_world.meeting
    response = client_for(people.ct_supervisor).post(
        f"/meetings/{meeting.public_id}/edit/",
        meeting_form_fields(meeting, chair=people.excluded_officer.pk),
    )
    assert response.status_code == 400
    assert REFUSED in response.content.decode()
    status, body = _post(
        _api(people.ct_supervisor),
        f"/api/v1/meetings/{meeting.public_id}",
        {"version": meeting.version, "chair": "excluded.officer"},
    )
    assert (status, body["errors"]) == (400, [{"field": "chair", "message": REFUSED}])
    assert Meeting.objects.get(pk=meeting.pk).chair == people.ct_supervisor
    _receives_nothing(people.excluded_officer)


def test_a_case_an_invitee_is_excluded_from_cannot_be_added_to_their_meeting(
    meeting_world: MeetingWorld,
) -> None:
    people = meeting_world.world.personas
    excluded_case = meeting_world.world.case
    other_case = second_case(meeting_world, people.excluded_officer)
    meeting = meeting_create(
        actor=people.ct_supervisor,
        type=MeetingType.PROFESSIONALS,
        starts_at=timezone.now() + dt.timedelta(days=2),
        chair=people.ct_supervisor,
        cases=[other_case],
        invitees=[people.excluded_officer],
    )
    with pytest.raises(ValidationError) as error:
        meeting_cases_set(
            actor=people.ct_supervisor,
            meeting=meeting,
            cases=[other_case, excluded_case],
            expected_version=meeting.version,
        )
    assert list(error.value.message_dict) == ["cases"]
    assert "exclu" not in error.value.message_dict["cases"][0].lower()
    assert list(meeting.cases.all()) == [other_case]


def test_someone_excluded_from_any_of_the_meetings_cases_cannot_own_its_action(
    meeting_world: MeetingWorld,
) -> None:
    people = meeting_world.world.personas
    excluded_case = meeting_world.world.case
    other_case = second_case(meeting_world, people.excluded_officer)
    meeting = meeting_create(
        actor=people.ct_supervisor,
        type=MeetingType.PROFESSIONALS,
        starts_at=timezone.now() - dt.timedelta(hours=1),
        chair=people.ct_supervisor,
        cases=[other_case, excluded_case],
    )
    due = timezone.localdate() + dt.timedelta(days=5)
    with pytest.raises(ValidationError) as error:
        action_create(
            actor=people.ct_supervisor,
            case=other_case,
            description="Check the vehicle",
            owner=people.excluded_officer,
            due_date=due,
            meeting=meeting,
        )
    assert error.value.message_dict == {"owner": [OWNER_REFUSED]}
    action = action_create(
        actor=people.ct_supervisor,
        case=other_case,
        description="Check the vehicle",
        owner=people.ct_supervisor,
        due_date=due,
        meeting=meeting,
    )
    with pytest.raises(ValidationError) as error:
        action_reassign(
            actor=people.ct_supervisor, action=action, owner=people.excluded_officer, reason="x"
        )
    assert error.value.message_dict == {"owner": [OWNER_REFUSED]}
    assert not AgreedAction.objects.filter(owner=people.excluded_officer).exists()
    assert not Notification.objects.filter(recipient=people.excluded_officer).exists()
