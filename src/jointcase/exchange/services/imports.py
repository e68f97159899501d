"""Importing a partner extract: refuse a file that is not one, then apply every row in
chunks, each chunk in one transaction that also advances the batch's resume position
(docs/exchange.md).

Invariants (docs/design.md invariant 4):

- a file in the wrong format, or for an unknown source, is refused whole before anything is
  written (``ValidationError`` keyed ``file`` or ``source``);
- every data row is accounted for exactly once: accepted (new), updated, unchanged or
  quarantined with its reasons, even when a run is killed and resumed;
- importing the same file again changes nothing: its rows are unchanged, and a row already
  held in quarantine is not held twice;
- the audit entries carry counts, never row content.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from jointcase.access.acting import permission_require
from jointcase.access.exchange import import_refusal, imports_refusal
from jointcase.accounts.models import User
from jointcase.audit.services import audit_record
from jointcase.exchange.extracts import ExtractRow, extract_read, refuse
from jointcase.exchange.models import (
    BatchLinkage,
    ImportBatch,
    ImportStatus,
    QuarantinedRow,
    Resolution,
    SourceRecord,
)
from jointcase.exchange.records import (
    PERSON_FIELDS,
    Cleaned,
    person_record_clean,
    record_hash,
)
from jointcase.exchange.services.linking import batch_link
from jointcase.exchange.sources import PartnerSource, source_require
from jointcase.lib.bulk import rows_insert

#: Stored fields of a ``SourceRecord`` an update may change.
RECORD_FIELDS = tuple(name for name in PERSON_FIELDS if name != "source")
UNFINISHED = (ImportStatus.QUEUED, ImportStatus.RUNNING, ImportStatus.FAILED)

Progress = Callable[[ImportBatch], None]


def import_permit(
    *, actor: User | None, source_code: str, request: HttpRequest | None = None
) -> PartnerSource:
    """The source of an import ``actor`` may make, or a refusal: ``NotPermitted`` (its DENY
    entry written, so call this outside any transaction that a refusal rolls back) or a
    ``ValidationError`` naming the known sources. ``actor`` None is the command line, run by
    an operator of the service (docs/exchange.md "Command line")."""
    if actor is not None:
        permission_require(
            actor=actor,
            refusal=imports_refusal(actor),
            action="exchange.import",
            object_type="import",
            object_id=source_code[:60],
            request=request,
        )
    source = source_require(source_code)
    if actor is not None:
        permission_require(
            actor=actor,
            refusal=import_refusal(actor, source),
            action="exchange.import",
            object_type="import",
            object_id=source.code,
            request=request,
        )
    return source


def import_start(
    *,
    actor: User | None,
    source_code: str,
    file_name: str,
    content: bytes,
    request: HttpRequest | None = None,
) -> ImportBatch:
    """Accept an extract for import and return its batch (queued), or refuse it whole.

    The same file (by SHA-256) of the same source whose import has not finished returns that
    batch, which then resumes where it stopped."""
    source = import_permit(actor=actor, source_code=source_code, request=request)
    with transaction.atomic():
        return _batch_create(actor, source, file_name, content, request)


def _batch_create(
    actor: User | None,
    source: PartnerSource,
    file_name: str,
    content: bytes,
    request: HttpRequest | None,
) -> ImportBatch:
    extract = extract_read(content)
    sha256 = hashlib.sha256(content).hexdigest()
    unfinished = (
        ImportBatch.objects.filter(source=source.code, sha256=sha256, status__in=UNFINISHED)
        .defer("content")
        .order_by("created_at", "pk")
        .first()
    )
    if unfinished is not None:
        return unfinished
    batch = ImportBatch.objects.create(
        source=source.code,
        file_name=(file_name or "extract")[-255:],
        sha256=sha256,
        format=extract.format,
        content=content,
        rows_total=len(extract.rows),
        created_by=actor,
    )
    audit_record(
        action="exchange.import_start",
        actor=actor,
        actor_username="" if actor is not None else "command line",
        object_type="import",
        object_id=str(batch.public_id),
        details={
            "source": source.code,
            "format": extract.format,
            "rows": batch.rows_total,
            "sha256": sha256,
        },
        request=request,
    )
    return batch


@dataclass
class _Seen:
    """The valid rows met so far in this file: source record id -> (content hash, line)."""

    rows: dict[str, tuple[str, int]]


def _cleaned(row: ExtractRow, source: str) -> Cleaned:
    if row.fields is None:
        return Cleaned(errors={"row": row.problem})
    return person_record_clean(row.fields, source=source)


def _remember(seen: _Seen, row: ExtractRow, cleaned: Cleaned) -> tuple[str, str]:
    """Note a valid row; return its content hash and the reason it must be quarantined (""
    when it need not)."""
    record_id = cleaned.record["source_record_id"]
    digest = record_hash(cleaned.record)
    earlier = seen.rows.get(record_id)
    if earlier is None:
        seen.rows[record_id] = (digest, row.line_number)
        return digest, ""
    if earlier[0] == digest:
        return digest, ""
    return digest, (
        f"Source record ID {record_id} appears earlier in this file (line {earlier[1]}) "
        "with different content"
    )


def _chunk_apply(batch: ImportBatch, rows: list[ExtractRow], seen: _Seen) -> dict[str, int]:
    """Apply one chunk of rows (inside the caller's transaction); return its counts."""
    counts = {"accepted": 0, "updated": 0, "unchanged": 0, "quarantined": 0}
    valid: dict[str, tuple[dict[str, str], str]] = {}
    held: list[tuple[ExtractRow, dict[str, str]]] = []
    for row in rows:
        cleaned = _cleaned(row, batch.source)
        if not cleaned.valid:
            held.append((row, cleaned.errors))
            continue
        digest, duplicate = _remember(seen, row, cleaned)
        if duplicate:
            held.append((row, {"source_record_id": duplicate}))
            continue
        record_id = cleaned.record["source_record_id"]
        if record_id in valid:
            counts["unchanged"] += 1  # the same record repeated word for word in the file
            continue
        valid[record_id] = (cleaned.record, digest)
    stored = dict(
        SourceRecord.objects.filter(
            source=batch.source, source_record_id__in=list(valid)
        ).values_list("source_record_id", "content_hash")
    )
    now = timezone.now()
    created: list[tuple[dict[str, str], str]] = []
    changed: dict[str, tuple[dict[str, str], str]] = {}
    for record_id, (fields, digest) in valid.items():
        if record_id not in stored:
            created.append((fields, digest))
        elif stored[record_id] == digest:
            counts["unchanged"] += 1
        else:
            changed[record_id] = (fields, digest)
    _records_insert(batch, created, now)
    updates = list(
        SourceRecord.objects.filter(source=batch.source, source_record_id__in=list(changed))
    )
    for record in updates:
        fields, digest = changed[record.source_record_id]
        _record_update(record, fields, digest, batch, now)
    SourceRecord.objects.bulk_update(
        updates,
        [*RECORD_FIELDS, "content_hash", "last_changed_batch", "resolution", "updated_at"],
    )
    counts["accepted"] += len(created)
    counts["updated"] += len(updates)
    hashes = {_raw_hash(row.raw) for row, _reasons in held}
    already = set(
        QuarantinedRow.objects.filter(source=batch.source, raw_hash__in=hashes).values_list(
            "raw_hash", flat=True
        )
    )
    quarantine: list[QuarantinedRow] = []
    for row, reasons in held:
        digest = _raw_hash(row.raw)
        if digest in already:
            counts["unchanged"] += 1
            continue
        already.add(digest)
        quarantine.append(
            QuarantinedRow(
                batch=batch,
                source=batch.source,
                line_number=row.line_number,
                raw=row.raw,
                raw_hash=digest,
                received=row.fields,
                reasons=reasons,
                created_at=now,
            )
        )
    QuarantinedRow.objects.bulk_create(quarantine)
    counts["quarantined"] += len(quarantine)
    return counts


def _records_insert(
    batch: ImportBatch, records: list[tuple[dict[str, str], str]], now: dt.datetime
) -> None:
    """Insert new source records without model instances (``lib.bulk``): the ORM's
    per-field preparation of ``bulk_create`` was half the time of an import. Values go
    through the backend's own adapters, as the ORM would send them."""
    ops = connection.ops
    stamp = ops.adapt_datetimefield_value(now)
    waiting = Resolution.AWAITING_LINKAGE.value
    rows_insert(
        SourceRecord,
        [
            "source",
            "content_hash",
            *RECORD_FIELDS,
            "first_batch",
            "last_changed_batch",
            "resolution",
            "created_at",
            "updated_at",
        ],
        [
            (
                batch.source,
                digest,
                *(
                    ops.adapt_datefield_value(dt.date.fromisoformat(fields[name]))
                    if name == "date_of_birth"
                    else fields[name]
                    for name in RECORD_FIELDS
                ),
                batch.pk,
                batch.pk,
                waiting,
                stamp,
                stamp,
            )
            for fields, digest in records
        ],
    )


def _record_update(
    record: SourceRecord,
    fields: dict[str, str],
    digest: str,
    batch: ImportBatch,
    now: dt.datetime,
) -> None:
    """A partner's changed record: new content, to be linked again."""
    for name, value in fields.items():
        setattr(record, name, value)
    record.content_hash = digest
    record.last_changed_batch = batch
    record.resolution = Resolution.AWAITING_LINKAGE
    record.updated_at = now


def _raw_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _chunk_rows() -> int:
    return max(1, int(getattr(settings, "JOINTCASE_IMPORT_CHUNK_ROWS", 1000)))


def import_submit(
    *,
    actor: User,
    source_code: str,
    file_name: str,
    content: bytes,
    request: HttpRequest | None = None,
) -> ImportBatch:
    """``import_start`` for a page or the API, then the import on the worker once the batch
    is committed (a batch already under way is resumed by the new task: chunks are never
    applied twice)."""
    source = import_permit(actor=actor, source_code=source_code, request=request)
    limit = int(getattr(settings, "JOINTCASE_UPLOAD_MAX_BYTES", 25 * 1024 * 1024))
    if len(content) > limit:
        raise refuse(f"The file must be smaller than {limit // (1024 * 1024)} MB")
    with transaction.atomic():
        batch = _batch_create(actor, source, file_name, content, request)
        batch_id = batch.pk
        transaction.on_commit(lambda: _enqueue(batch_id))
    return batch


def _enqueue(batch_id: int) -> None:
    from jointcase.exchange.tasks import import_batch_run  # noqa: PLC0415 - cycle: exchange.tasks imports this

    import_batch_run.enqueue(batch_id)


def import_run(
    batch_id: int,
    *,
    progress: Progress | None = None,
    link: bool = True,
    link_progress: Callable[[BatchLinkage], None] | None = None,
) -> ImportBatch:
    """Run (or resume) the import of a batch to the end and return it: the row stage, then
    (unless ``link`` is False) the linkage stage (``services.linking.batch_link``).

    Rows before the batch's position were applied by an earlier run: they are read again only
    to know which source record ids the file has already used, never written twice. Each chunk
    is written in one transaction with the position it reaches, under a lock on the batch, so
    two runs of the same batch never apply the same chunk."""
    batch = _run_start(batch_id)
    if batch.status == ImportStatus.DONE:
        return batch
    with _failing_as(batch_id, "The import stopped on an unexpected error"):
        _rows_apply(batch, progress)
    if link:
        with _failing_as(batch_id, "The linkage stopped on an unexpected error"):
            batch_link(batch_id, progress=link_progress)
    return _run_finish(batch_id)


def _run_start(batch_id: int) -> ImportBatch:
    """The batch, marked running (unless it is done already)."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status == ImportStatus.DONE:
            return batch
        batch.status = ImportStatus.RUNNING
        batch.failure = ""
        batch.started_at = batch.started_at or timezone.now()
        batch.save(update_fields=["status", "failure", "started_at"])
    return batch


@contextmanager
def _failing_as(batch_id: int, failure: str) -> Iterator[None]:
    """One stage of the import: on an error the batch is marked failed with ``failure`` (a
    later run resumes it) and the error raised again."""
    try:
        yield
    except Exception:
        ImportBatch.objects.filter(pk=batch_id).update(status=ImportStatus.FAILED, failure=failure)
        raise


def _rows_apply(batch: ImportBatch, progress: Progress | None) -> None:
    """The row stage: every chunk from the batch's position on, each in one transaction."""
    seen = _Seen({})
    known = 0  # rows up to here are in ``seen``
    size = _chunk_rows()
    extract = extract_read(bytes(batch.content))
    while True:
        with transaction.atomic():
            locked = ImportBatch.objects.select_for_update().defer("content").get(pk=batch.pk)
            start = locked.rows_done
            if start >= locked.rows_total:
                break
            # Rows applied by an earlier (or a concurrent) run: read, never written again.
            for row in extract.rows[known:start]:
                cleaned = _cleaned(row, locked.source)
                if cleaned.valid:
                    _remember(seen, row, cleaned)
            rows = extract.rows[start : start + size]
            counts = _chunk_apply(locked, rows, seen)
            for name, value in counts.items():
                setattr(locked, name, getattr(locked, name) + value)
            locked.rows_done = known = start + len(rows)
            locked.save(update_fields=[*counts, "rows_done"])
        if progress is not None:
            progress(locked)


def _run_finish(batch_id: int) -> ImportBatch:
    """The batch marked done, with its audit entry (once, however many runs finish it)."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().defer("content").get(pk=batch_id)
        if batch.status == ImportStatus.DONE:
            return batch  # a concurrent run of the same batch finished it
        batch.status = ImportStatus.DONE
        batch.finished_at = timezone.now()
        batch.save(update_fields=["status", "finished_at"])
        audit_record(
            action="exchange.import_done",
            actor=batch.created_by,
            actor_username="" if batch.created_by_id else "command line",
            object_type="import",
            object_id=str(batch.public_id),
            details={
                "source": batch.source,
                "rows": batch.rows_total,
                "accepted": batch.accepted,
                "updated": batch.updated,
                "unchanged": batch.unchanged,
                "quarantined": batch.quarantined,
            },
        )
    return batch
