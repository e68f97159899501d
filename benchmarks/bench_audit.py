"""The audit chain: append rate (one writer; 8 writers on PostgreSQL) and verify throughput.

Targets: at least 1,000 appends a second from one writer, at least 600 a second with
8 concurrent writers on PostgreSQL, and verification of at least 200,000 entries a second.
The verify chain is generated quickly (hashes computed in Python, rows bulk-inserted, exactly
the bytes ``audit_record`` would have written); its length is ``JOINTCASE_BENCH_AUDIT_ENTRIES``
(default 200,000; the stress figure is 10,000,000). The case-page cost with auditing on and
off (``settings.AUDIT_ENABLED``) is measured with the case pages, not here.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from benchmarks.common import setup_django

Report = Callable[..., None]

APPENDS = int(os.environ.get("JOINTCASE_BENCH_AUDIT_APPENDS", "2000"))
WRITERS = 8
VERIFY_ENTRIES = int(os.environ.get("JOINTCASE_BENCH_AUDIT_ENTRIES", "200000"))


def _append_rate(count: int) -> float:
    from jointcase.audit.services import audit_record

    started = time.perf_counter()
    for number in range(count):
        audit_record(
            action="bench.append",
            actor_username="bench",
            object_type="case",
            object_id=number,
            details={"n": number},
        )
    return count / (time.perf_counter() - started)


def _bare_commit_rate(count: int) -> float:
    """Baseline: one-row INSERT transactions into a plain table (the disk's commit rate)."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_audit_commit")
        cursor.execute("CREATE TABLE bench_audit_commit (n integer)")
    try:
        started = time.perf_counter()
        for number in range(count):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("INSERT INTO bench_audit_commit (n) VALUES (%s)", [number])
        return count / (time.perf_counter() - started)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE bench_audit_commit")


def _concurrent_rate(writers: int, each: int) -> float:
    from django.db import connections

    from jointcase.audit.services import audit_record

    barrier = threading.Barrier(writers + 1)
    errors: list[BaseException] = []

    def write(number: int) -> None:
        try:
            barrier.wait()
            for count in range(each):
                audit_record(
                    action="bench.concurrent", actor_username=f"w{number}", details={"n": count}
                )
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(number,)) for number in range(writers)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return writers * each / elapsed


def _generate_chain(count: int) -> None:
    """Append ``count`` entries in bulk, hashed exactly as ``audit_record`` would hash them.

    Rows go in with ``executemany`` in batches, each batch its own transaction (so a
    10,000,000-entry chain does not build one enormous transaction), and the chain head is
    moved at the end. Only the benchmark writes this way; the service appends one by one.
    """
    import json
    from types import SimpleNamespace

    from django.db import connection, transaction
    from django.utils import timezone

    from jointcase.audit.chain import entry_hash
    from jointcase.audit.models import AuditEntry, ChainHead

    head, _ = ChainHead.objects.get_or_create(id=1)
    seq, previous = head.seq, head.entry_hash
    start = timezone.now()
    columns = [
        "seq", "occurred_at", "action", "outcome", "actor_id", "actor_username", "actor_agency",
        "object_type", "object_id", "reason", "purpose", "recipient", "source_address",
        "details", "prev_hash", "entry_hash",
    ]  # fmt: skip
    json_cast = "::jsonb" if connection.vendor == "postgresql" else ""
    placeholders = ", ".join(f"%s{json_cast}" if c == "details" else "%s" for c in columns)
    sql = f"INSERT INTO {AuditEntry._meta.db_table} ({', '.join(columns)}) VALUES ({placeholders})"  # noqa: S608 - fixed column names
    batch_size = 20_000
    rows: list[tuple[Any, ...]] = []
    for number in range(count):
        seq += 1
        entry = SimpleNamespace(
            seq=seq,
            occurred_at=start + dt.timedelta(microseconds=number * 7),
            action="case.viewed" if number % 3 else "material.item_viewed",
            outcome="ALLOW" if number % 11 else "DENY",
            actor_id=number % 5000 + 1,
            actor_username=f"user{number % 5000}",
            actor_agency="ctu-north-east",
            object_type="case",
            object_id=str(number % 20000),
            reason="" if number % 11 else "not on the case team",
            purpose="case_management",
            recipient="",
            source_address="10.1.2.3",
            details={} if number % 4 else {"via": "page", "fields": ["summary", "risk"]},
            prev_hash=previous,
        )
        previous = entry_hash(entry)
        rows.append(
            (
                entry.seq,
                connection.ops.adapt_datetimefield_value(entry.occurred_at),
                *(getattr(entry, c) for c in columns[2:13]),
                json.dumps(entry.details),
                entry.prev_hash,
                previous,
            )
        )
        if len(rows) == batch_size:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(sql, rows)
            rows = []
    with transaction.atomic():
        if rows:
            with connection.cursor() as cursor:
                cursor.executemany(sql, rows)
        ChainHead.objects.filter(id=1).update(seq=seq, entry_hash=previous)
    with connection.cursor() as cursor:  # as autovacuum would: plan with real row counts
        cursor.execute(
            "ANALYZE audit_auditentry" if connection.vendor == "postgresql" else "ANALYZE"
        )


def run(report: Report) -> None:
    setup_django()
    from django.db import connection

    from jointcase.audit.verify import chain_verify

    # The baseline is the bare commit rate of the same database and disk: an append is one
    # durable transaction, so it can never beat it (ratio = append / bare commit).
    bare = round(_bare_commit_rate(APPENDS))
    report("audit append, 1 writer", round(_append_rate(APPENDS)), "entries/s", ">= 1000", bare)
    if connection.vendor == "postgresql":
        rate = _concurrent_rate(WRITERS, max(50, APPENDS // WRITERS))
        report(f"audit append, {WRITERS} writers", round(rate), "entries/s", ">= 600", bare)

    _generate_chain(VERIFY_ENTRIES)
    chain_verify(include_stored=False)  # warm the cache: measure hashing, not the first disk read
    result = chain_verify(include_stored=False)
    if not result.ok:
        raise RuntimeError(f"the generated chain does not verify: {result.problem}")
    report(
        f"audit verify ({result.entries:,} entries)",
        round(result.rate),
        "entries/s",
        ">= 200000",
    )
