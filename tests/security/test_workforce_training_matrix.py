"""The prison training security matrix: every prison training route (namespace ``workforce``,
names ``training-*``) and every operation of ``workforce.api.training`` x every persona (the
shared personas plus the training world's regional coordinators and HMP Garth's staff),
generated from the URL resolver so a new route is covered the day it is added.

Oracle: ``jointcase.access.training`` itself. An establishment page the persona may not see is
a 404 like a missing one, with a DENY audit entry; a page they may not use is a 403 with a DENY
entry; named gaps only for the establishment's CT lead; the API lists exactly the records
``completion_filter`` allows. Empty and hostile POSTs store nothing; never a 5xx.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from jointcase.access.training import (
    completion_filter,
    completion_record_refusal,
    establishment_decision,
    is_prison_staff,
    staff_names_decision,
    survey_refusal,
    training_overview_refusal,
)
from jointcase.accounts.models import User
from jointcase.agencies.models import Agency
from jointcase.audit.models import AuditEntry, Outcome
from jointcase.workforce.models import ConfidenceResponse, TrainingCompletion
from jointcase.workforce.services.training import completion_record
from tests.security.routes import Route, api_route_names, route_inventory
from tests.support.api import api_client
from tests.workforce.training_fixtures import TrainingWorld, training_world  # noqa: F401 - fixture

pytestmark = [pytest.mark.django_db, pytest.mark.feature_matrix]


def _api_names() -> set[str]:
    from jointcase.workforce.api.training import router

    return api_route_names(router)


ROUTES = [
    route
    for route in route_inventory()
    if (route.namespace == "workforce" and route.name.startswith("workforce:training"))
    or route.name in _api_names()
]


def test_the_matrix_covers_every_training_route() -> None:
    names = {route.name for route in ROUTES}
    assert {
        "workforce:training-overview",
        "workforce:training-mine",
        "workforce:training-record",
        "workforce:training-establishment",
        "api:training_list",
    } <= names
    # The API's two operations (GET list, POST record) share one path, so one route; the
    # matrix sends both methods to every route.
    assert _api_names() == {"api:training_list", "api:training_record"}
    assert len(ROUTES) == 5


def _deny_count(user: User) -> int:
    return AuditEntry.objects.filter(actor_id=user.pk, outcome=Outcome.DENY).count()


def _everyone(world: TrainingWorld) -> dict[str, User]:
    return {
        **world.case_world.personas.all(),
        "coordinator": world.coordinator,
        "south_coordinator": world.south_coordinator,
        "garth_lead": world.garth_lead,
        "garth_pom": world.garth_pom,
    }


def _expect_page(
    route: Route, user: User, method: str, status: int, body: str, code: str, where: str
) -> bool:
    """Check one page answer; True when a DENY audit entry must have been written."""
    name = route.name
    if name == "workforce:training-establishment":
        target = Agency.objects.filter(code=code).first()
        allowed = target is not None and establishment_decision(user, target).allowed
        if not allowed:
            assert status in (404, 405), where
            assert "training-compliance" not in body, where
            return status == 404
        if method == "GET":
            assert status == 200, where
            names = staff_names_decision(user, target).allowed
            assert ("training-gaps" in body) == names or "Every member of staff" in body, where
        return False
    if name == "workforce:training-overview":
        if method == "POST":
            assert status == 405, where
            return False
        if training_overview_refusal(user) is None:
            assert status == 200, where
        elif is_prison_staff(user):
            assert status == 302, where
        else:
            assert status == 403, where
            return True
        return False
    if name == "workforce:training-record":
        if completion_record_refusal(user) is not None:
            assert status == 403, where
            return True
        assert status == (200 if method == "GET" else 400), where
        return False
    if name == "workforce:training-mine":
        if method == "GET":
            assert status == 200, where
        elif survey_refusal(user) is not None:
            assert status == 403, where
            return True
        else:
            assert status == 400, where
        return False
    raise AssertionError(f"no oracle for {name}")


def _expect_api(route: Route, user: User, method: str, response: object, where: str) -> None:
    status = response.status_code  # type: ignore[attr-defined]
    if method == "GET":
        assert status == 200, where
        seen = {row["id"] for row in response.json()["results"]}  # type: ignore[attr-defined]
        allowed = {
            str(pk)
            for pk in TrainingCompletion.objects.filter(completion_filter(user)).values_list(
                "public_id", flat=True
            )
        }
        assert seen == allowed, where
    elif completion_record_refusal(user) is not None:
        assert status == 403, where
    else:
        assert status == 400, where


@pytest.mark.parametrize("route", ROUTES, ids=[f"{r.name}:{r.template}" for r in ROUTES])
def test_every_persona_on_every_training_route(
    route: Route,
    training_world: TrainingWorld,  # noqa: F811
    client_for: Callable[[User], Client],
) -> None:
    completion_record(
        actor=training_world.frankland_lead,
        staff=training_world.frankland_pom,
        course_code="CT_AWARENESS",
        completed_on=timezone.localdate(),
    )
    completion_record(
        actor=training_world.garth_lead,
        staff=training_world.garth_pom,
        course_code="CT_AWARENESS",
        completed_on=timezone.localdate(),
    )
    before_records = set(TrainingCompletion.objects.values_list("pk", flat=True))
    codes = (
        ["hmp-frankland", "hmp-garth", "hmpps-ct", "no-such-prison"] if route.parameters else [""]
    )
    for persona, user in _everyone(training_world).items():
        for code in codes:
            url = route.path({"code": code}) if route.parameters else route.path({})
            for method in ("get", "post"):
                before = _deny_count(user)
                if route.is_api:
                    client = api_client(user)
                    hostile = {"staff": "pom.bpss", "course": "", "completed_on": "2999-01-01"}
                    response = (
                        client.get(url)
                        if method == "get"
                        else client.post(url, json.dumps(hostile), content_type="application/json")
                    )
                else:
                    client = client_for(user)
                    response = client.get(url) if method == "get" else client.post(url, {})
                status = response.status_code
                where = f"{persona} {method.upper()} {url} -> {status}"
                assert status < 500, where
                if route.is_api:
                    _expect_api(route, user, method.upper(), response, where)
                    continue
                body = response.content.decode("utf-8", errors="replace")
                denied = _expect_page(route, user, method.upper(), status, body, code, where)
                if denied:
                    assert _deny_count(user) > before, f"{where}: no DENY audit entry"
    assert set(TrainingCompletion.objects.values_list("pk", flat=True)) == before_records
    assert not ConfidenceResponse.objects.exists()
