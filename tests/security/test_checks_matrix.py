"""The required-checks security matrix: every risk route about checks (namespace ``risk`` and
the API operations of ``risk.api.checks``) x every persona, generated from the URL resolver so
a new route is covered the day it is added.

Oracle: ``jointcase.access`` itself (the case rule for anything under a case or a check,
``check_complete_refusal`` and ``check_due_move_refusal`` for the forms that act,
``compliance_refusal`` for the figures). Denied: 404 like a missing id, none of the case's
text, a DENY audit entry, never a 5xx. Visible but not theirs to act on: 403 with a DENY
entry. Empty and hostile POSTs change nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from jointcase.access.checks import (
    check_complete_refusal,
    check_due_move_refusal,
    compliance_refusal,
)
from jointcase.access.policy import case_decision
from jointcase.accounts.models import User
from jointcase.accounts.tokens import api_token_create
from jointcase.audit.models import AuditEntry, Outcome
from jointcase.risk.models import ChangeOfCircumstance, CheckStatus, RequiredCheck
from tests.register_fixtures import CaseWorld
from tests.risk.conftest import checks_world  # noqa: F401 - fixture
from tests.security.routes import Route, api_route_names, route_inventory

pytestmark = [pytest.mark.django_db, pytest.mark.feature_matrix]


def _checks_api_names() -> set[str]:
    from jointcase.risk.api.checks import router

    return api_route_names(router)


ROUTES = [
    route
    for route in route_inventory()
    if (route.namespace == "risk" and ("check" in route.name or "change" in route.name))
    or route.name in _checks_api_names()
]
#: What only those who may see the case may read.
PROTECTED = ["JC-900001", "HOLLOWAY", "Holloway"]
ACTING_PAGES = {
    "risk:check-complete": check_complete_refusal,
    "risk:check-due-move": check_due_move_refusal,
}


def test_the_matrix_covers_every_checks_route() -> None:
    names = {route.name for route in ROUTES}
    assert {
        "risk:checks-due",
        "risk:checks-compliance",
        "risk:case-checks",
        "risk:check-complete",
        "risk:check-due-move",
        "risk:change-record",
        "api:case_checks",
        "api:checks_mine",
        "api:check_complete_op",
        "api:compliance_checks",
    } <= names


def _allowed(route: Route, user: User, check: RequiredCheck) -> bool:
    names = {name for _kind, name in route.parameters}
    if names & {"case_id", "check_id"}:
        return case_decision(user, check.case_id).allowed
    return True


def _deny_count(user: User) -> int:
    return AuditEntry.objects.filter(actor_id=user.pk, outcome=Outcome.DENY).count()


def _client(route: Route, user: User, client_for: Callable[[User], Client]) -> Client:
    if route.is_api:
        _token, plaintext = api_token_create(actor=None, user=user, name="matrix", days=1)
        return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    return client_for(user)


def _post(route: Route, client: Client, url: str) -> object:
    if route.is_api:
        # A body the document accepts (so the operation runs and decides) that still changes
        # nothing for anyone: a check asked tomorrow; with fields nobody may set.
        tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
        body = json.dumps(
            {
                "outcome": "NO_TRACE",
                "requested_on": tomorrow,
                "received_on": tomorrow,
                "completed_by": "partner.liaison",
                "status": "COMPLETED",
            }
        )
        return client.post(url, body, content_type="application/json")
    return client.post(url, {})


def _expect_get(
    route: Route, user: User, check: RequiredCheck, status: int, where: str, before: int
) -> None:
    if route.name in ACTING_PAGES:
        refused = ACTING_PAGES[route.name](user, check) is not None
        assert status == (403 if refused else 200), where
        if refused:
            assert _deny_count(user) > before, f"{where}: no DENY audit entry"
    elif route.name in {"risk:checks-compliance"}:
        assert status == (403 if compliance_refusal(user) else 200), where
    else:
        assert status != 404, where


@pytest.mark.parametrize("route", ROUTES, ids=[f"{r.name}:{r.template}" for r in ROUTES])
def test_every_persona_on_every_checks_route(
    route: Route,
    checks_world: CaseWorld,  # noqa: F811
    client_for: Callable[[User], Client],
) -> None:
    people = checks_world.personas
    check = RequiredCheck.objects.get(case=checks_world.case, rule_code="DA_AT_ALLOCATION")
    values = {"case_id": str(checks_world.case.public_id), "check_id": str(check.public_id)}
    names = [name for _kind, name in route.parameters]
    url = route.path({name: values[name] for name in names})
    missing_url = route.path({name: str(uuid.uuid4()) for name in names}) if names else None
    for persona, user in people.all().items():
        client = _client(route, user, client_for)
        allowed = _allowed(route, user, check)
        for method in ("get", "post"):
            before = _deny_count(user)
            response = client.get(url) if method == "get" else _post(route, client, url)
            status = response.status_code  # type: ignore[attr-defined]
            where = f"{persona} {method.upper()} {url} -> {status}"
            assert status < 500, where
            if status == 405:
                continue
            body = response.content.decode("utf-8", errors="replace")  # type: ignore[attr-defined]
            # The header names the reader, whose synthetic surname may be the person's too.
            body = body.replace(user.get_full_name(), "")
            if not allowed:
                assert status == 404, where
                assert not any(text in body for text in PROTECTED), where
                assert _deny_count(user) > before, f"{where}: no DENY audit entry"
                if missing_url:
                    again = client.get(missing_url) if method == "get" else None
                    again = again or _post(route, client, missing_url)
                    assert again.status_code == 404, where  # type: ignore[attr-defined]
            elif method == "get":
                _expect_get(route, user, check, status, where, before)
            else:
                assert status in (200, 302, 400, 403, 404), where
    fresh = RequiredCheck.objects.get(pk=check.pk)
    assert (fresh.status, fresh.due_on, fresh.outcome) == (CheckStatus.OPEN, check.due_on, "")
    assert not ChangeOfCircumstance.objects.exists()
