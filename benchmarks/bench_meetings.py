"""Meetings and agreed actions: the "my actions" page and minutes rendering.

Targets, in-process with Django's test client and a verified session:
- "my actions" page p95 at most 50 ms (stress scale: about 1,000,000 actions);
- minutes rendering for a reader, 20 labelled sections, p95 at most 30 ms (the selector that
  filters, decrypts and audits; the whole meeting page is reported beside it).

The world is the register's (agencies, users, people and cases) plus this app's seed step, at
``JOINTCASE_BENCH_SCALE`` (demo by default; ``national``, ``stress``). An existing world (from
another benchmark module in the same run) is reused. ``JOINTCASE_BENCH_REQUESTS`` sets how many
requests each figure is taken over. Figures are steady state (one warm-up pass first).
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
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

MY_ACTIONS_TARGET_MS = 50.0
MINUTES_TARGET_MS = 30.0
SECTIONS = 20


def _seed(scale: str) -> float:
    from django.db import transaction

    from jointcase.seed.steps.meetings import seed_meetings

    context = seed_context(scale)
    started = time.perf_counter()
    with transaction.atomic():
        register_seed(context)
        from jointcase.accounts.models import User

        context.registry["personas"] = {
            u.username: u
            for u in User.objects.filter(username__in=["ct.supervisor", "nsd.practitioner"])
        }
        seed_meetings(context)
    return time.perf_counter() - started


def _client_for(user: Any) -> Any:
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    from tests.conftest import verified_session

    return verified_session(Client(), user)


def _busiest_owner() -> Any:
    from django.db.models import Count

    from jointcase.accounts.models import User
    from jointcase.meetings.models import OPEN_STATUSES, AgreedAction

    row = (
        AgreedAction.objects.filter(status__in=OPEN_STATUSES)
        .values("owner_id")
        .annotate(n=Count("id"))
        .order_by("-n", "owner_id")
        .first()
    )
    if row is None:
        raise RuntimeError("the seeded world has no open actions")
    return User.objects.get(pk=row["owner_id"]), row["n"]


def _minutes_reader(owner: Any) -> Any:
    """Who reads the twenty sections: the busiest owner if cleared to SECRET (a quarter of the
    sections are SECRET, and no one writes a label they could not read), else the first owner
    of open actions who is."""
    from jointcase.access.material import within_reach
    from jointcase.accounts.models import User
    from jointcase.meetings.models import OPEN_STATUSES, AgreedAction

    def cleared(user: Any) -> bool:
        return within_reach(user, classification="SECRET", caveat_ids=[]).allowed

    if cleared(owner):
        return owner
    owners = AgreedAction.objects.filter(status__in=OPEN_STATUSES).values("owner_id")
    for user in User.objects.filter(pk__in=owners, is_active=True).order_by("pk"):
        if cleared(user):
            return user
    raise RuntimeError("no owner of open actions is cleared to SECRET")


def _twenty_sections(reader: Any) -> Any:
    """A meeting on one of the reader's cases with 20 sections of mixed labels."""
    from django.utils import timezone

    from jointcase.access.policy import case_filter
    from jointcase.cases.models import Case
    from jointcase.meetings.models import Meeting, MeetingType
    from jointcase.meetings.services.meetings import meeting_create
    from jointcase.meetings.services.minutes import minutes_section_add

    case = Case.objects.filter(case_filter(reader)).order_by("pk").first()
    if case is None:
        raise RuntimeError("the reader sees no case")
    meeting = meeting_create(
        actor=reader,
        type=MeetingType.MAPPA_L2,
        starts_at=timezone.now() - dt.timedelta(days=1),
        chair=reader,
        cases=[case],
        agenda="Benchmark meeting",
    )
    for order in range(SECTIONS):
        minutes_section_add(
            actor=reader,
            meeting=meeting,
            heading=f"Section {order + 1}",
            body="Synthetic minutes text. " * 40,
            classification="SECRET" if order % 4 == 0 else "OFFICIAL-SENSITIVE",
        )
    return Meeting.objects.get(pk=meeting.pk)


def _measure(report: Callable[..., Any], scale: str, requests: int) -> None:
    from django.db import connection

    from jointcase.meetings import selectors
    from jointcase.meetings.models import AgreedAction

    db = connection.vendor
    if not AgreedAction.objects.exists():
        seconds = _seed(scale)
        report(f"meetings [{db}, {scale}] seed time", round(seconds, 1), "s")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    report(f"meetings [{db}, {scale}] seeded actions", AgreedAction.objects.count(), "actions")

    owner, open_count = _busiest_owner()
    report(f"meetings [{db}, {scale}] open actions of the busiest owner", open_count, "actions")
    client = _client_for(owner)
    urls = [
        "/meetings/actions/mine/",
        "/meetings/actions/mine/?due=overdue",
        "/meetings/actions/mine/?due=due_soon",
    ]
    samples = steady_samples(client.get, urls, requests)
    report(
        f'meetings [{db}, {scale}] "my actions" page p50', round(percentile(samples, 50), 1), "ms"
    )
    report(
        f'meetings [{db}, {scale}] "my actions" page p95',
        round(percentile(samples, 95), 1),
        "ms",
        target=f"<= {MY_ACTIONS_TARGET_MS:g} ms",
    )

    reader = _minutes_reader(owner)
    if reader != owner:
        client = _client_for(reader)
    meeting = _twenty_sections(reader)
    minutes = selectors.minutes_for(user=reader, meeting=meeting)
    assert len(minutes.sections) == SECTIONS
    samples = timed(lambda: selectors.minutes_for(user=reader, meeting=meeting), 5)
    samples = timed(lambda: selectors.minutes_for(user=reader, meeting=meeting), requests)
    report(
        f"meetings [{db}, {scale}] minutes rendering (20 sections) p50",
        round(percentile(samples, 50), 1),
        "ms",
    )
    report(
        f"meetings [{db}, {scale}] minutes rendering (20 sections) p95",
        round(percentile(samples, 95), 1),
        "ms",
        target=f"<= {MINUTES_TARGET_MS:g} ms",
    )
    from tests.conftest import declare_every_purpose

    declare_every_purpose(client)  # the meeting page asks the purpose of consultation first
    url = f"/meetings/{meeting.public_id}/"
    assert client.get(url).status_code == 200
    samples = timed(lambda: client.get(url), requests)
    report(
        f"meetings [{db}, {scale}] meeting page (20 sections) p95",
        round(percentile(samples, 95), 1),
        "ms",
    )


def run(report: Callable[..., Any]) -> None:
    """Seed a throwaway database (or reuse a kept one), measure, drop it."""
    setup_django()
    from django.conf import settings

    from jointcase.keyring import keyring_init

    with throwaway_database():
        previous = getattr(settings, "KEYRING_PATH", None)
        try:
            with tempfile.TemporaryDirectory() as directory:
                path = Path(directory) / "keyring"
                keyring_init(path)
                settings.KEYRING_PATH = path
                _measure(report, bench_scale(), bench_requests())
        finally:
            settings.KEYRING_PATH = previous


if __name__ == "__main__":
    run(print_report)
