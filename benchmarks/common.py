"""What every benchmark module shares: Django set-up, percentiles, the seeded world's context."""

from __future__ import annotations

import os
import statistics
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
