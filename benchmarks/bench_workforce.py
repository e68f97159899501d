"""Caseloads and capacity: the team caseload page of a manager and the national capacity page.

Targets (issue "Supervision, caseloads and prisons", stress scale, both databases):
- the team caseload page of the demo's NSD senior operational lead (each person they manage:
  load against capacity, cases, overdue contacts): p95 at most 50 ms;
- the capacity page of the national governance lead (every agency's aggregates, over every
  practitioner's load): p95 at most 100 ms.

Both are timed as whole pages (the test client, signed in with a verified second factor):
middleware, selectors, access rules and templates. The world is the register's (agencies,
users, people and cases), the risk assessments (for the RoSH weights) and the workforce seed
step, at ``JOINTCASE_BENCH_SCALE``; an existing world is reused.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks.common import (
    percentile,
    print_report,
    run_measured,
    seed_context,
    timed_calls,
    timed_page,
    verified_client,
)

TEAM_TARGET_MS = 50.0
CAPACITY_TARGET_MS = 100.0
REGISTER_STEPS = ("agencies and teams", "users", "people and cases")


def _seed(scale: str) -> float:
    from django.db import transaction

    from jointcase.cases.models import Case
    from jointcase.seed import world
    from jointcase.seed.steps.risk_assessments import seed_assessments
    from jointcase.seed.steps.workforce import seed_workforce

    context = seed_context(scale)
    started = time.perf_counter()
    with transaction.atomic():
        if not Case.objects.exists():
            for label, step in world._steps():
                if label in REGISTER_STEPS:
                    step(context)
            seed_assessments(context)
        seed_workforce(context)
    return time.perf_counter() - started


def _measure(report: Callable[..., Any], scale: str, requests: int) -> None:
    from django.db import connection

    from jointcase.accounts.models import User
    from jointcase.workforce.models import CapacityRecord
    from jointcase.workforce.selectors.caseload import capacity_for, team_caseload_for

    name = f"workforce [{connection.vendor}, {scale}]"
    if not CapacityRecord.objects.exists():
        report(f"{name} seed time", round(_seed(scale), 1), "s")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    lead = User.objects.get(username="nsd.lead")
    report(f"{name} people the NSD senior lead manages", len(team_caseload_for(lead)), "people")
    national_lead = User.objects.get(username="national.lead")
    reads = timed_calls(lambda: team_caseload_for(lead), requests)
    report(f"{name} team caseload read (selector) p95", round(percentile(reads, 95), 1), "ms")
    reads = timed_calls(lambda: capacity_for(national_lead), max(requests // 4, 10))
    report(f"{name} national capacity read (selector) p95", round(percentile(reads, 95), 1), "ms")
    team = timed_page(verified_client(lead), "/workforce/caseload/team/", requests)
    report(f"{name} team caseload page p50", round(percentile(team, 50), 1), "ms")
    report(
        f"{name} team caseload page p95",
        round(percentile(team, 95), 1),
        "ms",
        target=f"<= {TEAM_TARGET_MS:g} ms",
    )
    national = timed_page(
        verified_client(national_lead), "/workforce/capacity/", max(requests // 4, 10)
    )
    report(f"{name} national capacity page p50", round(percentile(national, 50), 1), "ms")
    report(
        f"{name} national capacity page p95",
        round(percentile(national, 95), 1),
        "ms",
        target=f"<= {CAPACITY_TARGET_MS:g} ms",
    )


@contextmanager
def _keyring() -> Iterator[None]:
    """A throwaway keyring for the run (the pages open nothing sealed, but the layout asks)."""
    from django.conf import settings

    from jointcase.keyring import keyring_init

    previous = getattr(settings, "KEYRING_PATH", None)
    try:
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "keyring"
            keyring_init(path)
            settings.KEYRING_PATH = path
            yield
    finally:
        settings.KEYRING_PATH = previous


def run(report: Callable[..., Any]) -> None:
    """Seed a throwaway database (or reuse a kept one), measure, drop it."""
    run_measured(report, _measure, around=_keyring)


if __name__ == "__main__":
    run(print_report)
