"""Required checks: the checks of one event, the nightly evaluation, the compliance figures.

Targets (issue "Performance", stress scale: 100,000 cases, both databases):
- the checks for one event (a change of circumstance raising its checks, with their timeline
  and audit entries): p95 at most 20 ms, timed inside the event's transaction (the checks are
  written in the transaction of the event, which commits anyway); the same work as a
  transaction of its own, commit included, is reported beside it;
- the nightly evaluation of every rule for every open case: at most 60 s (the first run on
  the seeded world, then a second run, which must raise nothing);
- compliance over 24 months by team and month (a national lead: every check): p95 at most
  300 ms.

The world is the register's (agencies, users, people and cases) plus this app's seed step
(24 months of checks), at ``JOINTCASE_BENCH_SCALE``; an existing world is reused.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable
from typing import Any

from benchmarks.common import keepdb_file, percentile, seed_context, setup_django

EVENT_TARGET_MS = 20.0
NIGHTLY_TARGET_S = 60.0
COMPLIANCE_TARGET_MS = 300.0
REGISTER_STEPS = ("agencies and teams", "users", "people and cases")
PERSONAS = ("nsd.practitioner", "ctnm.officer", "pom.bpss", "ct.supervisor", "nsd.lead")


def _seed(scale: str) -> float:
    from django.db import transaction

    from jointcase.accounts.models import User
    from jointcase.cases.models import Case
    from jointcase.seed import world
    from jointcase.seed.steps.risk_checks import seed_checks

    context = seed_context(scale)
    started = time.perf_counter()
    with transaction.atomic():
        if not Case.objects.exists():
            for label, step in world._steps():
                if label in REGISTER_STEPS:
                    step(context)
        context.registry["personas"] = {
            u.username: u for u in User.objects.filter(username__in=PERSONAS)
        }
        seed_checks(context)
    return time.perf_counter() - started


def _measure(report: Callable[..., Any], scale: str, requests: int) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from jointcase.accounts.models import User
    from jointcase.cases.models import Case, Phase
    from jointcase.risk.models import ChangeKind, RequiredCheck, TriggerKind
    from jointcase.risk.selectors.checks import compliance_for
    from jointcase.risk.services.checks import Occurrence, checks_raise
    from jointcase.risk.services.checks_nightly import checks_evaluate

    db = connection.vendor
    name = f"checks [{db}, {scale}]"
    if not RequiredCheck.objects.exists():
        report(f"{name} seed time", round(_seed(scale), 1), "s")
        with connection.cursor() as cursor:
            # As autovacuum would after a bulk load: statistics, and the visibility map that
            # lets PostgreSQL answer the compliance figures from the index alone.
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    report(f"{name} seeded checks", RequiredCheck.objects.count(), "checks")
    report(f"{name} open cases", Case.objects.exclude(phase=Phase.CLOSED).count(), "cases")

    cases = list(Case.objects.exclude(phase=Phase.CLOSED).order_by("pk")[: max(requests, 10)])
    today = timezone.localdate()
    inside, with_commit = [], []
    for i in range(requests):
        case = cases[i % len(cases)]
        event = Occurrence(
            kind=TriggerKind.CHANGE_OF_CIRCUMSTANCE,
            key=f"bench:{time.time_ns()}:{i}",
            on=today,
            change_kind=ChangeKind.NEW_RELATIONSHIP,
        )
        started = time.perf_counter()
        with transaction.atomic():
            begun = time.perf_counter()
            raised = checks_raise(case=case, event=event)
            inside.append((time.perf_counter() - begun) * 1000)
        with_commit.append((time.perf_counter() - started) * 1000)
        assert raised, "a new relationship raises checks"
    report(f"{name} checks for one event p50", round(percentile(inside, 50), 1), "ms")
    report(
        f"{name} checks for one event p95 (in the event's transaction)",
        round(percentile(inside, 95), 1),
        "ms",
        target=f"<= {EVENT_TARGET_MS:g} ms",
    )
    report(
        f"{name} checks for one event p95 (as a transaction of their own, with its commit)",
        round(percentile(with_commit, 95), 1),
        "ms",
    )

    started = time.perf_counter()
    raised = checks_evaluate(today=today)
    first = time.perf_counter() - started
    report(f"{name} nightly evaluation raised", raised, "checks")
    report(
        f"{name} nightly evaluation, every rule, every open case",
        round(first, 1),
        "s",
        target=f"<= {NIGHTLY_TARGET_S:g} s",
    )
    started = time.perf_counter()
    again = checks_evaluate(today=today)
    report(
        f"{name} nightly evaluation run again (raises {again})",
        round(time.perf_counter() - started, 1),
        "s",
        target=f"<= {NIGHTLY_TARGET_S:g} s",
    )
    assert again == 0, "the nightly run is idempotent"

    national = User.objects.get(username="national.lead")
    start = today - dt.timedelta(days=730)

    def figures() -> Any:
        return compliance_for(national, start=start, end=today, group_by=("team", "month"))

    rows = figures()
    report(f"{name} compliance rows (team x month)", len(rows), "rows")
    samples = []
    for _ in range(max(requests // 4, 10)):
        started = time.perf_counter()
        figures()
        samples.append((time.perf_counter() - started) * 1000)
    report(
        f"{name} compliance, 24 months by team and month p95",
        round(percentile(samples, 95), 1),
        "ms",
        target=f"<= {COMPLIANCE_TARGET_MS:g} ms",
    )


def run(report: Callable[..., Any]) -> None:
    """Seed a throwaway database (or reuse a kept one), measure, drop it."""
    setup_django()
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases

    scale = os.environ.get("JOINTCASE_BENCH_SCALE", "demo")
    requests = int(os.environ.get("JOINTCASE_BENCH_REQUESTS", "200"))
    keep = os.environ.get("JOINTCASE_BENCH_KEEPDB", "") == "1"
    setup_test_environment()
    keepdb_file()
    old_config = setup_databases(
        verbosity=0, interactive=False, keepdb=keep, aliases={"default"}, serialized_aliases=set()
    )
    try:
        _measure(report, scale, requests)
    finally:
        teardown_databases(old_config, verbosity=0, keepdb=keep)


if __name__ == "__main__":

    def _print(
        benchmark: str, value: Any, unit: str, target: str = "", baseline: Any = None
    ) -> None:
        print(f"{benchmark}: {value} {unit} {target}")

    run(_print)
