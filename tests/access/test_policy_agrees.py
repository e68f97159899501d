"""One rule, two forms: on generated worlds the single-object decision and the queryset filter
agree for every user and case (and every user and person).

Worlds are small (up to 4 users, 2 teams, 3 cases) but dense in boundaries: memberships and
case-team rows that start or end yesterday, today or tomorrow, grants that start or expire
exactly now, revoked grants, exclusions on top of every relationship, inactive users and
national roles. Each example is built inside a transaction that is rolled back.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings

from jointcase.access.material import case_context_decision
from jointcase.access.policy import (
    ALLOW_CLAUSES,
    case_decision,
    case_filter,
    cases_visible_to,
    person_decision,
    persons_visible_to,
)
from jointcase.agencies.models import Agency, AgencyKind
from jointcase.cases.models import Case
from tests.support.policy_worlds import FIXED_WORLDS, World, world_build, worlds

pytestmark = pytest.mark.django_db


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=False,
)
@given(world=worlds())
def test_the_decision_and_the_filter_agree_for_every_user_and_case(world: World) -> None:
    for reason in _agreement(world)[2]:
        event(f"case decision: {reason}")


def _agreement(world: World) -> tuple[int, int, list[str]]:
    """Assert the two forms agree on ``world``; return the user-case pairs, how many were
    allowed, and the decisions' reasons."""
    agency, _ = Agency.objects.get_or_create(
        code="world-agency", defaults={"name": "World agency", "kind": AgencyKind.POLICE}
    )
    now = timezone.now().replace(microsecond=0)
    today = timezone.localdate(now)
    pairs = allowed = 0
    reasons: list[str] = []
    with transaction.atomic():
        users, cases, persons = world_build(world, agency, today, now)
        for user in users:
            visible_cases = set(cases_visible_to(user, now=now).values_list("pk", flat=True))
            # Asked of each case row in turn, the rule gives the same answer.
            per_case = Case.objects.filter(case_filter(user, now=now, per_case=True))
            assert set(per_case.values_list("pk", flat=True)) == visible_cases
            # Narrowed to one allow clause (``via``), both forms give the same subset, and
            # the subsets together are the whole: a query may ask a likely clause first and
            # the whole rule of the rest only.
            together: set[int] = set()
            for clause in ALLOW_CLAUSES:
                narrowed = set(
                    Case.objects.filter(
                        case_filter(user, now=now, via=(clause.reason,))
                    ).values_list("pk", flat=True)
                )
                narrowed_per_case = set(
                    Case.objects.filter(
                        case_filter(user, now=now, via=(clause.reason,), per_case=True)
                    ).values_list("pk", flat=True)
                )
                assert narrowed == narrowed_per_case, (clause.reason, world)
                assert narrowed <= visible_cases, (clause.reason, world)
                together |= narrowed
            assert together == visible_cases, world
            for case in cases:
                decision = case_decision(user, case, now=now)
                assert decision.allowed == (case.pk in visible_cases), (decision, world)
                # The same decision when the page also wants the case's label context.
                assert case_context_decision(user, case.pk, now=now)[0] == decision, world
                pairs += 1
                allowed += decision.allowed
                reasons.append(decision.reason)
            visible_persons = set(persons_visible_to(user, now=now).values_list("pk", flat=True))
            for person in persons:
                decision = person_decision(user, person, now=now)
                assert decision.allowed == (person.pk in visible_persons), (decision, world)
        transaction.set_rollback(True)
    return pairs, allowed, reasons


@pytest.mark.parametrize(
    "world", FIXED_WORLDS, ids=["through-a-team", "direct-grant-excluded", "managers"]
)
def test_the_decision_and_the_filter_agree_on_fixed_worlds_with_both_outcomes(
    world: World,
) -> None:
    """Runs unconditionally: the agreement is checked on worlds where some pairs are allowed
    and some refused, not only on whatever the generator happened to draw."""
    pairs, allowed, _ = _agreement(world)
    assert pairs == len(world.users) * len(world.cases)
    assert 0 < allowed < pairs
