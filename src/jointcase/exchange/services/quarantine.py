"""Correcting, replaying and dismissing quarantined rows (docs/exchange.md "Quarantine").

The row as received is never changed: a correction is stored beside it, validated by the same
field rules as an import, and applied as the source record only when valid (otherwise nothing
is written and each field's message is returned). A dismissal needs a reason. Both are
audited with the row's line and batch, never its content.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from jointcase.access.acting import permission_require
from jointcase.access.exchange import import_refusal
from jointcase.accounts.models import User
from jointcase.audit.services import audit_record
from jointcase.exchange.models import QuarantinedRow, QuarantineStatus, Resolution, SourceRecord
from jointcase.exchange.records import PERSON_FIELDS, person_record_clean, record_hash
from jointcase.exchange.sources import source_require
from jointcase.exchange.tasks import batch_link_run

ALREADY_RESOLVED = "This row has already been {status}: nothing was changed"
CORRECTABLE_FIELDS = tuple(name for name in PERSON_FIELDS if name != "source")


def _permit(actor: User, row: QuarantinedRow, request: HttpRequest | None) -> None:
    """Before any transaction: a refusal's DENY entry must outlive the refused action."""
    permission_require(
        actor=actor,
        refusal=import_refusal(actor, source_require(row.source)),
        action="exchange.quarantine_resolve",
        object_type="quarantined_row",
        object_id=str(row.public_id),
        request=request,
    )


def _locked_open(row: QuarantinedRow) -> QuarantinedRow:
    locked = QuarantinedRow.objects.select_for_update().get(pk=row.pk)
    if locked.status != QuarantineStatus.OPEN:
        message = ALREADY_RESOLVED.format(status=locked.get_status_display().lower())
        raise ValidationError({"row": message})
    return locked


def correction_initial(row: QuarantinedRow) -> dict[str, str]:
    """The correction form's starting values: the last correction tried, else the fields as
    received (text only), else nothing."""
    received = row.corrected or row.received or {}
    return {
        name: value if isinstance(value, str) else ""
        for name in CORRECTABLE_FIELDS
        for value in [received.get(name, "")]
    }


def quarantined_row_replay(
    *,
    actor: User,
    row: QuarantinedRow,
    fields: Mapping[str, str],
    request: HttpRequest | None = None,
) -> SourceRecord:
    """Apply the corrected ``fields`` of an open quarantined row as its source record, or raise
    ``ValidationError`` with a message per field (nothing written)."""
    _permit(actor, row, request)
    with transaction.atomic():
        record = _replay(actor, row, fields, request)
        if record.resolution == Resolution.AWAITING_LINKAGE:
            # Linked on the worker once committed, as an import's records are.
            batch_id = row.batch_id
            transaction.on_commit(lambda: _link_later(batch_id))
        return record


def _link_later(batch_id: int) -> None:

    batch_link_run.enqueue(batch_id)


def _replay(
    actor: User,
    row: QuarantinedRow,
    fields: Mapping[str, str],
    request: HttpRequest | None,
) -> SourceRecord:
    locked = _locked_open(row)
    payload = {name: str(fields.get(name, "") or "") for name in CORRECTABLE_FIELDS}
    cleaned = person_record_clean(payload, source=locked.source)
    if not cleaned.valid:
        raise ValidationError(cleaned.errors)
    digest = record_hash(cleaned.record)
    now = timezone.now()
    record = (
        SourceRecord.objects.select_for_update()
        .filter(source=locked.source, source_record_id=cleaned.record["source_record_id"])
        .first()
    )
    outcome = "unchanged"
    if record is None:
        record = SourceRecord.objects.create(
            source=locked.source,
            content_hash=digest,
            first_batch_id=locked.batch_id,
            last_changed_batch_id=locked.batch_id,
            created_at=now,
            updated_at=now,
            **cleaned.record,
        )
        outcome = "accepted"
    elif record.content_hash != digest:
        for name, value in cleaned.record.items():
            setattr(record, name, value)
        record.content_hash = digest
        record.last_changed_batch_id = locked.batch_id
        record.resolution = Resolution.AWAITING_LINKAGE
        record.updated_at = now
        record.save()
        outcome = "updated"
    locked.status = QuarantineStatus.REPLAYED
    locked.corrected = payload
    locked.resolved_by = actor
    locked.resolved_at = now
    locked.save(update_fields=["status", "corrected", "resolved_by", "resolved_at"])
    audit_record(
        action="exchange.quarantine_replay",
        actor=actor,
        object_type="quarantined_row",
        object_id=str(locked.public_id),
        details={
            "import": str(row.batch.public_id),
            "line": locked.line_number,
            "outcome": outcome,
        },
        request=request,
    )
    return record


def quarantined_row_dismiss(
    *, actor: User, row: QuarantinedRow, reason: str, request: HttpRequest | None = None
) -> QuarantinedRow:
    """Close an open quarantined row without applying it, for a stated reason (the row as
    received stays)."""
    _permit(actor, row, request)
    with transaction.atomic():
        return _dismiss(actor, row, reason, request)


def _dismiss(
    actor: User, row: QuarantinedRow, reason: str, request: HttpRequest | None
) -> QuarantinedRow:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": "Enter why the row is dismissed"})
    if len(reason) > 500:
        raise ValidationError({"reason": "The reason must be 500 characters or fewer"})
    locked = _locked_open(row)
    locked.status = QuarantineStatus.DISMISSED
    locked.resolution_note = reason
    locked.resolved_by = actor
    locked.resolved_at = timezone.now()
    locked.save(update_fields=["status", "resolution_note", "resolved_by", "resolved_at"])
    audit_record(
        action="exchange.quarantine_dismiss",
        actor=actor,
        object_type="quarantined_row",
        object_id=str(locked.public_id),
        details={"import": str(row.batch.public_id), "line": locked.line_number},
        request=request,
    )
    return locked
