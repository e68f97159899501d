"""Auditor pages (AUDITOR role only; everyone else gets 404) and the purpose page.

Every report an auditor runs or exports is itself an audit entry. Logged values are shown as
text (autoescaped) and exported with formula-injection protection: they are evidence, never
markup or code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from jointcase.access.roles import is_auditor
from jointcase.audit import selectors
from jointcase.audit.exports import csv_response, entry_reason, purpose_label
from jointcase.audit.forms import AuditSearchForm, ObjectReportForm, PurposeForm, UserReportForm
from jointcase.audit.labels import details_lines, reason_label, record_label
from jointcase.audit.models import AuditEntry
from jointcase.audit.purpose import Purpose, purpose_store, valid_object
from jointcase.audit.services import audit_record
from jointcase.home.marking import marking_for_request

View = Callable[..., HttpResponseBase]


def auditor_only(view: View) -> View:
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not is_auditor(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _rows(entries: list[AuditEntry]) -> list[dict[str, Any]]:
    names = selectors.audit_record_names(entries)
    agencies = selectors.audit_agency_names(entries)
    return [
        {
            "entry": entry,
            "purpose": purpose_label(entry.purpose),
            "reason": reason_label(entry_reason(entry)),
            "agency": agencies.get(entry.actor_agency, entry.actor_agency),
            "details": details_lines(entry.details),
            "record": record_label(
                entry.object_type,
                entry.object_id,
                names.get((entry.object_type, entry.object_id), ""),
            ),
        }
        for entry in entries
    ]


def _page_number(request: HttpRequest) -> int:
    """The page asked for: anything but a whole number from 1 is the first page."""
    try:
        return max(1, min(int(request.GET.get("page", "1")), 1_000_000))
    except ValueError:
        return 1


def _page_url(request: HttpRequest, number: int) -> str:
    query = request.GET.copy()
    query["page"] = str(number)
    return "?" + query.urlencode()


def _report(
    request: HttpRequest,
    *,
    report: str,
    title: str,
    form: Any,
    entries: QuerySet[AuditEntry] | None,
    query: dict[str, Any],
    export_name: str,
) -> HttpResponse:
    marking = settings.AUDIT_REPORT_MARKING
    marking_for_request(request).note(marking)
    rows: list[dict[str, Any]] = []
    number = _page_number(request)
    has_next = False
    if entries is not None:
        size = settings.AUDIT_REPORT_PAGE_ROWS
        with transaction.atomic():
            page = list(entries[(number - 1) * size : number * size + 1])
            audit_record(
                action="audit.report_viewed",
                actor=request.user,
                object_type="audit.report",
                object_id=report,
                details={**query, "page": number} if number > 1 else query,
                request=request,
            )
        has_next = len(page) > size
        rows = _rows(page[:size])
    export_url = ""
    if entries is not None:
        export_query = request.GET.copy()
        export_query.pop("page", None)
        export_url = reverse(export_name) + "?" + export_query.urlencode()
    return render(
        request,
        "audit/report.html",
        {
            "title": title,
            "report": report,
            "form": form,
            "rows": rows,
            "ran": entries is not None,
            "page_number": number,
            "previous_url": _page_url(request, number - 1) if number > 1 else "",
            "next_url": _page_url(request, number + 1) if has_next else "",
            "first_row": (number - 1) * settings.AUDIT_REPORT_PAGE_ROWS + 1,
            "marking": marking,
            "export_url": export_url,
        },
        status=400 if form is not None and form.is_bound and form.errors else 200,
    )


def _export(
    request: HttpRequest, *, report: str, entries: QuerySet[AuditEntry], query: dict[str, Any]
) -> HttpResponseBase:
    marking = settings.AUDIT_REPORT_MARKING
    with transaction.atomic():
        audit_record(
            action="audit.report_exported",
            actor=request.user,
            object_type="audit.report",
            object_id=report,
            recipient=f"download:{request.user.get_username()}",
            details={**query, "format": "csv"},
            request=request,
        )
    limited = entries[: settings.AUDIT_EXPORT_MAX_ROWS].iterator(chunk_size=2000)
    return csv_response(report=report, marking=marking, entries=limited)


@require_GET
@auditor_only
def index(request: HttpRequest) -> HttpResponse:
    marking_for_request(request).note(settings.AUDIT_REPORT_MARKING)
    return render(
        request,
        "audit/index.html",
        {"title": "Audit", "status": selectors.audit_chain_status(user=request.user)},
    )


def _search_query(
    request: HttpRequest,
) -> tuple[AuditSearchForm, QuerySet[AuditEntry] | None, dict[str, Any]]:
    params = request.GET.copy()
    params.pop("page", None)
    form = AuditSearchForm(params if params else None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        entries = selectors.audit_search(
            user=request.user,
            case=data["case_reference"],
            person=data["person"],
            username=data["username"],
            date_from=data["date_from"],
            date_to=data["date_to"],
        )
        return form, entries, form.query()
    return form, None, {}


@require_GET
@auditor_only
def search(request: HttpRequest) -> HttpResponse:
    """Search the log by case reference, person, user and period."""
    form, entries, query = _search_query(request)
    return _report(
        request,
        report="search",
        title="Search the audit log",
        form=form,
        entries=entries,
        query=query,
        export_name="audit:search-export",
    )


@require_GET
@auditor_only
def search_export(request: HttpRequest) -> HttpResponseBase:
    _, entries, query = _search_query(request)
    if entries is None:
        return HttpResponseRedirect(reverse("audit:search"))
    return _export(request, report="search", entries=entries, query=query)


def _object_query(
    request: HttpRequest,
) -> tuple[ObjectReportForm, QuerySet[AuditEntry] | None, dict[str, Any]]:
    params = request.GET.copy()
    params.pop("page", None)
    form = ObjectReportForm(params if params else None)
    if form.is_bound and form.is_valid():
        query = dict(form.cleaned_data)
        return form, selectors.audit_entries_for_object(user=request.user, **query), query
    return form, None, {}


@require_GET
@auditor_only
def object_report(request: HttpRequest) -> HttpResponse:
    form, entries, query = _object_query(request)
    return _report(
        request,
        report="who-accessed",
        title="Who accessed a record",
        form=form,
        entries=entries,
        query=query,
        export_name="audit:object-export",
    )


@require_GET
@auditor_only
def object_export(request: HttpRequest) -> HttpResponseBase:
    _, entries, query = _object_query(request)
    if entries is None:
        return HttpResponseRedirect(reverse("audit:object-report"))
    return _export(request, report="who-accessed", entries=entries, query=query)


def _user_query(
    request: HttpRequest,
) -> tuple[UserReportForm, QuerySet[AuditEntry] | None, dict[str, Any]]:
    params = request.GET.copy()
    params.pop("page", None)
    form = UserReportForm(params if params else None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        entries = selectors.audit_entries_by_user(
            user=request.user,
            username=data["username"],
            date_from=data["date_from"],
            date_to=data["date_to"],
        )
        query = {
            "username": data["username"],
            "date_from": data["date_from"].isoformat(),
            "date_to": data["date_to"].isoformat(),
        }
        return form, entries, query
    return form, None, {}


@require_GET
@auditor_only
def user_report(request: HttpRequest) -> HttpResponse:
    form, entries, query = _user_query(request)
    return _report(
        request,
        report="user-activity",
        title="What a user did",
        form=form,
        entries=entries,
        query=query,
        export_name="audit:user-export",
    )


@require_GET
@auditor_only
def user_export(request: HttpRequest) -> HttpResponseBase:
    _, entries, query = _user_query(request)
    if entries is None:
        return HttpResponseRedirect(reverse("audit:user-report"))
    return _export(request, report="user-activity", entries=entries, query=query)


@require_GET
@auditor_only
def breakglass_queue(request: HttpRequest) -> HttpResponse:
    return _report(
        request,
        report="break-glass",
        title="Break-glass review queue",
        form=None,
        entries=selectors.audit_breakglass_queue(user=request.user),
        query={},
        export_name="audit:breakglass-export",
    )


@require_GET
@auditor_only
def breakglass_export(request: HttpRequest) -> HttpResponseBase:
    entries = selectors.audit_breakglass_queue(user=request.user)
    return _export(request, report="break-glass", entries=entries, query={})


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home:home")


@require_http_methods(["GET", "POST"])
def purpose(request: HttpRequest) -> HttpResponse:
    """Declare why you are opening a record; stored for this session and in the chain."""
    source = request.POST if request.method == "POST" else request.GET
    object_type = source.get("object_type", "")
    object_id = source.get("object_id", "")
    if not valid_object(object_type, object_id):
        raise Http404
    form = PurposeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["purpose"]
        reason = form.cleaned_data["reason"].strip()
        with transaction.atomic():
            purpose_store(request, object_type, object_id, chosen, reason)
            audit_record(
                action="audit.purpose_declared",
                actor=request.user,
                object_type=object_type,
                object_id=object_id,
                purpose=chosen,
                reason=reason,
                request=request,
            )
        return HttpResponseRedirect(_safe_next(request))
    return render(
        request,
        "audit/purpose.html",
        {
            "title": "Why are you opening this record?",
            "form": form,
            "object_type": object_type,
            "object_id": object_id,
            "next": _safe_next(request),
            "purposes": Purpose.choices,
            "break_glass": Purpose.BREAK_GLASS.value,
        },
        status=400 if form.errors else 200,
    )
