"""Completing or cancelling an action closes it (and ends its reminders and escalation), so it
needs the same authority as moving its due date or reassigning it: the owner, their manager, a
senior of the owner's agency, or the case's lead practitioner, senior operational lead or CT
supervisor. Anyone else on the case gets a 403 with a DENY entry, page and API, and the action
is unchanged; marking it in progress stays open to everyone on the case."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from jointcase.access.meetings import action_due_change_refusal
from jointcase.accounts.models import User
from jointcase.accounts.tokens import api_token_create
from jointcase.audit.models import AuditEntry, Outcome
from jointcase.meetings.models import ActionStatus, AgreedAction
from jointcase.meetings.services.actions import action_complete, action_create, action_update_status
from tests.register_fixtures import CaseWorld

pytestmark = pytest.mark.django_db
ClientFor = Callable[[User], Client]


def _officers_action(world: CaseWorld) -> AgreedAction:
    people = world.personas
    return action_create(
        actor=people.ct_supervisor,
        case=world.case,
        description="Check the associate's vehicle",
        owner=people.ctnm_officer,
        due_date=timezone.localdate() + dt.timedelta(days=5),
        source_kind="ASSESSMENT",
    )


def _api(user: User) -> Client:
    _token, plaintext = api_token_create(actor=None, user=user, name="test", days=1)
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")


def _post(client: Client, url: str, body: dict[str, object]) -> int:
    return client.post(url, json.dumps(body), content_type="application/json").status_code


def _denials(user: User, action: str) -> int:
    return AuditEntry.objects.filter(actor_id=user.pk, action=action, outcome=Outcome.DENY).count()


def _still_open(action: AgreedAction) -> None:
    fresh = AgreedAction.objects.get(pk=action.pk)
    assert (fresh.status, fresh.version, fresh.completed_at) == (ActionStatus.OPEN, 1, None)


def test_who_may_complete_or_cancel_is_exactly_who_may_move_the_due_date(
    team_world: CaseWorld,
) -> None:
    people = team_world.personas
    for name, user in people.all().items():
        for close in ("complete", "cancel"):
            action = _officers_action(team_world)
            may_steer = action_due_change_refusal(user, action) is None
            try:
                if close == "complete":
                    action_complete(actor=user, action=action, evidence="Checked")
                else:
                    action_update_status(
                        actor=user, action=action, status=ActionStatus.CANCELLED, reason="Done"
                    )
            except PermissionDenied:  # may not steer it, or may not see the case at all
                closed = False
            else:
                closed = True
            assert closed == may_steer, f"{name} {close}"
    assert action_due_change_refusal(people.pom, _officers_action(team_world))


def test_the_pom_may_not_complete_or_cancel_the_officers_action_on_the_pages(
    team_world: CaseWorld, client_for: ClientFor
) -> None:
    people = team_world.personas
    action = _officers_action(team_world)
    client = client_for(people.pom)
    page = client.get(f"/meetings/actions/{action.public_id}/").content.decode()
    assert "Complete the action" not in page
    assert client.get(f"/meetings/actions/{action.public_id}/complete/").status_code == 403
    before = _denials(people.pom, "action.complete")
    response = client.post(
        f"/meetings/actions/{action.public_id}/complete/",
        {"version": action.version, "evidence": "Done by someone else"},
    )
    assert response.status_code == 403
    assert _denials(people.pom, "action.complete") == before + 1
    status_form = client.get(f"/meetings/actions/{action.public_id}/status/")
    assert status_form.status_code == 200
    assert 'value="CANCELLED"' not in status_form.content.decode()
    before = _denials(people.pom, "action.status")
    response = client.post(
        f"/meetings/actions/{action.public_id}/status/",
        {"version": action.version, "status": "CANCELLED", "reason": "Not needed"},
    )
    assert response.status_code == 403
    assert _denials(people.pom, "action.status") == before + 1
    _still_open(action)


def test_the_pom_may_not_complete_or_cancel_the_officers_action_in_the_api(
    team_world: CaseWorld,
) -> None:
    people = team_world.personas
    action = _officers_action(team_world)
    api = _api(people.pom)
    url = f"/api/v1/actions/{action.public_id}"
    before = _denials(people.pom, "action.complete")
    assert _post(api, f"{url}/complete", {"evidence": "Done by someone else"}) == 403
    assert _denials(people.pom, "action.complete") == before + 1
    before = _denials(people.pom, "action.status")
    assert _post(api, f"{url}/status", {"status": "CANCELLED", "reason": "Not needed"}) == 403
    assert _denials(people.pom, "action.status") == before + 1
    _still_open(action)


def test_anyone_on_the_case_may_still_mark_the_action_in_progress(
    team_world: CaseWorld, client_for: ClientFor
) -> None:
    people = team_world.personas
    action = _officers_action(team_world)
    response = client_for(people.pom).post(
        f"/meetings/actions/{action.public_id}/status/",
        {"version": action.version, "status": "IN_PROGRESS", "reason": ""},
    )
    assert response.status_code == 302
    assert AgreedAction.objects.get(pk=action.pk).status == ActionStatus.IN_PROGRESS


def test_the_owner_completes_and_the_case_supervisor_cancels(
    team_world: CaseWorld, client_for: ClientFor
) -> None:
    people = team_world.personas
    done = _officers_action(team_world)
    owner = client_for(people.ctnm_officer)
    page = owner.get(f"/meetings/actions/{done.public_id}/").content.decode()
    assert "Complete the action" in page
    status_form = owner.get(f"/meetings/actions/{done.public_id}/status/").content.decode()
    assert 'value="CANCELLED"' in status_form  # offered to who may cancel
    response = owner.post(
        f"/meetings/actions/{done.public_id}/complete/",
        {"version": done.version, "evidence": "Vehicle checked"},
    )
    assert response.status_code == 302
    assert AgreedAction.objects.get(pk=done.pk).status == ActionStatus.DONE
    cancelled = _officers_action(team_world)
    status = _post(
        _api(people.ct_supervisor),
        f"/api/v1/actions/{cancelled.public_id}/status",
        {"status": "CANCELLED", "reason": "Superseded by the new licence condition"},
    )
    assert status == 200
    assert AgreedAction.objects.get(pk=cancelled.pk).status == ActionStatus.CANCELLED
