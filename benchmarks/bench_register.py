"""The nominal register: case page and search latency, and what the access filter costs.

Targets, in-process with Django's test client and a verified session:
- case page (overview) p95 at most 50 ms;
- search page p95 at most 100 ms;
- the scoped "my cases" and search queries at most 1.5 times the same queries without the
  access filter, measured side by side (interleaved, same data, same user).

The world is seeded into a throwaway test database (agencies, users, people and cases only):
``JOINTCASE_BENCH_SCALE=demo`` (default, about 60 cases), ``national`` (20,000) or ``stress``
(100,000). ``JOINTCASE_BENCH_REQUESTS`` sets how many requests each page figure is taken over.
``JOINTCASE_BENCH_KEEPDB=1`` keeps the seeded test database for the next run (the stress world
takes minutes to build) and reuses it when it already holds cases.

After seeding, the database's planner statistics are refreshed (``ANALYZE``), as they would be
in service, and each page figure is taken after one warm-up pass over the same requests: the
figures are steady-state latencies, not a cold start.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from benchmarks.common import (
    bench_requests,
    bench_scale,
    percentile,
    print_report,
    register_seed,
    seed_context,
    setup_django,
    steady_samples,
    throwaway_database,
    timed,
)

CASE_PAGE_TARGET_MS = 50.0
SEARCH_TARGET_MS = 100.0
RATIO_TARGET = 1.5


def _seed(scale: str) -> float:
    from django.db import transaction

    context = seed_context(scale)
    started = time.perf_counter()
    with transaction.atomic():
        register_seed(context)
    return time.perf_counter() - started


def _busiest_practitioner() -> Any:
    """The NSD practitioner on the most cases (the heaviest "my cases" list)."""
    from django.db.models import Count
    from django.utils import timezone

    from jointcase.accounts.models import User
    from jointcase.cases.models import CaseTeamMember

    today = timezone.localdate()
    row = (
        CaseTeamMember.objects.filter(
            user__isnull=False, start__lte=today, role="LEAD_NSD_PRACTITIONER"
        )
        .exclude(end__lt=today)
        .values("user_id")
        .annotate(n=Count("case_id"))
        .order_by("-n", "user_id")
        .first()
    )
    if row is None:
        raise RuntimeError("the seeded world has no lead practitioner on any case")
    return User.objects.get(pk=row["user_id"])


def _client_for(user: Any, case_ids: list[int]) -> Any:
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    from tests.conftest import verified_session
    from tests.registerui_support import declare_purposes

    return declare_purposes(verified_session(Client(), user), case_ids)


def _search_texts(user: Any) -> list[str]:
    """Realistic queries over what the user may see: a misspelled alias or name, swapped
    names, a date of birth and an identifier."""
    from jointcase.access.policy import persons_visible_to
    from jointcase.people.models import Identifier, PersonName

    people = list(persons_visible_to(user).order_by("pk").values_list("pk", "date_of_birth")[:10])
    texts: list[str] = []
    for person_id, born in people:
        names = list(PersonName.objects.filter(person_id=person_id).order_by("-kind", "pk")[:2])
        for name in names:
            family = name.family_name
            typo = family[:2] + family[3:] if len(family) > 4 else family
            texts.append(f"{name.given_names} {typo}".strip())
            texts.append(f"{family} {name.given_names}".strip())
        if born:
            texts.append(born.strftime("%d/%m/%Y"))
        identifier = (
            Identifier.objects.filter(person_id=person_id).values_list("value", flat=True).first()
        )
        if identifier:
            texts.append(identifier)
    # Common surnames make the largest candidate sets (the worst case for the filter).
    texts.extend(["Smith", "John Smith", "Jones", "Mohammed Khan"])
    return texts


def _side_by_side(
    scoped: Callable[[], object], unscoped: Callable[[], object], rounds: int
) -> tuple[float, float]:
    """Median milliseconds of each, interleaved so both see the same machine state."""
    a: list[float] = []
    b: list[float] = []
    for _ in range(rounds):
        a.extend(timed(scoped, 1))
        b.extend(timed(unscoped, 1))
    return statistics.median(a), statistics.median(b)


def _measure(report: Callable[..., Any], scale: str, requests: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from jointcase.cases.models import Case, CaseTeamMember

    name = f"register [{connection.vendor}, {scale}]"
    _world(report, name, scale)
    user = _busiest_practitioner()
    today = timezone.localdate()
    mine = CaseTeamMember.objects.filter(user_id=user.pk, start__lte=today).exclude(end__lt=today)
    case_ids = sorted(set(mine.values_list("case_id", flat=True)))
    client = _client_for(user, case_ids)
    public_ids = dict(Case.objects.filter(pk__in=case_ids).values_list("pk", "public_id"))
    urls = [f"/cases/{public_ids[case_id]}/" for case_id in case_ids]
    samples = steady_samples(client.get, urls, requests)
    report(
        f"{name} case page p95",
        round(percentile(samples, 95), 1),
        "ms",
        target=f"<= {CASE_PAGE_TARGET_MS:g} ms",
    )
    _audit_cost(report, name, client, urls, requests)
    texts = _search_texts(user)
    samples = steady_samples(
        lambda text: client.get("/cases/search/", {"q": text}), texts, requests
    )
    report(
        f"{name} search p95",
        round(percentile(samples, 95), 1),
        "ms",
        target=f"<= {SEARCH_TARGET_MS:g} ms",
    )
    _filter_cost(report, name, user, texts, rounds=max(requests, 50))


def _world(report: Callable[..., Any], name: str, scale: str) -> None:
    """Seed the register unless the database holds one; fresh planner statistics after the
    load, as in service."""
    from django.db import connection

    from jointcase.cases.models import Case

    if not Case.objects.exists():
        report(f"{name} seed time", round(_seed(scale), 1), "s")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    report(f"{name} seeded cases", Case.objects.count(), "cases")


def _audit_cost(
    report: Callable[..., Any], name: str, client: Any, urls: list[str], requests: int
) -> None:
    """The cost of auditing on a request: the same case pages with the audit chain written and
    with the test-only switch off, interleaved request by request so that load on the machine
    falls on both sides alike. Throughput = requests per second."""
    from django.conf import settings

    elapsed = {True: 0.0, False: 0.0}
    for i in range(requests * 2):
        audit_on = i % 2 == 0
        settings.AUDIT_ENABLED = audit_on
        url = urls[(i // 2) % len(urls)]
        started = time.perf_counter()
        response = client.get(url)
        elapsed[audit_on] += time.perf_counter() - started
        assert response.status_code == 200, url
    settings.AUDIT_ENABLED = True
    with_audit, without_audit = requests / elapsed[True], requests / elapsed[False]
    report(
        f"{name} case pages/s, audit on (baseline: audit off)",
        round(with_audit, 1),
        "req/s",
        target=">= 0.8 x audit off",
        baseline=round(without_audit, 1),
    )


def _filter_cost(
    report: Callable[..., Any], name: str, user: Any, texts: list[str], rounds: int
) -> None:
    """What the access filter costs the database: "my cases" (the selector, filter inside) vs
    the same membership query without it, and the search candidates over visible persons vs
    every person. Both sides are compiled once and executed side by side."""
    from django.utils import timezone

    from jointcase.access.policy import persons_visible_to
    from jointcase.cases.models import Case, CaseTeamMember
    from jointcase.cases.selectors import my_cases_for
    from jointcase.people.models import Person
    from jointcase.people.search import CANDIDATE_LIMIT, candidate_queries, parse_query

    today = timezone.localdate()
    scoped_cases = my_cases_for(user).values_list("pk", "reference", "person__display_name")
    current = CaseTeamMember.objects.filter(user_id=user.pk, start__lte=today).exclude(
        end__lt=today
    )
    unscoped_cases = Case.objects.filter(pk__in=current.values("case_id")).values_list(
        "pk", "reference", "person__display_name"
    )
    assert sorted(scoped_cases) == sorted(unscoped_cases), "the benchmark user must see their cases"
    _ratio(report, f"{name} my cases query", [scoped_cases], [unscoped_cases], rounds)
    parsed = [parse_query(text) for text in texts]
    scoped_search = [
        queryset.values_list("pk", flat=True)[:CANDIDATE_LIMIT]
        for query in parsed
        for queryset in candidate_queries(persons_visible_to(user), query)
    ]
    unscoped_search = [
        queryset.values_list("pk", flat=True)[:CANDIDATE_LIMIT]
        for query in parsed
        for queryset in candidate_queries(Person.objects.all(), query)
    ]
    _ratio(report, f"{name} search query", scoped_search, unscoped_search, max(rounds // 10, 5))


def _ratio(
    report: Callable[..., Any], name: str, scoped: list[Any], unscoped: list[Any], rounds: int
) -> None:
    """Median database time per query of each list of querysets, interleaved round by round."""
    from django.db import connection

    def compiled(querysets: list[Any]) -> list[tuple[str, Any]]:
        return [queryset.query.sql_with_params() for queryset in querysets]

    def executor(statements: list[tuple[str, Any]]) -> Callable[[], object]:
        def execute() -> object:
            with connection.cursor() as cursor:
                for sql, params in statements:
                    cursor.execute(sql, params)
                    cursor.fetchall()
            return None

        return execute

    with_filter, without = _side_by_side(
        executor(compiled(scoped)), executor(compiled(unscoped)), rounds
    )
    count = max(len(scoped), 1)
    report(f"{name}, unscoped", round(without / count, 3), "ms")
    report(
        f"{name}, scoped", round(with_filter / count, 3), "ms", baseline=round(without / count, 3)
    )
    report(
        f"{name}: scoped / unscoped",
        round(with_filter / without, 2),
        "x",
        target=f"<= {RATIO_TARGET:g}",
    )


def run(report: Callable[..., Any]) -> None:
    """Seed a throwaway database, measure, drop it."""
    setup_django()
    with throwaway_database():
        _measure(report, bench_scale(), bench_requests())


if __name__ == "__main__":
    run(print_report)
