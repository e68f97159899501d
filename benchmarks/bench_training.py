"""Prison training: the training overview and an establishment's page.

Targets (stress scale: 100,000 cases, both databases), in-process with Django's test client
and a verified session, rendering included:
- the training overview for a national lead (every establishment's compliance): p95 at most
  100 ms;
- an establishment's page for its prison CT lead (per-course compliance, the named gaps, the
  survey by quarter, the POM involvement figure and the not-involved list): p95 at most 100 ms.

The world is the register's (agencies, users, people and cases), its meetings, plus this app's
seed step (training records, 24 months of survey answers, POM contacts), at
``JOINTCASE_BENCH_SCALE``; an existing world is reused.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from benchmarks.common import (
    percentile,
    print_report,
    run_measured,
    seed_context,
    timed_page,
    verified_client,
)

PAGE_TARGET_MS = 100.0
REGISTER_STEPS = ("agencies and teams", "users", "people and cases")
PERSONAS = ("nsd.practitioner", "ctnm.officer", "pom.bpss", "ct.supervisor", "prison.ctlead")


def _seed(scale: str) -> float:
    from django.db import transaction

    from jointcase.accounts.models import User
    from jointcase.cases.models import Case
    from jointcase.seed import world
    from jointcase.seed.steps.training import seed_training

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
        seed_training(context)
    return time.perf_counter() - started


def _measure(report: Callable[..., Any], scale: str, requests: int) -> None:
    from django.db import connection
    from django.urls import reverse
    from django.utils import timezone

    from jointcase.accounts.models import User
    from jointcase.workforce.models import ConfidenceResponse, TrainingCompletion
    from jointcase.workforce.selectors.pom import custody_case_rows
    from jointcase.workforce.selectors.training import establishments_for

    name = f"training [{connection.vendor}, {scale}]"
    if not TrainingCompletion.objects.exists():
        report(f"{name} seed time", round(_seed(scale), 1), "s")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    national = User.objects.get(username="national.lead")
    places = list(establishments_for(national))
    report(f"{name} establishments", len(places), "establishments")
    report(f"{name} training records", TrainingCompletion.objects.count(), "records")
    report(f"{name} survey answers", ConfidenceResponse.objects.count(), "answers")
    custody = custody_case_rows([p.pk for p in places], timezone.localdate())
    report(f"{name} custody cases", len(custody), "cases")

    overview = verified_client(national)
    url = reverse("workforce:training-overview")
    overview.get(url)  # warm
    samples = timed_page(overview, url, requests, warm=0)
    report(f"{name} overview (national lead) p50", round(percentile(samples, 50), 1), "ms")
    report(
        f"{name} overview (national lead) p95",
        round(percentile(samples, 95), 1),
        "ms",
        target=f"<= {PAGE_TARGET_MS:g} ms",
    )

    lead = User.objects.get(username="prison.ctlead")
    assert lead.agency is not None
    page = verified_client(lead)
    url = reverse("workforce:training-establishment", args=[lead.agency.code])
    page.get(url)
    samples = timed_page(page, url, requests, warm=0)
    report(f"{name} establishment page (its CT lead) p50", round(percentile(samples, 50), 1), "ms")
    report(
        f"{name} establishment page (its CT lead) p95",
        round(percentile(samples, 95), 1),
        "ms",
        target=f"<= {PAGE_TARGET_MS:g} ms",
    )


def run(report: Callable[..., Any]) -> None:
    """Seed a throwaway database (or reuse a kept one), measure, drop it."""
    run_measured(report, _measure)


if __name__ == "__main__":
    run(print_report)
