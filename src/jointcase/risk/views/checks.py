"""Required-check pages: "Checks due" for me and my team, a case's checks (complete one, move
its due date with a reason, record a change of circumstance) and the compliance figures.

Thin: parse, call a selector or a service, render. Every case page opens its case through the
register's audited read (``cases.views._case_for``: the purpose question, then 404 alike for
missing and forbidden); a check is looked up only within that case, so a check id under
another case's URL is a 404 too. The services ask ``jointcase.access.checks`` themselves.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from jointcase.access.acting import Refusal, permission_require
from jointcase.access.checks import (
    check_complete_refusal,
    check_due_move_refusal,
    checks_mine_and_movable,
    compliance_refusal,
)
from jointcase.access.material import material_visible_to
from jointcase.cases.models import Case, CaseRole, Phase
from jointcase.cases.selectors import case_list_for
from jointcase.cases.views import PHASE_BADGES, _case_for, case_tabs
from jointcase.lib.sorting import sort_headers, sort_param
from jointcase.people.views import acting_user, handle_form
from jointcase.risk.check_rules import rules_current
from jointcase.risk.forms import checks as forms
from jointcase.risk.models.checks import CheckOutcome, RequiredCheck
from jointcase.risk.selectors.checks import (
    DueFilters,
    case_changes_for,
    case_checks_for,
    case_open_checks_for,
    checks_due_for,
    compliance_for,
)
from jointcase.risk.services.checks_acts import change_record, check_complete, check_due_move

if TYPE_CHECKING:
    from jointcase.accounts.models import User

PAGE_SIZE = 200
ESCALATION_LABELS = {0: "", 1: "Escalated to manager", 2: "Escalated to senior leads"}


def role_label(role: str) -> str:
    return CaseRole(role).label if role in CaseRole.values else role


def check_rows(checks: list[RequiredCheck], today: dt.date) -> list[dict[str, Any]]:
    """What a list shows of each check: display labels, never raw codes."""
    rules = rules_current()
    return [
        {
            "check": check,
            "type": rules.label_of(check.check_type),
            "trigger": check.get_trigger_display(),
            "role": role_label(check.responsible_role),
            "overdue": check.is_overdue(today),
            "escalation": ESCALATION_LABELS.get(check.escalation_level, ""),
            "outcome": CheckOutcome(check.outcome).label if check.outcome else "",
            "phase": Phase(check.phase).label if check.phase in Phase.values else check.phase,
        }
        for check in checks
    ]


#: How many open checks the risk tab lists before pointing to the case's checks page.
SUMMARY_ROWS = 20


def case_checks_summary(user: User, case: Case) -> dict[str, Any]:
    """The ``case_checks`` variable of ``risk/_case_checks.html``: the case's open checks on
    its risk tab (read through the access filter, so someone off the case gets none)."""
    today = timezone.localdate()
    open_checks = case_open_checks_for(user, case)
    shown = list(open_checks[: SUMMARY_ROWS + 1])
    total = len(shown) if len(shown) <= SUMMARY_ROWS else open_checks.count()
    return {
        "case": case,
        "rows": check_rows(shown[:SUMMARY_ROWS], today),
        "total": total,
        "overdue": sum(1 for c in shown if c.is_overdue(today))
        if total <= SUMMARY_ROWS
        else open_checks.filter(due_on__lt=today).count(),
        "link": reverse("risk:case-checks", args=[case.public_id]),
    }


def _check_of(case: Case, check_id: uuid.UUID) -> RequiredCheck:
    """A check of this case (the case already opened with its audited read), else 404."""
    check = (
        RequiredCheck.objects.filter(case_id=case.pk, public_id=check_id)
        .select_related("case")
        .first()
    )
    if check is None:
        raise Http404("Check not found")
    return check


@require_http_methods(["GET"])
def case_checks(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """The case's checks: open first with their deadlines and escalation, then completed,
    and the changes of circumstance recorded."""
    user = acting_user(request)
    case = _case_for(request, case_id)
    today = timezone.localdate()
    checks = list(case_checks_for(user, case)[:PAGE_SIZE])
    rows = check_rows(checks, today)
    mine, movable = checks_mine_and_movable(user, checks)
    for row in rows:
        if row["check"].is_open:
            row["mine"] = row["check"].pk in mine
            row["can_move"] = row["check"].pk in movable
    return render(
        request,
        "risk/case_checks.html",
        {
            "title": f"Checks: {case.person.display_name} ({case.reference})",
            "case": case,
            "tabs": case_tabs(case, "risk"),  # the checks are part of the case's risk
            "tab_title": "Required checks",
            "phase_badges": PHASE_BADGES,
            "open_rows": [r for r in rows if r["check"].is_open],
            "done_rows": [r for r in rows if not r["check"].is_open],
            "changes": list(case_changes_for(user, case)[:PAGE_SIZE]),
            "today": today,
        },
    )


def _material_choices(user: Any, case: Case) -> list[tuple[str, str]]:
    items = material_visible_to(user, case=case).order_by("-created_at")[:100]
    return [(str(item.pk), f"{item.title} ({item.classification})") for item in items]


def _check_form_of(
    request: HttpRequest,
    case_id: uuid.UUID,
    check_id: uuid.UUID,
    *,
    refusal_of: Callable[[User, RequiredCheck], Refusal | None],
    action: str,
) -> tuple[User, Case, RequiredCheck, str]:
    """The user, case, check and check label behind a form on one check, after refusing
    (a DENY entry) anyone who may not act on it, before the form is shown or read."""
    user = acting_user(request)
    case = _case_for(request, case_id)
    check = _check_of(case, check_id)
    permission_require(
        actor=user,
        refusal=refusal_of(user, check),
        action=action,
        object_type="check",
        object_id=check.pk,
        request=request,
    )
    return user, case, check, rules_current().label_of(check.check_type)


@require_http_methods(["GET", "POST"])
def check_complete_page(
    request: HttpRequest, case_id: uuid.UUID, check_id: uuid.UUID
) -> HttpResponse:
    # Refused before the form is shown or read (a DENY entry): only the responsible role.
    user, case, check, label = _check_form_of(
        request, case_id, check_id, refusal_of=check_complete_refusal, action="check.complete_form"
    )
    spec = rules_current().check_types.get(check.check_type)
    initial = {"sent_to": spec.sent_to if spec else "", "requested_on": None}
    form = forms.CheckCompleteForm(
        request.POST or None, initial=initial, material=_material_choices(user, case)
    )
    return handle_form(
        request,
        form,
        lambda c: check_complete(
            actor=user,
            check=check,
            outcome=c["outcome"],
            requested_on=c["requested_on"],
            received_on=c["received_on"],
            sent_to=c["sent_to"],
            notes=c["notes"],
            material_ids=c["material"],
            request=request,
        ),
        template="risk/check_complete.html",
        success_url=reverse("risk:case-checks", args=[case.public_id]),
        success_message=f"{label} completed",
        context={
            "title": f"Complete: {label}",
            "caption": f"{case.person.display_name} ({case.reference})",
            "check": check,
            "label": label,
            "cancel": reverse("risk:case-checks", args=[case.public_id]),
        },
    )


@require_http_methods(["GET", "POST"])
def check_due_move_page(
    request: HttpRequest, case_id: uuid.UUID, check_id: uuid.UUID
) -> HttpResponse:
    user, case, check, label = _check_form_of(
        request, case_id, check_id, refusal_of=check_due_move_refusal, action="check.due_move_form"
    )
    return handle_form(
        request,
        forms.DueMoveForm(request.POST or None),
        lambda c: check_due_move(
            actor=user, check=check, due_on=c["due_on"], reason=c["reason"], request=request
        ),
        success_url=reverse("risk:case-checks", args=[case.public_id]),
        success_message="Due date moved",
        context={
            "title": f"Move the due date: {label}",
            "caption": f"{case.person.display_name} ({case.reference})",
            "intro": f"Currently due {check.due_on:%-d %B %Y}. The reason is recorded.",
            "submit": "Move the due date",
            "cancel": reverse("risk:case-checks", args=[case.public_id]),
        },
    )


@require_http_methods(["GET", "POST"])
def change_record_page(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """Record a new relationship, a household member with children or an incident or arrest:
    the checks it calls for are raised in the same transaction."""
    user = acting_user(request)
    case = _case_for(request, case_id)
    return handle_form(
        request,
        forms.ChangeRecordForm(request.POST or None),
        lambda c: change_record(
            actor=user,
            case=case,
            kind=c["kind"],
            occurred_on=c["occurred_on"],
            description=c["description"],
            request=request,
        ),
        success_url=reverse("risk:case-checks", args=[case.public_id]),
        success_message="Change of circumstance recorded",
        context={
            "title": "Record a change of circumstance",
            "caption": f"{case.person.display_name} ({case.reference})",
            "intro": "New addresses are recorded on the person's record. The checks a change "
            "calls for are added to the case at once.",
            "submit": "Record the change",
            "cancel": reverse("risk:case-checks", args=[case.public_id]),
        },
    )


#: The checks-due list's sortable columns (``risk.selectors.checks.CHECK_ORDERS``).
CHECK_SORTS = {"case": "Check and case", "due": "Due"}


@require_http_methods(["GET"])
def checks_due(request: HttpRequest) -> HttpResponse:
    """Open checks for me (mine to complete) or my team, filterable by type, case and date."""
    user = acting_user(request)
    scope = "team" if request.GET.get("scope") == "team" else "mine"
    rules = rules_current()
    types = sorted(
        ((code, spec.label) for code, spec in rules.check_types.items()), key=lambda t: t[1]
    )
    form = forms.ChecksDueFilterForm(request.GET or None, types=types)
    sort = sort_param(request, CHECK_SORTS, "due")
    filters = DueFilters(scope=scope, sort=sort)
    if request.GET and form.is_valid():
        filters = DueFilters(
            scope=scope,
            check_type=form.cleaned_data["check_type"] or "",
            case_reference=form.cleaned_data["case"] or "",
            due_by=form.cleaned_data["due_by"],
            sort=sort,
        )
        reference = filters.case_reference
        if reference and not case_list_for(user=user).filter(reference=reference).exists():
            form.add_error("case", f"There is no case {reference} among the cases you can see")
    status = 400 if request.GET and form.errors else 200
    today = timezone.localdate()
    checks = [] if form.errors else list(checks_due_for(user, filters)[:PAGE_SIZE])
    return render(
        request,
        "risk/checks_due.html",
        {
            "title": "Checks due",
            "form": form,
            "scope": scope,
            "rows": check_rows(checks, today),
            "today": today,
            "truncated": len(checks) == PAGE_SIZE,
            "show_compliance": compliance_refusal(user) is None,
            "sort_headers": sort_headers(request, CHECK_SORTS, sort),
        },
        status=status,
    )


def _date_data(name: str, date: dt.date) -> dict[str, str]:
    """A date as the three boxes of the GOV.UK date input post it, for a default query."""
    return {
        f"{name}-day": str(date.day),
        f"{name}-month": str(date.month),
        f"{name}-year": str(date.year),
    }


@require_http_methods(["GET"])
def compliance(request: HttpRequest) -> HttpResponse:
    """Checks completed on time out of checks due, for seniors and national roles."""
    user = acting_user(request)
    permission_require(
        actor=user,
        refusal=compliance_refusal(user),
        action="check.compliance",
        object_type="checks",
        object_id="compliance",
        request=request,
    )
    today = timezone.localdate()
    start = (today.replace(day=1) - dt.timedelta(days=365)).replace(day=1)
    data = request.GET or {
        **_date_data("start", start),
        **_date_data("end", today),
        "group_by": "family",
    }
    form = forms.ComplianceForm(data)
    rows = []
    status = 200
    groups: tuple[str, ...] = ()
    if form.is_valid():
        groups = tuple(
            g for g in (form.cleaned_data["group_by"], form.cleaned_data["then_by"]) if g
        )
        rows = compliance_for(
            user, start=form.cleaned_data["start"], end=form.cleaned_data["end"], group_by=groups
        )
    else:
        status = 400
    labels = dict(forms.GROUP_CHOICES)
    due = sum(r.due for r in rows)
    on_time = sum(r.on_time for r in rows)
    return render(
        request,
        "risk/compliance.html",
        {
            "title": "Required checks: compliance",
            "form": form,
            "rows": rows,
            "headings": [labels[g] for g in groups],
            "total_due": due,
            "total_on_time": on_time,
            "total_percent": round(100 * on_time / due) if due else None,
        },
        status=status,
    )
