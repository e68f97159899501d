"""Reassigning an action needs the same authority as moving its due date (the owner, their
manager, the case's lead practitioner or seniors): otherwise anyone on the case could take the
action, move the date as its owner and hand it back. 403 with a DENY entry, page and API."""

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
from jointcase.meetings.models import ActionEventKind, AgreedAction
from jointcase.meetings.services.actions import action_create, action_reassign
from jointcase.notifications.models import Notification
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


def _unchanged(action: AgreedAction) -> None:
    fresh = AgreedAction.objects.get(pk=action.pk)
    assert (fresh.owner_id, fresh.due_date, fresh.version) == (
        action.owner_id,
        action.due_date,
        action.version,
    )
    assert not fresh.events.filter(kind=ActionEventKind.REASSIGNED).exists()


def test_who_may_reassign_an_action_is_exactly_who_may_move_its_due_date(
    team_world: CaseWorld,
) -> None:
    people = team_world.personas
    action = _officers_action(team_world)
    for name, user in people.all().items():
        may_move = action_due_change_refusal(user, action) is None
        try:
            action_reassign(actor=user, action=action, owner=people.pom, reason="Taking it over")
        except PermissionDenied:
            reassigned = False
        else:
            reassigned = True
            action_reassign(
                actor=people.ct_supervisor,
                action=AgreedAction.objects.get(pk=action.pk),
                owner=people.ctnm_officer,
                reason="Back to the officer",
            )
        assert reassigned == may_move, name
    assert action_due_change_refusal(people.pom, action) is not None


def test_the_pom_may_not_reassign_the_officers_action_to_themselves_on_the_page(
    team_world: CaseWorld, client_for: ClientFor
) -> None:
    people = team_world.personas
    action = _officers_action(team_world)
    client = client_for(people.pom)
    page = client.get(f"/meetings/actions/{action.public_id}/").content.decode()
    assert f"/meetings/actions/{action.public_id}/reassign/" not in page
    url = f"/meetings/actions/{action.public_id}/reassign/"
    for response in (
        client.get(url),
        client.post(
            url, {"version": action.version, "owner": people.pom.pk, "reason": "Taking it over"}
        ),
    ):
        assert response.status_code == 403
    assert (
        AuditEntry.objects.filter(
            action="action.reassign", actor_id=people.pom.pk, outcome=Outcome.DENY
        ).count()
        == 2
    )
    _unchanged(action)
    assert not Notification.objects.filter(recipient=people.pom).exists()


def test_the_pom_may_not_reassign_the_officers_action_to_themselves_in_the_api(
    team_world: CaseWorld,
) -> None:
    people = team_world.personas
    action = _officers_action(team_world)
    _token, plaintext = api_token_create(actor=None, user=people.pom, name="test", days=1)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    response = client.post(
        f"/api/v1/actions/{action.public_id}/reassign",
        json.dumps({"owner": "pom.bpss", "reason": "Taking it over"}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert AuditEntry.objects.filter(
        action="action.reassign", actor_id=people.pom.pk, outcome=Outcome.DENY
    ).exists()
    _unchanged(action)
    # nor by way of the due date once the owner (the round trip the rule exists to stop)
    response = client.post(
        f"/api/v1/actions/{action.public_id}/due",
        json.dumps(
            {"due_date": (action.due_date + dt.timedelta(days=30)).isoformat(), "reason": "x"}
        ),
        content_type="application/json",
    )
    assert response.status_code == 403
    _unchanged(action)


def test_the_owners_manager_still_reassigns_on_the_page_and_in_the_api(
    team_world: CaseWorld, client_for: ClientFor
) -> None:
    people = team_world.personas
    action = _officers_action(team_world)
    response = client_for(people.ct_supervisor).post(
        f"/meetings/actions/{action.public_id}/reassign/",
        {"version": action.version, "owner": people.nsd_practitioner.pk, "reason": "Leave"},
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.owner == people.nsd_practitioner
    # the new owner may hand it on in the API
    _token, plaintext = api_token_create(
        actor=None, user=people.nsd_practitioner, name="test", days=1
    )
    response = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}").post(
        f"/api/v1/actions/{action.public_id}/reassign",
        json.dumps({"owner": "ctnm.officer", "reason": "Back from leave"}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert AgreedAction.objects.get(pk=action.pk).owner == people.ctnm_officer
