"""The seed step: 24 months of checks; in the demo world the first 12 months near the
inspection's baselines and the last 12 near 100%; every case-team persona has a check due."""

from __future__ import annotations

import datetime as dt

import pytest

from jointcase.accounts.models import User
from jointcase.risk.models import CheckStatus, RequiredCheck
from jointcase.risk.selectors.checks import DueFilters, checks_due_for, compliance_for
from jointcase.seed.world import world_seed

TODAY = dt.date(2026, 3, 10)


@pytest.mark.django_db
def test_the_demo_world_shows_the_improvement_and_gives_every_persona_a_check(
    keyring: object,
) -> None:
    world_seed(scale="demo", seed=1, show_progress=False, today=TODAY)
    checks = RequiredCheck.objects.all()
    assert checks.count() > 300
    assert checks.filter(triggered_on__lt=TODAY - dt.timedelta(days=600)).exists()
    assert checks.filter(status=CheckStatus.OPEN, due_on__lt=TODAY).exists()
    national = User.objects.get(username="national.lead")
    first = compliance_for(
        national,
        start=TODAY - dt.timedelta(days=730),
        end=TODAY - dt.timedelta(days=366),
        group_by=("family",),
        today=TODAY,
    )
    last = compliance_for(
        national,
        start=TODAY - dt.timedelta(days=365),
        end=TODAY,
        group_by=("family",),
        today=TODAY,
    )
    before = {row.key[0]: row.percent or 0 for row in first}
    after = {row.key[0]: row.percent or 0 for row in last}
    assert 30 <= before["DOMESTIC_ABUSE"] <= 68, before
    assert 35 <= before["SAFEGUARDING"] <= 75, before
    assert after["DOMESTIC_ABUSE"] >= 88, after
    assert after["SAFEGUARDING"] >= 88, after
    for username in ("nsd.practitioner", "ctnm.officer", "pom.bpss"):
        user = User.objects.get(username=username)
        assert checks_due_for(user, DueFilters(scope="mine")).exists(), username
    for username in ("nsd.lead", "ct.supervisor"):
        user = User.objects.get(username=username)
        assert checks_due_for(user, DueFilters(scope="team")).exists(), username
