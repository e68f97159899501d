"""Partner imports: a synthetic probation extract of person records, imported end to end
(read, every row validated, written in chunks with the resume position), then the same file
again (every row unchanged).

Target: 100,000 person records imported in at most 30 s, half the end-to-end budget of 60 s
for importing and linking them (docs/exchange.md). ``JOINTCASE_BENCH_IMPORT_ROWS`` changes
the number of rows. The database is a fresh throwaway one; nothing else is seeded.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

from benchmarks.common import seed_context, setup_django

IMPORT_TARGET_S = 30.0


def _measure(report: Callable[..., Any], rows: int) -> None:
    from django.db import connection

    from jointcase.exchange.linkage.synthetic import extract_csv, extract_make, faults_add
    from jointcase.exchange.models import SourceRecord
    from jointcase.exchange.services.imports import import_run, import_start

    context = seed_context("demo")
    source = "probation-delius"
    records = extract_make(rows * 2, seed=context.seed).records[:rows]
    assert len(records) == rows
    content = extract_csv(
        faults_add(
            [
                {**row, "source": source, "source_record_id": f"DEL-{number:07d}"}
                for number, row in enumerate(records, start=1)
            ],
            share=0.01,
            rng=context.rng,
        )
    )
    name = f"imports [{connection.vendor}]"
    report(f"{name} extract size", round(len(content) / 1_000_000, 1), "MB")
    started = time.perf_counter()
    batch = import_run(
        import_start(actor=None, source_code=source, file_name="x.csv", content=content).pk,
        link=False,  # the rows only: bench_import_linking measures the whole import
    )
    first = time.perf_counter() - started
    report(
        f"{name} {rows:,} person records imported",
        round(first, 1),
        "s",
        target=f"<= {IMPORT_TARGET_S:g} s",
    )
    report(f"{name} rows quarantined", batch.quarantined, "rows")
    assert batch.accepted + batch.quarantined == rows
    started = time.perf_counter()
    again = import_run(
        import_start(actor=None, source_code=source, file_name="x.csv", content=content).pk,
        link=False,
    )
    report(f"{name} the same file again", round(time.perf_counter() - started, 1), "s")
    assert again.unchanged == rows
    assert SourceRecord.objects.count() == batch.accepted


def run(report: Callable[..., Any]) -> None:
    """A throwaway database, the import measured, dropped."""
    setup_django()
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases

    rows = int(os.environ.get("JOINTCASE_BENCH_IMPORT_ROWS", "100000"))
    setup_test_environment()
    old_config = setup_databases(
        verbosity=0, interactive=False, keepdb=False, aliases={"default"}, serialized_aliases=set()
    )
    try:
        _measure(report, rows)
    finally:
        teardown_databases(old_config, verbosity=0, keepdb=False)
