"""Partner imports in the API: upload an extract (run on the worker), follow its progress,
list its quarantined rows. Refused and scoped exactly like the pages (same services and
selectors; the errors of ``jointcase.api_common``: 400 by field, 403 for a refusal, 404 for a
batch the caller may not see)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Field, File, Form, Query, Router, Schema, UploadedFile
from ninja.responses import Status

from jointcase.api_common import (
    REQUIRED_TEXT_PATTERN,
    ErrorOut,
    PageQuery,
    api_user,
    paginate,
    token_auth,
)
from jointcase.exchange.models import QuarantineStatus
from jointcase.exchange.selectors.imports import batch_get_for, quarantine_for
from jointcase.exchange.services.imports import import_submit

router = Router(tags=["imports"], auth=token_auth(write_scope="import"))


class ImportNotFoundOut(Schema):
    detail: str = Field(..., description='Always "Not Found": missing and forbidden alike')


class BatchOut(Schema):
    id: uuid.UUID = Field(..., description="The import's opaque identifier")
    source: str = Field(..., description="The partner source's code")
    file_name: str
    sha256: str = Field(..., description="SHA-256 of the file: the same file resumes its import")
    format: str = Field(..., description="csv or jsonl")
    status: str = Field(..., description="queued, running, done or failed")
    rows_total: int
    rows_done: int = Field(..., description="Rows accounted for so far (the resume position)")
    accepted: int = Field(..., description="New source records")
    updated: int = Field(..., description="Records already held whose content changed")
    unchanged: int
    quarantined: int
    created_at: dt.datetime
    finished_at: dt.datetime | None

    @staticmethod
    def resolve_id(obj: Any) -> uuid.UUID:
        return obj.public_id


class QuarantinedRowOut(Schema):
    id: uuid.UUID
    line_number: int = Field(..., description="The row's line in the file (the header is 1)")
    raw: str = Field(..., description="The row exactly as received")
    reasons: dict[str, str] = Field(..., description="Field -> why it was refused")
    status: str = Field(..., description="open, replayed or dismissed")

    @staticmethod
    def resolve_id(obj: Any) -> uuid.UUID:
        return obj.public_id


class QuarantinePage(Schema):
    count: int
    page: int
    page_size: int
    results: list[QuarantinedRowOut]


class QuarantineQuery(PageQuery):
    status: QuarantineStatus | None = Field(None, description="Only rows in this status")


@router.post(
    "/imports",
    response={202: BatchOut, 400: ErrorOut, 403: ErrorOut},
    summary="Upload a partner extract for import (multipart: 'file' and 'source')",
    description=(
        "Accepts a CSV or JSON lines extract of person records (docs/exchange.md) from a source "
        "the caller may import (agency administrators of its agency, system administrators) "
        "and runs the import on the worker: 202 with the batch to follow. The same file again "
        "while its import is unfinished returns that batch, which resumes. 400 with field "
        "errors and nothing written for an unknown source (`source`) or a file that is not an "
        "extract: empty, binary, not UTF-8, a wrong header, too large (`file`). 403 for a "
        "caller who may not import, or not this source."
    ),
)
def import_upload(
    request: HttpRequest,
    file: File[UploadedFile],
    source: str = Form(..., min_length=1, max_length=100, pattern=REQUIRED_TEXT_PATTERN),
) -> Status:
    batch = import_submit(
        actor=api_user(request),
        source_code=source[:100],
        file_name=file.name or "extract",
        content=file.read(),
        request=request,
    )
    return Status(202, batch)


@router.get(
    "/imports/{batch_id}",
    response={200: BatchOut, 404: ImportNotFoundOut},
    summary="An import's status and counts",
    description="404 for a batch that does not exist or that the caller may not see.",
)
def import_status(request: HttpRequest, batch_id: str) -> Any:
    return batch_get_for(api_user(request), batch_id, request=request)


@router.get(
    "/imports/{batch_id}/quarantine",
    response={200: QuarantinePage, 404: ImportNotFoundOut},
    summary="An import's quarantined rows, as received, with the reasons",
    description="In file order. 404 for a batch that does not exist or the caller may not see.",
)
def import_quarantine(
    request: HttpRequest, batch_id: str, filters: Query[QuarantineQuery]
) -> dict[str, Any]:
    batch = batch_get_for(api_user(request), batch_id, request=request)
    return paginate(quarantine_for(batch, status=filters.status), filters)
