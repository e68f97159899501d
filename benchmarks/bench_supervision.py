"""Supervision contacts: a practitioner's "Contacts due" page and the nightly standards run.

Targets (stress scale: 100,000 cases, both databases):
- "Contacts due" for the practitioner who leads the most cases (their planned contacts coming
  up, those not recorded, their cases below standard), in-process with Django's test client
  and a verified session: p95 at most 50 ms, and the same for their line manager's team view
  of them (``?scope=team&person=<id>``: a manager sees one person at a time); the queries of
  each page are counted;
- the nightly run over every case (storing every case's standing, alerts included, then run
  again: alerts nobody twice) is reported, and the home page of the same client as a reference for the machine's load.

The world is the register's (agencies, users, people and cases) plus this app's seed step
(24 months of contacts, then every case's stored standing), at ``JOINTCASE_BENCH_SCALE``; an
existing world is reused (its standings stored first when it has none: a world kept from
before they were).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from benchmarks.common import (
    page_queries,
    percentile,
    print_report,
    run_measured,
    seed_context,
    timed_page,
    verified_client,
)

PAGE_TARGET_MS = 50.0
REGISTER_STEPS = ("agencies and teams", "users", "people and cases")
PERSONAS = ("nsd.practitioner", "ctnm.officer", "pom.bpss", "ct.supervisor", "nsd.lead")


def _seed(scale: str) -> float:
    from django.db import transaction

    from jointcase.accounts.models import User
    from jointcase.cases.models import Case
    from jointcase.seed import world
    from jointcase.seed.steps.supervision import seed_contacts

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
        seed_contacts(context)
    return time.perf_counter() - started


def _busiest_practitioner() -> tuple[Any, int]:
    from django.db.models import Count, Q
    from django.utils import timezone

    from jointcase.accounts.models import User
    from jointcase.cases.models import CaseRole, CaseTeamMember

    today = timezone.localdate()
    row = (
        CaseTeamMember.objects.filter(
            Q(end__isnull=True) | Q(end__gte=today),
            role=CaseRole.LEAD_NSD_PRACTITIONER,
            user__isnull=False,
            start__lte=today,
        )
        .values("user_id")
        .annotate(n=Count("case_id"))
        .order_by("-n", "user_id")
        .first()
    )
    assert row is not None, "the seeded world has lead practitioners"
    return User.objects.get(pk=row["user_id"]), int(row["n"])


def _measure(report: Callable[..., Any], scale: str, requests: int) -> None:
    from django.db import connection
    from django.urls import reverse
    from django.utils import timezone

    from jointcase.cases.models import Case, Phase
    from jointcase.supervision.models import CaseStanding, Contact
    from jointcase.supervision.selectors.contacts import contacts_due_for
    from jointcase.supervision.services.nightly import contacts_nightly
    from jointcase.supervision.standing_store import standings_store_all

    db = connection.vendor
    name = f"contacts [{db}, {scale}]"
    if not Contact.objects.exists():
        report(f"{name} seed time", round(_seed(scale), 1), "s")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    if not CaseStanding.objects.exists():
        started = time.perf_counter()
        stored = standings_store_all()
        report(
            f"{name} every case's standing stored ({stored} cases)",
            round(time.perf_counter() - started, 1),
            "s",
        )
    report(f"{name} seeded contacts", Contact.objects.count(), "contacts")
    report(f"{name} open cases", Case.objects.exclude(phase=Phase.CLOSED).count(), "cases")

    practitioner, led = _busiest_practitioner()
    due = contacts_due_for(practitioner)
    report(f"{name} busiest practitioner's cases", led, "cases")
    report(
        f"{name} their rows (below standard / not recorded / coming up)",
        f"{len(due.below)}/{len(due.overdue)}/{len(due.upcoming)}",
        "rows",
    )
    url = reverse("supervision:contacts-due")
    client = verified_client(practitioner)
    samples = timed_page(client, url, requests, warm=3)
    report(f"{name} contacts due page p50", round(percentile(samples, 50), 1), "ms")
    report(
        f"{name} contacts due page p95",
        round(percentile(samples, 95), 1),
        "ms",
        target=f"<= {PAGE_TARGET_MS:g} ms",
    )
    # The same client's home page, measured alongside: the layout's own cost on this machine
    # at this moment (a loaded machine slows both alike).
    home = timed_page(client, reverse("home:home"), max(requests // 4, 10))
    report(f"{name} home page p95 (reference)", round(percentile(home, 95), 1), "ms")
    report(f"{name} contacts due page queries", page_queries(client, url), "queries")
    manager = practitioner.line_manager
    if manager is not None:
        # The team view shows one person at a time: the busiest practitioner, as their
        # manager sees them (the heaviest page a manager can ask for).
        team = verified_client(manager)
        team_url = f"{url}?scope=team&person={practitioner.pk}"
        team_samples = timed_page(team, team_url, max(requests // 4, 10))
        report(
            f"{name} contacts due page, a manager's team p95",
            round(percentile(team_samples, 95), 1),
            "ms",
            target=f"<= {PAGE_TARGET_MS:g} ms",
        )
        report(
            f"{name} contacts due page, a manager's team queries",
            page_queries(team, team_url),
            "queries",
        )

    today = timezone.localdate()
    started = time.perf_counter()
    first = contacts_nightly(today=today)
    report(
        f"{name} nightly run (below {first['below']}, alerted {first['alerted']})",
        round(time.perf_counter() - started, 1),
        "s",
    )
    started = time.perf_counter()
    again = contacts_nightly(today=today)
    assert again["alerted"] == 0, "the nightly run alerts once per shortfall"
    # The steady state of a night: every case's standing stored again, nothing new to alert.
    report(
        f"{name} nightly run again (every standing stored, alerted {again['alerted']})",
        round(time.perf_counter() - started, 1),
        "s",
    )


def run(report: Callable[..., Any]) -> None:
    """Seed a throwaway database (or reuse a kept one), measure, drop it."""
    run_measured(report, _measure)


if __name__ == "__main__":
    run(print_report)
