"""The caseload and allocation security matrix: every workforce route about caseloads,
capacity and allocation (and the API operation of ``workforce.api.caseload``) x every persona,
generated from the URL resolver so a new route is covered the day it is added.

Oracle: ``jointcase.access.workforce`` itself. A caseload, case or allocation the persona may
not know of: 404 like a missing id and a DENY entry; a page they may know of but not use: 403
with a DENY entry; never a 5xx, never a case reference or a person's name on the aggregate
page. Empty and hostile POSTs change nothing.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

import pytest
from django.test import Client

from jointcase.access.workforce import (
    allocation_queue_refusal,
    allocation_refusal,
    allocation_see_refusal,
    capacity_refusal,
    capacity_set_refusal,
    caseload_refusal,
    team_caseload_refusal,
)
from jointcase.accounts.models import User
from jointcase.accounts.tokens import api_token_create
from jointcase.audit.models import AuditEntry, Outcome
from jointcase.cases import services as case_services
from jointcase.cases.models import CaseTeamMember
from jointcase.workforce.models import Allocation, CapacityRecord, HandoverAction
from jointcase.workforce.services.allocation import allocation_make
from tests.security.routes import Route, route_inventory
from tests.workforce.caseload_fixtures import (  # noqa: F401 - fixture
    CaseloadWorld,
    caseload_world,
    waiting_case_open,
)

pytestmark = [pytest.mark.django_db, pytest.mark.feature_matrix]

NAMES = {
    "workforce:caseload",
    "workforce:caseload-team",
    "workforce:caseload-person",
    "workforce:capacity-edit",
    "workforce:capacity",
    "workforce:allocation-queue",
    "workforce:allocation-case",
    "workforce:allocation",
    "workforce:handover-tick",
    "api:workforce_caseload",
}
ROUTES = [route for route in route_inventory() if route.name in NAMES]


def test_the_matrix_covers_every_caseload_route() -> None:
    assert {route.name for route in ROUTES} == NAMES


def _deny_count(user: User) -> int:
    return AuditEntry.objects.filter(actor_id=user.pk, outcome=Outcome.DENY).count()


def _client(route: Route, user: User, client_for: Callable[[User], Client]) -> Client:
    if route.is_api:
        _token, plaintext = api_token_create(actor=None, user=user, name="matrix", days=1)
        return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    return client_for(user)


def _expected_get(route: Route, user: User, world: CaseloadWorld, allocation: Allocation) -> int:
    """What a GET answers ``user`` on ``route`` (the rule's own answer)."""
    refusal = {
        "workforce:caseload": None,
        "api:workforce_caseload": None,
        "workforce:caseload-team": team_caseload_refusal(user),
        "workforce:caseload-person": caseload_refusal(user, world.practitioner),
        "workforce:capacity-edit": caseload_refusal(user, world.practitioner)
        or capacity_set_refusal(user, world.practitioner),
        "workforce:capacity": capacity_refusal(user),
        "workforce:allocation-queue": allocation_queue_refusal(user),
        "workforce:allocation-case": allocation_refusal(user, world.waiting),
        "workforce:allocation": allocation_see_refusal(user, allocation),
        "workforce:handover-tick": None,
    }[route.name]
    if route.name == "workforce:handover-tick":
        return 405
    if refusal is None:
        return 200
    return 404 if refusal.hidden else 403


@pytest.fixture
def matrix_world(
    caseload_world: CaseloadWorld,  # noqa: F811
) -> tuple[CaseloadWorld, Allocation]:
    """``caseload_world`` plus a case reallocated to ``nsd.second`` (with its handover)."""
    world = caseload_world
    moved = waiting_case_open(world.lead, "JC-900011", family_name="Thorne")
    case_services.team_member_add(
        actor=world.lead, case=moved, role="LEAD_NSD_PRACTITIONER", user=world.bpss
    )
    member = CaseTeamMember.objects.get(case=moved, user=world.bpss)
    CaseTeamMember.objects.filter(pk=member.pk).update(start=member.start.replace(year=2020))
    case_services.team_member_remove(
        actor=world.bpss, member=CaseTeamMember.objects.get(pk=member.pk)
    )
    allocation = allocation_make(actor=world.lead, case=moved, candidate_id=world.second.pk)
    assert allocation.handover_actions.count() == 4
    return world, allocation


@pytest.mark.parametrize("route", ROUTES, ids=[f"{r.name}:{r.template}" for r in ROUTES])
def test_every_persona_on_every_caseload_route(
    route: Route,
    matrix_world: tuple[CaseloadWorld, Allocation],
    client_for: Callable[[User], Client],
) -> None:
    world, allocation = matrix_world
    action = HandoverAction.objects.filter(allocation=allocation).first()
    assert action is not None
    values = {
        "user_id": str(world.practitioner.pk),
        "case_id": str(world.waiting.public_id),
        "allocation_id": str(allocation.public_id),
        "action_id": str(action.pk),
    }
    names = [name for _kind, name in route.parameters]
    url = route.path({name: values[name] for name in names})
    missing = {
        "user_id": "987654",
        "case_id": str(uuid.uuid4()),
        "allocation_id": str(uuid.uuid4()),
        "action_id": "987654",
    }
    missing_url = route.path({name: missing[name] for name in names}) if names else None
    before_allocations = Allocation.objects.count()
    before_records = CapacityRecord.objects.count()
    for persona, user in world.world.personas.all().items():
        client = _client(route, user, client_for)
        expected = _expected_get(route, user, world, allocation)
        before = _deny_count(user)
        response = client.get(url)
        where = f"{persona} GET {url} -> {response.status_code}"
        assert response.status_code == expected, where
        if expected in (403, 404):
            assert _deny_count(user) > before, f"{where}: no DENY audit entry"
        if response.status_code == 200 and route.name == "workforce:capacity":
            # The main content only: the identity bar names the viewer, who may share a surname.
            body = response.content.decode().partition('id="main-content"')[2]
            assert body, where
            for text in ("JC-900001", "JC-900010", "Holloway", world.practitioner.last_name):
                assert text not in body, where
        if missing_url and expected != 405:
            again = client.get(missing_url)
            assert again.status_code in (403, 404), f"{persona} GET {missing_url}"
        if route.is_api:
            hostile = client.post(url, json.dumps({"user": 1}), content_type="application/json")
        else:
            hostile = client.post(url, {"candidate": str(user.pk), "hours_percent": "1"})
        assert hostile.status_code < 500, f"{persona} POST {url} -> {hostile.status_code}"
        assert hostile.status_code in (302, 400, 403, 404, 405), f"{persona} POST {url}"
    assert Allocation.objects.count() == before_allocations
    assert CapacityRecord.objects.count() == before_records
    assert not CaseTeamMember.objects.filter(case=world.waiting).exists()
