"""The meetings security matrix: every meetings route (namespace ``meetings`` and the API
operations on meetings and actions) x every persona, generated from the URL resolver so a new
route is covered the day it is added.

Oracle: ``jointcase.access`` itself (meeting rule for meeting ids, case rule for actions and
case ids). Denied: 404 like a missing id, none of the protected text, a DENY audit entry,
never a 5xx. Allowed: never a 5xx, never a 404 on GET. Empty and hostile POSTs change nothing.

Row "acts on someone else's object by reassignment": for every action write route, whoever
sees the action but may not steer it (``action_due_change_refusal``) first tries to reassign
it to themselves, then acts as its owner would (complete, cancel, move the due date,
reassign); both are refused (403, DENY entries) and nothing changes.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from jointcase.access.meetings import (
    action_due_change_refusal,
    meeting_change_refusal,
    meeting_decision,
)
from jointcase.access.policy import case_decision
from jointcase.accounts.models import User
from jointcase.accounts.tokens import api_token_create
from jointcase.audit.models import AuditEntry, Outcome
from jointcase.meetings.models import AgreedAction, Meeting
from jointcase.meetings.selectors import is_agency_manager
from jointcase.meetings.services.actions import action_create
from jointcase.meetings.services.invitations import invitation_add
from tests.conftest import Personas
from tests.meetings.conftest import MeetingWorld, keyring, meeting_world, team_world  # noqa: F401
from tests.register_fixtures import CaseWorld
from tests.security.routes import Route, api_route_names, route_inventory

pytestmark = [pytest.mark.django_db, pytest.mark.feature_matrix]


def _meetings_api_names() -> set[str]:
    """The URL names of the meetings router's operations (``/cases/{id}/plan`` included,
    whatever its path says)."""
    from jointcase.meetings.api import router

    return api_route_names(router)


ROUTES = [
    route
    for route in route_inventory()
    if route.namespace == "meetings" or route.name in _meetings_api_names()
]
ACTION_TEXT = "Matrix action: check the associate's vehicle"
PROTECTED = [ACTION_TEXT, "Covert source reports", "Surveillance deployment"]


def test_the_matrix_covers_every_meetings_route() -> None:
    names = {route.name for route in ROUTES}
    assert {
        "meetings:my-actions",
        "meetings:meeting",
        "meetings:action",
        "meetings:case-action-new",
        "meetings:meeting-edit",
        "meetings:invitation-remove",
        "meetings:action-due",
        "meetings:decision-add",
        "api:section_add",
        "api:decision_add",
        "api:risk_plan",
    } <= names
    assert sum(route.is_api for route in ROUTES) >= 6


def _allowed(route: Route, user: User, mw: MeetingWorld, action: AgreedAction) -> bool:
    names = {name for _kind, name in route.parameters}
    if "action_id" in names:
        return case_decision(user, action.case_id).allowed
    if "meeting_id" in names:
        return meeting_decision(user, mw.meeting).allowed
    if "case_id" in names:
        return case_decision(user, mw.world.case).allowed
    if route.name == "meetings:agency-actions":
        return is_agency_manager(user)
    return True


#: Pages that change a meeting or move a due date: who may see the object but not do this gets
#: a 403 (view versus edit), with a DENY audit entry.
MEETING_EDIT_PAGES = {
    "meetings:meeting-edit",
    "meetings:invitation-remove",
    "meetings:invite",
    "meetings:section-add",
    "meetings:decision-add",
}


#: Pages that move an action's due date, give it to someone else or complete it (one rule).
ACTION_STEERING_PAGES = {
    "meetings:action-due",
    "meetings:action-reassign",
    "meetings:action-complete",
}


def _may_not_edit(route: Route, user: User, mw: MeetingWorld, action: AgreedAction) -> bool:
    if route.name in MEETING_EDIT_PAGES:
        return meeting_change_refusal(user, mw.meeting) is not None
    if route.name in ACTION_STEERING_PAGES:
        return action_due_change_refusal(user, action) is not None
    return False


def _deny_count(user: User) -> int:
    return AuditEntry.objects.filter(actor_id=user.pk, outcome=Outcome.DENY).count()


@pytest.mark.parametrize("route", ROUTES, ids=[f"{r.name}:{r.template}" for r in ROUTES])
def test_every_persona_on_every_meetings_route(
    route: Route,
    meeting_world: MeetingWorld,  # noqa: F811
    client_for: Callable[[User], Client],
) -> None:
    people = meeting_world.world.personas
    action, values = _action_and_ids(meeting_world)
    names = [name for _kind, name in route.parameters]
    url = route.path({name: values[name] for name in names})
    missing = {name: str(uuid.uuid4()) for name in names}
    missing_url = route.path({name: missing[name] for name in names}) if names else None
    refused_edits = 0
    for persona, user in people.all().items():
        client = _client(route, user, client_for)
        allowed = _allowed(route, user, meeting_world, action)
        for method in ("get", "post"):
            before = _deny_count(user)
            if route.is_api and method == "post":
                response = client.post(
                    url,
                    json.dumps({"owner": "partner.liaison", "x": 1}),
                    content_type="application/json",
                )
            else:
                response = getattr(client, method)(url)
            status = response.status_code
            where = f"{persona} {method.upper()} {url} -> {status}"
            assert status < 500, where
            if status == 405:
                continue
            body = response.content.decode("utf-8", errors="replace")
            if route.is_api and method == "post":
                # the hostile body (unknown field) is refused before anything is looked up
                assert status in (400, 404), where
                assert not any(text in body for text in PROTECTED), where
                continue
            if not allowed:
                assert status == 404, where
                for text in PROTECTED:
                    assert text not in body, where
                if names:
                    assert _deny_count(user) > before, f"{where}: no DENY audit entry"
                    if method == "get" and missing_url:
                        assert client.get(missing_url).status_code == 404, where
            elif method == "get":
                assert status != 404, where
                if _may_not_edit(route, user, meeting_world, action):
                    assert status == 403, where
                    assert _deny_count(user) > before, f"{where}: no DENY audit entry"
                    refused_edits += 1
            if "Covert source reports" in body:
                assert user.pk in _secret_section_readers(people), where
    if route.name in MEETING_EDIT_PAGES or route.name in ACTION_STEERING_PAGES:
        assert refused_edits, "no persona could see but not change: the check never ran"
    fresh = AgreedAction.objects.get(pk=action.pk)
    assert (fresh.status, fresh.owner_id, fresh.version) == (
        action.status,
        action.owner_id,
        action.version,
    )
    assert Meeting.objects.count() == 1


def _action_and_ids(mw: MeetingWorld) -> tuple[AgreedAction, dict[str, str]]:
    """An action agreed at the meeting, an invitee from outside the case teams (may read the
    meeting, may not change it), and the public ids the routes take."""
    people = mw.world.personas
    action = action_create(
        actor=people.ct_supervisor,
        case=mw.world.case,
        description=ACTION_TEXT,
        owner=people.nsd_practitioner,
        due_date=timezone.localdate() + dt.timedelta(days=3),
        meeting=mw.meeting,
    )
    invitation_add(actor=people.ct_supervisor, meeting=mw.meeting, user=people.prison_ct_lead)
    invitation = mw.meeting.invitations.order_by("pk").first()
    assert invitation is not None
    return action, {
        "meeting_id": str(mw.meeting.public_id),
        "action_id": str(action.public_id),
        "case_id": str(mw.world.case.public_id),
        "invitation_id": str(invitation.public_id),
    }


def _client(route: Route, user: User, client_for: Callable[[User], Client]) -> Client:
    """A bearer-token client for an API route, a signed-in browser client for a page."""
    if route.is_api:
        _token, plaintext = api_token_create(actor=None, user=user, name="matrix", days=1)
        return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    return client_for(user)


def _secret_section_readers(people: Personas) -> set[int]:
    """Who may read the SECRET police section: the cleared members of the case team."""
    return {
        people.nsd_practitioner.pk,
        people.ctnm_officer.pk,
        people.ct_supervisor.pk,
        people.nsd_lead.pk,
    }


# --- Acts on someone else's object by reassignment --------------------------------------------

#: Every route that writes to one action (page or API): whatever is not a read of it.
ACTION_WRITE_ROUTES = [
    route
    for route in ROUTES
    if "action_id" in {name for _kind, name in route.parameters}
    and route.name not in {"meetings:action", "api:action_read"}
]


def test_the_reassignment_row_covers_every_action_write_route() -> None:
    names = {route.name for route in ACTION_WRITE_ROUTES}
    assert {
        "meetings:action-complete",
        "meetings:action-reassign",
        "meetings:action-status",
        "meetings:action-due",
        "api:action_complete",
        "api:action_reassign",
        "api:action_status",
        "api:action_due",
    } <= names
    assert all(route.is_api or route.namespace == "meetings" for route in ACTION_WRITE_ROUTES)


def _body(route: Route, action: AgreedAction, user: User) -> dict[str, object]:
    """A valid request for ``route`` as the action's owner would send it."""
    later = action.due_date + dt.timedelta(days=30)
    kind = route.name.split(":", 1)[1].replace("_", "-").removeprefix("action-")
    if route.is_api:
        return {
            "complete": {"evidence": "Done as the owner"},
            "reassign": {"owner": user.username, "reason": "Taking it over"},
            "status": {"status": "CANCELLED", "reason": "No longer needed"},
            "due": {"due_date": later.isoformat(), "reason": "Pushed back"},
        }[kind]
    return {
        "version": action.version,
        **{
            "complete": {"evidence": "Done as the owner"},
            "reassign": {"owner": user.pk, "reason": "Taking it over"},
            "status": {"status": "CANCELLED", "reason": "No longer needed"},
            "due": {
                "due_date-day": later.day,
                "due_date-month": later.month,
                "due_date-year": later.year,
                "reason": "Pushed back",
            },
        }[kind],
    }


def _send(client: Client, route: Route, url: str, body: dict[str, object]) -> int:
    if route.is_api:
        return client.post(url, json.dumps(body), content_type="application/json").status_code
    return client.post(url, body).status_code


@pytest.mark.parametrize(
    "route", ACTION_WRITE_ROUTES, ids=[f"{r.name}:{r.template}" for r in ACTION_WRITE_ROUTES]
)
def test_acting_on_someone_elses_action_by_reassigning_it_to_oneself_is_refused(
    route: Route,
    team_world: CaseWorld,  # noqa: F811
    client_for: Callable[[User], Client],
) -> None:
    """Everyone who sees the action but may not move its due date first reassigns it to
    themselves (through the same channel: page or API), then sends ``route`` as its owner
    would. The reassignment is a 403 with a DENY entry, so the action keeps its owner and
    the owner-only rule (the due date) still refuses them."""
    people = team_world.personas
    by_route = {r.name: r for r in ROUTES}
    reassign = by_route["api:action_reassign" if route.is_api else "meetings:action-reassign"]
    tried = 0
    for persona, user in people.all().items():
        action = action_create(
            actor=people.ct_supervisor,
            case=team_world.case,
            description=ACTION_TEXT,
            owner=people.ctnm_officer,
            due_date=timezone.localdate() + dt.timedelta(days=5),
            source_kind="ASSESSMENT",
        )
        if not case_decision(user, action.case_id).allowed:
            continue
        if action_due_change_refusal(user, action) is None:
            continue
        tried += 1
        if route.is_api:
            _token, plaintext = api_token_create(actor=None, user=user, name="matrix", days=1)
            client = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
        else:
            client = client_for(user)
        values = {"action_id": str(action.public_id)}
        before = _deny_count(user)
        status = _send(client, reassign, reassign.path(values), _body(reassign, action, user))
        where = f"{persona} reassigns to themselves via {reassign.name} -> {status}"
        assert status == 403, where
        assert _deny_count(user) > before, f"{where}: no DENY audit entry"
        assert AgreedAction.objects.get(pk=action.pk).owner_id == people.ctnm_officer.pk, where
        status = _send(client, route, route.path(values), _body(route, action, user))
        where = f"{persona} then {route.name} -> {status}"
        assert status < 500, where
        fresh = AgreedAction.objects.get(pk=action.pk)
        assert fresh.owner_id == people.ctnm_officer.pk, where
        assert fresh.due_date == action.due_date, where
        assert (fresh.status, fresh.version) == (action.status, action.version), where
        # complete, cancel (the status body), due, reassign: every one is the owner's rule
        assert status == 403, where
        assert _deny_count(user) > before + 1, f"{where}: no DENY audit entry"
    assert tried, "no persona could see the action but not move it: the row never ran"
