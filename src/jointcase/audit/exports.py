"""CSV exports of audit reports: marked, and safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from django.http import StreamingHttpResponse
from django.utils import timezone

from jointcase.audit.models import AuditEntry
from jointcase.audit.purpose import Purpose
from jointcase.lib.canonical_json import canonical_json

#: A cell starting with one of these is a formula to a spreadsheet (OWASP CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

HEADER = [
    "Entry",
    "When (UTC)",
    "Who",
    "Agency",
    "Action",
    "Outcome",
    "Record type",
    "Record ID",
    "Purpose",
    "Reason",
    "Recipient",
    "Source address",
    "Details",
]


def csv_safe(value: Any) -> str:
    """The cell text, prefixed with ' when a spreadsheet would run it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def purpose_label(code: str) -> str:
    try:
        return str(Purpose(code).label)
    except ValueError:
        return code


def entry_reason(entry: AuditEntry) -> str:
    if entry.reason:
        return entry.reason
    details = entry.details if isinstance(entry.details, dict) else {}
    return str(details.get("purpose_reason", ""))


def entry_row(entry: AuditEntry) -> list[str]:
    return [
        csv_safe(value)
        for value in (
            entry.seq,
            entry.occurred_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),
            entry.actor_username,
            entry.actor_agency,
            entry.action,
            entry.outcome,
            entry.object_type,
            entry.object_id,
            purpose_label(entry.purpose),
            entry_reason(entry),
            entry.recipient,
            entry.source_address,
            canonical_json(entry.details).decode("utf-8"),
        )
    ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(
    *, report: str, marking: str, entries: Iterable[AuditEntry]
) -> StreamingHttpResponse:
    """A streamed CSV whose first line and file name carry the protective marking."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield writer.writerow([marking])
        yield writer.writerow(HEADER)
        for entry in entries:
            yield writer.writerow(entry_row(entry))
        yield writer.writerow([marking])

    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    filename = f"jointcase-audit-{report}-{marking.replace(' ', '-')}-{stamp}.csv"
    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
