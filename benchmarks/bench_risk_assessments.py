"""Risk assessments: the case's risk tab beside the case overview page.

Targets, in-process with Django's test client and a verified session, at
``JOINTCASE_BENCH_SCALE`` (demo by default; stress is 100,000 cases, each with 24 months of
assessments from the risk seed step):
- the risk tab (latest RoSH matrix, every domain's rating, the next review date, the
  assessment history) p95 at most 50 ms;
- and at most 1.5 times the case overview page, measured side by side (requests alternate).

The world is the register's plus the risk seed step; an existing world (from another module
in the same run, ``JOINTCASE_BENCH_KEEPDB=1``) is reused, assessments added if missing.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.common import keepdb_file, percentile, seed_context, setup_django

RISK_TAB_TARGET_MS = 50.0
RATIO_TARGET = 1.5
REGISTER_STEPS = ("agencies and teams", "users", "people and cases")


def _seed(scale: str) -> float:
    from django.db import transaction

    from jointcase.cases.models import Case
    from jointcase.seed import world
    from jointcase.seed.steps.risk_assessments import seed_assessments

    context = seed_context(scale)
    started = time.perf_counter()
    with transaction.atomic():
        if not Case.objects.exists():
            for label, step in world._steps():
                if label in REGISTER_STEPS:
                    step(context)
        seed_assessments(context)
    return time.perf_counter() - started


def _client_for(user: Any, case: Any) -> Any:
    """A signed-in, verified client that has declared its purpose for ``case`` only, as a
    user would on the purpose page. (Declaring it for every case of the stress world, as the
    tests' ``declare_every_purpose`` does, makes a 100,000-entry session that every request
    decodes: most of the time measured would be that, not the page; the app itself keeps at
    most ``MAX_DECLARATIONS``.)"""
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from tests.conftest import verified_session

    from jointcase.audit.purpose import SESSION_KEY

    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    client = verified_session(Client(), user)
    session = client.session
    session[SESSION_KEY] = {f"case:{case.pk}": {"purpose": "case_management", "reason": ""}}
    session.save()
    return client


def _busiest_case() -> tuple[Any, Any, int]:
    """The case with the most assessments, and its latest assessor (who sees it)."""
    from django.db.models import Count

    from jointcase.cases.models import Case
    from jointcase.risk.models.assessments import Assessment

    row = (
        Assessment.objects.values("case_id")
        .annotate(n=Count("id"))
        .order_by("-n", "case_id")
        .first()
    )
    if row is None:
        raise RuntimeError("the seeded world has no assessments")
    latest = Assessment.objects.filter(case_id=row["case_id"]).order_by("-pk").first()
    assert latest is not None
    return Case.objects.get(pk=row["case_id"]), latest.assessor, row["n"]


def _measure(report: Callable[..., Any], scale: str, requests: int) -> None:
    from django.db import connection

    from jointcase.risk.models.assessments import Assessment

    db = connection.vendor
    if not Assessment.objects.exists():
        seconds = _seed(scale)
        report(f"risk assessments [{db}, {scale}] seed time", round(seconds, 1), "s")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    report(
        f"risk assessments [{db}, {scale}] seeded assessments",
        Assessment.objects.count(),
        "assessments",
    )
    case, user, count = _busiest_case()
    report(f"risk assessments [{db}, {scale}] assessments on the busiest case", count, "")
    client = _client_for(user, case)
    risk_url = f"/cases/{case.public_id}/risk/"
    overview_url = f"/cases/{case.public_id}/"
    for url in (risk_url, overview_url):
        warm = client.get(url)
        assert warm.status_code == 200, (url, warm.status_code, warm.get("Location"))
    risk, overview = [], []
    for _ in range(requests):
        for url, samples in ((risk_url, risk), (overview_url, overview)):
            started = time.perf_counter()
            response = client.get(url)
            samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, url
    overview_p95 = round(percentile(overview, 95), 1)
    report(f"risk assessments [{db}, {scale}] case overview page p95", overview_p95, "ms")
    report(
        f"risk assessments [{db}, {scale}] risk tab p95",
        round(percentile(risk, 95), 1),
        "ms",
        target=f"<= {RISK_TAB_TARGET_MS:g} ms",
    )
    report(
        f"risk assessments [{db}, {scale}] risk tab p95 against the overview",
        round(percentile(risk, 95), 1),
        "ms",
        target=f"<= {RATIO_TARGET:g} x overview",
        baseline=overview_p95,
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
        verbosity=0,
        interactive=False,
        keepdb=keep,
        aliases={"default"},
        serialized_aliases=set(),
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
        print(f"{benchmark}: {value} {unit} {target} (baseline {baseline})")

    run(_print)
