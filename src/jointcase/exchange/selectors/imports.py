"""Reads of import batches and their quarantine, scoped by ``jointcase.access.exchange``:
a batch the reader may not see is answered exactly as a missing one (404), with a DENY entry
in the audit chain."""

from __future__ import annotations

import uuid

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from jointcase.access.acting import permission_require
from jointcase.access.exchange import NOT_FOUND, batch_filter, batch_see_refusal
from jointcase.access.policy import AnyUser
from jointcase.accounts.models import User
from jointcase.audit.services import audit_record
from jointcase.exchange.models import ImportBatch, QuarantinedRow, QuarantineStatus


def _key(value: uuid.UUID | str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404(NOT_FOUND) from None


def batches_for(user: AnyUser) -> QuerySet[ImportBatch]:
    """The batches of the sources ``user`` may import, newest first (without the files)."""
    return (
        ImportBatch.objects.filter(batch_filter(user)).defer("content").select_related("created_by")
    )


def batch_get_for(
    user: User, batch_id: uuid.UUID | str, *, request: HttpRequest | None = None
) -> ImportBatch:
    """One batch ``user`` may see; 404 alike for missing and forbidden (the latter audited)."""
    batch = (
        ImportBatch.objects.defer("content")
        .select_related("created_by")
        .filter(public_id=_key(batch_id))
        .first()
    )
    if batch is None:
        raise Http404(NOT_FOUND)
    permission_require(
        actor=user,
        refusal=batch_see_refusal(user, batch),
        action="exchange.batch_read",
        object_type="import",
        object_id=str(batch.public_id),
        request=request,
    )
    return batch


def quarantine_for(batch: ImportBatch, *, status: str | None = None) -> QuerySet[QuarantinedRow]:
    """The quarantined rows of a batch the caller has already opened with ``batch_get_for``."""
    rows = QuarantinedRow.objects.filter(batch=batch)
    if status:
        rows = rows.filter(status=status)
    return rows.select_related("resolved_by")


def open_quarantine_count(batch: ImportBatch) -> int:
    return QuarantinedRow.objects.filter(batch=batch, status=QuarantineStatus.OPEN).count()


def quarantined_row_get_for(
    user: User, row_id: uuid.UUID | str, *, request: HttpRequest | None = None
) -> QuarantinedRow:
    """One quarantined row, read as received (audited), if ``user`` may see its batch;
    404 alike for missing and forbidden."""
    row = (
        QuarantinedRow.objects.select_related("batch", "resolved_by")
        .defer("batch__content")
        .filter(public_id=_key(row_id))
        .first()
    )
    if row is None:
        raise Http404(NOT_FOUND)
    permission_require(
        actor=user,
        refusal=batch_see_refusal(user, row.batch),
        action="exchange.quarantine_read",
        object_type="quarantined_row",
        object_id=str(row.public_id),
        request=request,
    )
    with transaction.atomic():
        audit_record(
            action="exchange.quarantine_read",
            actor=user,
            object_type="quarantined_row",
            object_id=str(row.public_id),
            details={"import": str(row.batch.public_id), "line": row.line_number},
            request=request,
        )
    return row
