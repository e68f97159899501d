"""Moving an action's due date: the owner, their manager or the case's lead and seniors, with a
reason, never into the past; in the history, the audit chain, on the page and in the API."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from jointcase.access.meetings import action_due_change_refusal
from jointcase.accounts.models import User
from jointcase.accounts.tokens import api_token_create
from jointcase.audit.models import AuditEntry, Outcome
from jointcase.meetings.escalation import escalate
from jointcase.meetings.models import ActionEvent, ActionEventKind, AgreedAction
from jointcase.meetings.services.actions import action_change_due, action_complete, action_create
from jointcase.notifications.models import Notification
from tests.register_fixtures import CaseWorld

pytestmark = pytest.mark.django_db
ClientFor = Callable[[User], Client]


def _action(world: CaseWorld, owner: User | None = None) -> AgreedAction:
    people = world.personas
    return action_create(
        actor=people.ct_supervisor,
        case=world.case,
        description="Check the associate's vehicle",
        owner=owner or people.nsd_practitioner,
        due_date=timezone.localdate() + dt.timedelta(days=5),
        source_kind="ASSESSMENT",
    )


def _date_fields(day: dt.date) -> dict[str, object]:
    return {"due_date-day": day.day, "due_date-month": day.month, "due_date-year": day.year}


def test_the_owner_moves_the_due_date_with_a_reason_on_the_page(
    team_world: CaseWorld, client_for: ClientFor
) -> None:
    action = _action(team_world)
    client = client_for(team_world.personas.nsd_practitioner)
    page = client.get(f"/meetings/actions/{action.public_id}/").content.decode()
    assert f"/meetings/actions/{action.public_id}/due/" in page
    url = f"/meetings/actions/{action.public_id}/due/"
    form = client.get(url)
    assert form.status_code == 200
    assert "Change the due date" in form.content.decode()
    new_due = action.due_date + dt.timedelta(days=14)
    response = client.post(
        url, {"version": action.version, **_date_fields(new_due), "reason": "Visit rescheduled"}
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.due_date == new_due
    event = action.events.get(kind=ActionEventKind.DUE_CHANGED)
    assert (event.from_value, event.to_value, event.reason) == (
        (new_due - dt.timedelta(days=14)).isoformat(),
        new_due.isoformat(),
        "Visit rescheduled",
    )
    entry = AuditEntry.objects.get(action="action.due", outcome=Outcome.SUCCESS)
    assert entry.details["reason"] == "Visit rescheduled"
    history = client.get(f"/meetings/actions/{action.public_id}/").content.decode()
    assert "Due date changed" in history
    assert "Reason: Visit rescheduled" in history


def test_a_past_date_or_no_reason_is_refused_with_a_clear_message_and_nothing_changes(
    team_world: CaseWorld, client_for: ClientFor
) -> None:
    action = _action(team_world)
    client = client_for(team_world.personas.nsd_lead)  # the practitioner's line manager
    url = f"/meetings/actions/{action.public_id}/due/"
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = client.post(
        url, {"version": action.version, **_date_fields(yesterday), "reason": "Slipped"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body
    assert "The new due date must be today or in the future" in body
    response = client.post(
        url,
        {"version": action.version, **_date_fields(action.due_date + dt.timedelta(days=1))},
    )
    assert response.status_code == 400
    assert "Enter why the due date is changing" in response.content.decode()
    response = client.post(url, {"version": action.version, "reason": "No date"})
    assert response.status_code == 400
    assert "Enter the new due date" in response.content.decode()
    fresh = AgreedAction.objects.get(pk=action.pk)
    assert (fresh.due_date, fresh.version) == (action.due_date, action.version)
    assert not ActionEvent.objects.filter(kind=ActionEventKind.DUE_CHANGED).exists()


def test_someone_on_the_case_who_is_not_owner_manager_or_lead_gets_403_and_a_deny_entry(
    team_world: CaseWorld, client_for: ClientFor
) -> None:
    action = _action(team_world)
    people = team_world.personas
    client = client_for(people.pom)  # on the case team, but neither owner nor manager
    assert f"/meetings/actions/{action.public_id}/due/" not in (
        client.get(f"/meetings/actions/{action.public_id}/").content.decode()
    )
    later = action.due_date + dt.timedelta(days=30)
    for response in (
        client.get(f"/meetings/actions/{action.public_id}/due/"),
        client.post(
            f"/meetings/actions/{action.public_id}/due/",
            {"version": action.version, **_date_fields(later), "reason": "Push it back"},
        ),
    ):
        assert response.status_code == 403
    assert AuditEntry.objects.filter(
        action="action.due", actor_id=people.pom.pk, outcome=Outcome.DENY
    ).exists()
    assert AgreedAction.objects.get(pk=action.pk).due_date == action.due_date
    with pytest.raises(PermissionDenied):
        action_change_due(actor=people.pom, action=action, due_date=later, reason="x")
    # not on the case at all: the action does not exist for them
    assert (
        client_for(people.officer_not_on_case)
        .get(f"/meetings/actions/{action.public_id}/due/")
        .status_code
        == 404
    )


def test_who_may_move_the_due_date(team_world: CaseWorld) -> None:
    people = team_world.personas
    action = _action(team_world, owner=people.ctnm_officer)
    allowed = {
        name
        for name, user in people.all().items()
        if action_due_change_refusal(user, action) is None
    }
    # the owner, his line manager (the CT supervisor, also on the case), the lead NSD
    # practitioner and the senior operational lead on the case
    assert allowed == {"ctnm_officer", "ct_supervisor", "nsd_practitioner", "nsd_lead"}


def test_a_moved_due_date_tells_the_owner_and_restarts_the_escalation(
    team_world: CaseWorld,
) -> None:
    people = team_world.personas
    due = dt.date(2031, 3, 3)  # a Monday
    action = action_create(
        actor=people.ct_supervisor,
        case=team_world.case,
        description="Secret detail",
        owner=people.nsd_practitioner,
        due_date=due,
        source_kind="ASSESSMENT",
        today=due - dt.timedelta(days=10),
    )
    assert escalate(today=dt.date(2031, 3, 5)) == 1  # the manager is told
    assert escalate(today=dt.date(2031, 3, 6)) == 0
    Notification.objects.all().delete()
    action_change_due(
        actor=people.nsd_lead,
        action=action,
        due_date=dt.date(2031, 3, 10),  # the next Monday
        reason="Awaiting the police check",
    )
    notice = Notification.objects.get(recipient=people.nsd_practitioner)
    assert notice.text == "The due date of an agreed action you own has changed"
    assert "Secret" not in notice.text
    assert notice.link == f"/meetings/actions/{action.public_id}/"
    assert escalate(today=dt.date(2031, 3, 11)) == 0  # one working day late: not yet
    assert escalate(today=dt.date(2031, 3, 12)) == 1  # two: the manager again, for the new date
    assert Notification.objects.filter(recipient=people.nsd_lead).count() == 1


def test_a_closed_action_keeps_its_date(team_world: CaseWorld) -> None:
    action = _action(team_world)
    people = team_world.personas
    action_complete(actor=people.nsd_practitioner, action=action, evidence="Done")
    action.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        action_change_due(
            actor=people.nsd_practitioner,
            action=action,
            due_date=action.due_date + dt.timedelta(days=3),
            reason="Late",
        )
    assert error.value.message_dict["due_date"] == ["This action is closed"]


def _api(user: User) -> Client:
    _token, plaintext = api_token_create(actor=None, user=user, name="test", days=1)
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")


def test_the_due_date_through_the_api(team_world: CaseWorld) -> None:
    action = _action(team_world)
    people = team_world.personas
    url = f"/api/v1/actions/{action.public_id}/due"

    def post(user: User, payload: dict[str, object]) -> tuple[int, dict[str, object]]:
        response = _api(user).post(url, json.dumps(payload), content_type="application/json")
        return response.status_code, response.json()

    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    status, body = post(people.nsd_practitioner, {"due_date": yesterday, "reason": "x"})
    assert status == 400
    assert body["errors"] == [
        {"field": "due_date", "message": "The new due date must be today or in the future"}
    ]
    later = (action.due_date + dt.timedelta(days=7)).isoformat()
    status, body = post(people.pom, {"due_date": later, "reason": "x"})
    assert status == 403
    status, body = post(people.officer_not_on_case, {"due_date": later, "reason": "x"})
    assert status == 404
    status, body = post(people.nsd_practitioner, {"due_date": later, "reason": "", "owner": "x"})
    assert status == 400  # unknown field: refused before anything is looked up
    status, body = post(
        people.nsd_practitioner,
        {"due_date": later, "reason": "Rescheduled", "version": action.version},
    )
    assert (status, body["due_date"], body["version"]) == (200, later, action.version + 1)
