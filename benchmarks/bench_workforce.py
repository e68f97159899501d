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

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.common import keepdb_file, percentile, seed_context, setup_django

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


def _client_for(username: str) -> Any:
    from django.test import Client
    from django.utils import timezone
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from jointcase.accounts.models import User

    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user, backend="jointcase.accounts.backends.UserBackend")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    session = client.session
    now = int(timezone.now().timestamp())
    if device is not None:
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session["jc_epoch"] = user.session_epoch
    session["jc_started"] = now
    session["jc_seen"] = now
    session.save()
    return client


def _page(client: Any, url: str, samples: int) -> list[float]:
    first = client.get(url)
    assert first.status_code == 200, (url, first.status_code)
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return times


def _timed(function: Callable[[], Any], rounds: int) -> list[float]:
    function()
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


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
    reads = _timed(lambda: team_caseload_for(lead), requests)
    report(f"{name} team caseload read (selector) p95", round(percentile(reads, 95), 1), "ms")
    reads = _timed(lambda: capacity_for(national_lead), max(requests // 4, 10))
    report(f"{name} national capacity read (selector) p95", round(percentile(reads, 95), 1), "ms")
    team = _page(_client_for("nsd.lead"), "/workforce/caseload/team/", requests)
    report(f"{name} team caseload page p50", round(percentile(team, 50), 1), "ms")
    report(
        f"{name} team caseload page p95",
        round(percentile(team, 95), 1),
        "ms",
        target=f"<= {TEAM_TARGET_MS:g} ms",
    )
    national = _page(_client_for("national.lead"), "/workforce/capacity/", max(requests // 4, 10))
    report(f"{name} national capacity page p50", round(percentile(national, 50), 1), "ms")
    report(
        f"{name} national capacity page p95",
        round(percentile(national, 95), 1),
        "ms",
        target=f"<= {CAPACITY_TARGET_MS:g} ms",
    )


def run(report: Callable[..., Any]) -> None:
    """Seed a throwaway database (or reuse a kept one), measure, drop it."""
    setup_django()
    from django.conf import settings
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases

    from jointcase.keyring import keyring_init

    scale = os.environ.get("JOINTCASE_BENCH_SCALE", "demo")
    requests = int(os.environ.get("JOINTCASE_BENCH_REQUESTS", "200"))
    keep = os.environ.get("JOINTCASE_BENCH_KEEPDB", "") == "1"
    setup_test_environment()
    keepdb_file()
    old_config = setup_databases(
        verbosity=0, interactive=False, keepdb=keep, aliases={"default"}, serialized_aliases=set()
    )
    previous = getattr(settings, "KEYRING_PATH", None)
    try:
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "keyring"
            keyring_init(path)
            settings.KEYRING_PATH = path
            _measure(report, scale, requests)
    finally:
        settings.KEYRING_PATH = previous
        teardown_databases(old_config, verbosity=0, keepdb=keep)


if __name__ == "__main__":

    def _print(
        benchmark: str, value: Any, unit: str, target: str = "", baseline: Any = None
    ) -> None:
        print(f"{benchmark}: {value} {unit} {target}")

    run(_print)
