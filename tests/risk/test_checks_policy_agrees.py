"""One rule, two forms, for required checks: on generated worlds the single-object decisions
(``check_decision``, ``check_responsible_decision``) and the queryset filters
(``check_filter``, ``check_responsible_filter``) agree for every user and check; and "my team"
and the compliance figures never reach beyond what the filter allows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings

from jointcase.access.checks import (
    check_decision,
    check_filter,
    check_responsible_decision,
    check_responsible_filter,
    check_team_filter,
    compliance_filter,
)
from jointcase.agencies.models import Agency, AgencyKind
from jointcase.cases.models import CaseRole
from jointcase.risk.models import RequiredCheck
from tests.support.policy_worlds import FIXED_WORLDS, World, world_build, worlds

pytestmark = pytest.mark.django_db


def _agreement(world: World) -> list[str]:
    agency, _ = Agency.objects.get_or_create(
        code="world-agency", defaults={"name": "World agency", "kind": AgencyKind.POLICE}
    )
    now = timezone.now().replace(microsecond=0)
    today = timezone.localdate(now)
    reasons: list[str] = []
    with transaction.atomic():
        users, cases, _persons = world_build(world, agency, today, now)
        checks = [
            RequiredCheck.objects.create(
                case=case,
                check_type="POLICE_DA_CALLOUT",
                rule_code=f"R{index}",
                rules_version=1,
                trigger="ALLOCATION",
                occurrence="x",
                responsible_role=role,
                phase="CUSTODY",
                triggered_on=today,
                due_on=today + dt.timedelta(days=5),
                original_due_on=today + dt.timedelta(days=5),
            )
            for case in cases
            for index, role in enumerate((CaseRole.CTNM_OFFICER, CaseRole.POM))
        ]
        for user in users:
            visible = set(
                RequiredCheck.objects.filter(check_filter(user, now=now)).values_list(
                    "pk", flat=True
                )
            )
            mine = set(
                RequiredCheck.objects.filter(check_responsible_filter(user, now=now)).values_list(
                    "pk", flat=True
                )
            )
            team = set(
                RequiredCheck.objects.filter(check_team_filter(user, now=now)).values_list(
                    "pk", flat=True
                )
            )
            counted = set(
                RequiredCheck.objects.filter(compliance_filter(user, now=now)).values_list(
                    "pk", flat=True
                )
            )
            assert team <= visible, world
            assert counted <= visible or user.has_role("NATIONAL_GOVERNANCE"), world
            for check in checks:
                decision = check_decision(user, check, now=now)
                assert decision.allowed == (check.pk in visible), (decision, world)
                responsible = check_responsible_decision(user, check, now=now)
                assert responsible.allowed == (check.pk in mine), (responsible, world)
                reasons.append(f"{decision.reason}/{responsible.reason}")
        transaction.set_rollback(True)
    return reasons


@pytest.mark.parametrize("world", FIXED_WORLDS)
def test_fixed_worlds_agree(world: World) -> None:
    reasons = _agreement(world)
    assert any(r.endswith("/responsible") for r in reasons)
    assert any(r.startswith("not_on_case") or r.startswith("excluded") for r in reasons)


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=worlds())
def test_the_check_decisions_and_filters_agree_for_every_user_and_check(world: World) -> None:
    for reason in _agreement(world):
        event(f"check decision: {reason}")
