"""Import pages: the imports list with the upload form, a batch's progress and counts, its
quarantine, and a quarantined row (as received, why it was refused, correct and replay, or
dismiss).

Thin: parse, call a selector or a service, render. The rules are ``jointcase.access.exchange``.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from jointcase.access.acting import permission_require
from jointcase.access.exchange import (
    imports_refusal,
    linkage_review_nav_visible,
    sources_importable_by,
)
from jointcase.exchange.forms.imports import (
    CorrectionForm,
    DismissForm,
    UploadForm,
    corrected_fields,
)
from jointcase.exchange.models import QuarantineStatus
from jointcase.exchange.records import LABELS
from jointcase.exchange.selectors.imports import (
    batch_get_for,
    batches_for,
    open_quarantine_count,
    quarantine_for,
    quarantined_row_get_for,
)
from jointcase.exchange.services.imports import import_submit
from jointcase.exchange.services.quarantine import (
    correction_initial,
    quarantined_row_dismiss,
    quarantined_row_replay,
)
from jointcase.exchange.sources import sources_current
from jointcase.lib.forms import form_page
from jointcase.people.views import acting_user

PAGE_ROWS = 50


def _reasons(reasons: dict[str, str]) -> list[tuple[str, str]]:
    labels = {**LABELS, "row": "Row", "fields": "Fields"}
    return [(labels.get(field, field), message) for field, message in reasons.items()]


@require_http_methods(["GET", "POST"])
def imports(request: HttpRequest) -> HttpResponse:
    """The imports of the sources the viewer may import, and the upload form."""
    user = acting_user(request)
    permission_require(
        actor=user,
        refusal=imports_refusal(user),
        action="exchange.imports",
        object_type="import",
        object_id="list",
        request=request,
    )
    sources = [(source.code, source.label) for source in sources_importable_by(user)]
    form = UploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        sources=sources,
    )
    page = Paginator(batches_for(user), PAGE_ROWS).get_page(request.GET.get("page"))
    return form_page(
        request,
        form,
        lambda data: import_submit(
            actor=user,
            source_code=data["source"],
            file_name=data["file"].name,
            content=data["file"].read(),
            request=request,
        ),
        template="exchange/imports.html",
        context={"title": "Imports", "page": page, "labels": _source_labels()},
        success_url=lambda batch: reverse("exchange:batch", args=[batch.public_id]),
        success_message="Extract received: the import has started",
    )


def _source_labels() -> dict[str, str]:
    return {code: source.label for code, source in sources_current().items()}


@require_http_methods(["GET"])
def batch(request: HttpRequest, batch_id: str) -> HttpResponse:
    """A batch's progress and counts (the page refreshes itself until the import ends)."""
    found = batch_get_for(acting_user(request), batch_id, request=request)
    return render(
        request,
        "exchange/batch.html",
        {
            "title": f"Import of {found.file_name}",
            "batch": found,
            "labels": _source_labels(),
            "open_rows": open_quarantine_count(found),
            "review_visible": linkage_review_nav_visible(acting_user(request)),
        },
    )


@require_http_methods(["GET"])
def quarantine(request: HttpRequest, batch_id: str) -> HttpResponse:
    """A batch's quarantined rows in file order, open ones first to hand."""
    found = batch_get_for(acting_user(request), batch_id, request=request)
    status = request.GET.get("status") or ""
    if status not in QuarantineStatus.values:
        status = ""
    rows = quarantine_for(found, status=status or None)
    page = Paginator(rows, PAGE_ROWS).get_page(request.GET.get("page"))
    return render(
        request,
        "exchange/quarantine.html",
        {
            "title": f"Quarantine of {found.file_name}",
            "batch": found,
            "page": page,
            "status": status,
            "statuses": QuarantineStatus.choices,
            "reasons": {row.pk: _reasons(row.reasons) for row in page},
        },
    )


@require_http_methods(["GET", "POST"])
def quarantined_row(request: HttpRequest, row_id: str) -> HttpResponse:
    """A quarantined row: what was received and why it was refused; correct it and replay."""
    user = acting_user(request)
    row = quarantined_row_get_for(user, row_id, request=request)
    form = CorrectionForm(
        request.POST if request.method == "POST" else None, initial=correction_initial(row)
    )
    return form_page(
        request,
        form,
        lambda data: quarantined_row_replay(
            actor=user, row=row, fields=corrected_fields(data), request=request
        ),
        template="exchange/quarantined_row.html",
        context={
            "title": f"Line {row.line_number} of {row.batch.file_name}",
            "row": row,
            "reasons": _reasons(row.reasons),
            "open": row.status == QuarantineStatus.OPEN,
        },
        success_url=reverse("exchange:quarantine", args=[row.batch.public_id]),
        success_message=f"Line {row.line_number} corrected and imported",
    )


@require_http_methods(["GET", "POST"])
def quarantined_row_dismiss_page(request: HttpRequest, row_id: str) -> HttpResponse:
    """Dismiss a quarantined row, with a reason (the row as received is kept)."""
    user = acting_user(request)
    row = quarantined_row_get_for(user, row_id, request=request)
    form = DismissForm(request.POST if request.method == "POST" else None)
    return form_page(
        request,
        form,
        lambda data: quarantined_row_dismiss(
            actor=user, row=row, reason=data["reason"], request=request
        ),
        template="exchange/quarantined_row_dismiss.html",
        context={"title": f"Dismiss line {row.line_number}", "row": row},
        success_url=reverse("exchange:quarantine", args=[row.batch.public_id]),
        success_message=f"Line {row.line_number} dismissed",
    )
