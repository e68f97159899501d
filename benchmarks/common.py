"""What every benchmark module shares: Django set-up, percentiles, the seeded world's context,
signed-in clients, timing loops and the test database's set-up and tear-down."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jointcase.settings")
    os.environ.setdefault("JOINTCASE_ENV", "test")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()


def percentile(values: list[float], p: float) -> float:
    """The ``p``-th percentile (inclusive method; the one value of a single sample)."""
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def seed_context(scale: str, **counts: int) -> Any:
    """A deterministic seed context (seed 1) at ``scale``, its counts overridden by ``counts``
    (e.g. ``material_items=...``)."""
    import random
    from dataclasses import replace

    from django.utils import timezone
    from faker import Faker

    from jointcase.seed import world
    from jointcase.seed.scales import SCALES

    faker = Faker("en_GB")
    faker.seed_instance(1)
    return world.SeedContext(
        scale=replace(SCALES[scale], **counts),
        seed=1,
        rng=random.Random(1),
        faker=faker,
        today=timezone.localdate(),
        show_progress=False,
    )


def keepdb_file() -> None:
    """With ``JOINTCASE_BENCH_KEEPDB=1`` on SQLite, keep the test database in a file under
    var/bench/ (Django's default is in memory, gone when the module's connection closes) so
    the next module, or the next run, reuses the seeded world. ``BENCH_SCRATCH_DB`` names the
    file too (``kept-<scale>-<name>.sqlite3``), so two people benchmarking on one machine keep
    separate worlds, as they do on PostgreSQL."""
    from django.db import connection

    if os.environ.get("JOINTCASE_BENCH_KEEPDB", "") != "1" or connection.vendor != "sqlite":
        return
    from benchmarks.__main__ import ROOT

    scale = os.environ.get("JOINTCASE_BENCH_SCALE", "demo")
    scratch = os.environ.get("BENCH_SCRATCH_DB", "")
    name = f"kept-{scale}-{scratch}.sqlite3" if scratch else f"kept-{scale}.sqlite3"
    path = ROOT / "var" / "bench" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    connection.settings_dict.setdefault("TEST", {})["NAME"] = str(path)


def verified_client(user: Any) -> Any:
    """A test client signed in as ``user`` with a verified second factor (a TOTP device is
    made for a user who has none), as every page benchmark measures whole pages."""
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from tests.conftest import verified_session

    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    return verified_session(Client(), user)


def timed_calls(function: Callable[[], Any], count: int, *, warm: int = 1) -> list[float]:
    """Milliseconds of ``count`` calls of ``function`` after ``warm`` untimed ones; a call
    that answers an HTTP response must answer 200."""
    samples: list[float] = []
    for index in range(warm + count):
        started = time.perf_counter()
        result = function()
        elapsed = (time.perf_counter() - started) * 1000
        status = getattr(result, "status_code", 200)
        assert status == 200, status
        if index >= warm:
            samples.append(elapsed)
    return samples


def timed_page(client: Any, url: str, count: int, *, warm: int = 1) -> list[float]:
    """Milliseconds of ``count`` GETs of ``url`` (each must answer 200)."""
    return timed_calls(lambda: client.get(url), count, warm=warm)


def page_queries(client: Any, url: str) -> int:
    """How many queries one GET of ``url`` asks."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def run_measured(
    report: Callable[..., Any],
    measure: Callable[[Callable[..., Any], str, int], None],
    *,
    around: Callable[[], AbstractContextManager[Any]] | None = None,
) -> None:
    """Set up the test database (a throwaway one, or the kept world with
    ``JOINTCASE_BENCH_KEEPDB=1``), call ``measure(report, scale, requests)`` inside
    ``around()`` when given, then tear the database down (or keep it)."""
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
        with around() if around is not None else nullcontext():
            measure(report, scale, requests)
    finally:
        teardown_databases(old_config, verbosity=0, keepdb=keep)


def print_report(
    benchmark: str, value: Any, unit: str, target: str = "", baseline: Any = None
) -> None:
    """The report of a module run on its own (``python -m benchmarks.bench_x``)."""
    print(f"{benchmark}: {value} {unit} {target}")
