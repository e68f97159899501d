"""Partner imports end to end: 100,000 synthetic partner person records imported and linked
with the saved model against a register seeded from the same synthetic population (never
real people): the row stage, then the linkage stage (one Splink run for the batch, one more
for the batch's new people among themselves, new people created in bulk).

Target: at most 60 s for the whole import, rows and linkage (docs/exchange.md).
``JOINTCASE_BENCH_LINK_ROWS`` changes the number of records (the register holds about 57% as
many people: 85% of a population two thirds the size of the extract). The register is seeded
without audit entries (it is the setting, not what is measured); the measured import writes
every audit entry it would in service. The database is a fresh throwaway one.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from typing import Any

from benchmarks.common import setup_django

TARGET_S = 60.0
SOURCE = "probation-delius"


def _measure(report: Callable[..., Any], rows: int) -> None:
    from django.db import connection
    from django.test import override_settings

    from jointcase.exchange.linkage.synthetic import extract_csv, extract_make
    from jointcase.exchange.models import BatchLinkage, SourceRecord
    from jointcase.exchange.services.imports import import_run, import_start
    from jointcase.people.models import Person
    from jointcase.people.services import people_create_from_records

    for name in ("splink", "splink.internals"):
        logging.getLogger(name).setLevel(logging.ERROR)
    extract = extract_make(rows, seed=11)
    register = extract.register
    with override_settings(AUDIT_ENABLED=False):
        for start in range(0, len(register), 20_000):
            people_create_from_records(actor=None, records=register[start : start + 20_000])
    records = [{**row, "source": SOURCE} for row in extract.records]
    content = extract_csv(records)
    name = f"imports and linkage [{connection.vendor}]"
    report(f"{name} register people", Person.objects.count(), "people")
    started = time.perf_counter()
    batch = import_run(
        import_start(actor=None, source_code=SOURCE, file_name="x.csv", content=content).pk
    )
    total = time.perf_counter() - started
    stage = BatchLinkage.objects.get(batch=batch)
    assert stage.finished_at is not None
    assert stage.started_at is not None
    linking = (stage.finished_at - stage.started_at).total_seconds()
    report(
        f"{name} {len(records):,} partner person records imported and linked with the saved model",
        round(total, 1),
        "s",
        target=f"<= {TARGET_S:g} s",
    )
    report(f"{name} of which the linkage stage", round(linking, 1), "s")
    report(f"{name} linked automatically", stage.linked, "records")
    report(f"{name} to review", stage.review, "records")
    report(f"{name} new people", stage.new, "records")
    assert stage.linked + stage.review + stage.new == len(records)
    assert not SourceRecord.objects.filter(resolution="awaiting_linkage").exists()


def run(report: Callable[..., Any]) -> None:
    """A throwaway database, the register seeded, the import measured, dropped."""
    setup_django()
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases

    rows = int(os.environ.get("JOINTCASE_BENCH_LINK_ROWS", "100000"))
    setup_test_environment()
    old_config = setup_databases(
        verbosity=0, interactive=False, keepdb=False, aliases={"default"}, serialized_aliases=set()
    )
    try:
        _measure(report, rows)
    finally:
        teardown_databases(old_config, verbosity=0, keepdb=False)
