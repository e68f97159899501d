"""What every benchmark module shares: Django set-up, the throwaway database, the seeded world's
context and register, signed-in clients, timing loops and percentiles, and the report of a
module run on its own."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
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


#: The seed steps that build the register (agencies, users, people and cases) every page
#: benchmark stands on.
REGISTER_STEPS = ("agencies and teams", "users", "people and cases")


def bench_scale() -> str:
    return os.environ.get("JOINTCASE_BENCH_SCALE", "demo")


def bench_requests() -> int:
    """How many requests (or calls) each figure is taken over."""
    return int(os.environ.get("JOINTCASE_BENCH_REQUESTS", "200"))


@contextmanager
def throwaway_database() -> Iterator[None]:
    """A test database for one benchmark module, dropped afterwards, or kept for the next run
    with ``JOINTCASE_BENCH_KEEPDB=1`` (on SQLite in a file: ``keepdb_file``)."""
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases

    keep = os.environ.get("JOINTCASE_BENCH_KEEPDB", "") == "1"
    setup_test_environment()
    keepdb_file()
    old_config = setup_databases(
        verbosity=0,
        interactive=False,
        keepdb=keep,
        aliases={"default"},
        # No copy of a kept world for test rollbacks: serialising millions of rows takes
        # minutes and nothing here restores it.
        serialized_aliases=set(),
    )
    try:
        yield
    finally:
        teardown_databases(old_config, verbosity=0, keepdb=keep)


def register_seed(context: Any) -> None:
    """The register's seed steps, unless the database already holds cases (a kept world, or
    one another module of the same run seeded)."""
    from jointcase.cases.models import Case
    from jointcase.seed import world

    if Case.objects.exists():
        return
    for label, step in world._steps():
        if label in REGISTER_STEPS:
            step(context)


def timed(function: Callable[[], object], rounds: int) -> list[float]:
    """Milliseconds of each of ``rounds`` calls."""
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def steady_samples(get: Callable[[Any], Any], inputs: list[Any], count: int) -> list[float]:
    """Milliseconds of ``count`` requests ``get(input)`` cycling through ``inputs``, after one
    warm-up pass over the same requests: steady-state latencies, not a cold start. Every
    response must be a 200."""
    for value in inputs[:count]:
        response = get(value)
        assert response.status_code == 200, (value, response.status_code, response.get("Location"))
    samples = []
    for i in range(count):
        value = inputs[i % len(inputs)]
        started = time.perf_counter()
        response = get(value)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, value
    return samples


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
    """In a throwaway database (or the kept world with ``JOINTCASE_BENCH_KEEPDB=1``), call
    ``measure(report, scale, requests)`` inside ``around()`` when given."""
    setup_django()
    with throwaway_database(), around() if around is not None else nullcontext():
        measure(report, bench_scale(), bench_requests())


def print_report(
    name: str, value: object, unit: str, target: str = "", baseline: object = None
) -> None:
    """The report of a module run on its own (``python -m benchmarks.bench_<name>``)."""
    extra = f"  (target {target})" if target else ""
    extra += f"  (baseline {baseline})" if baseline is not None else ""
    print(f"{name}: {value} {unit}{extra}")
