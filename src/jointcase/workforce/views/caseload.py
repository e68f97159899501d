"""Caseload pages: my caseload, a managed person's caseload (and their capacity record), the
team caseload of a manager and the capacity figures. Thin: parse, call a selector or a service,
render. The selectors and services ask ``jointcase.access.workforce`` themselves; a refusal
the viewer may not even know about is answered 404 like a missing page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from jointcase.access.acting import permission_require
from jointcase.access.labels import Classification
from jointcase.access.workforce import (
    allocation_queue_refusal,
    capacity_refusal,
    capacity_set_refusal,
    team_caseload_refusal,
)
from jointcase.home.marking import marking_for_request
from jointcase.people.views import acting_user, handle_form
from jointcase.workforce.figures import stale_since
from jointcase.workforce.forms.caseload import CapacityForm
from jointcase.workforce.selectors.caseload import (
    capacity_for,
    capacity_totals,
    caseload_for,
    caseload_subject,
    team_caseload_for,
)
from jointcase.workforce.services.caseload import capacity_set


def _caseload_page(request: HttpRequest, subject_id: int | None) -> HttpResponse:
    user = acting_user(request)
    load = caseload_for(user, subject_id, request=request)
    mine = load.user.pk == user.pk
    marking_for_request(request).note(Classification.OFFICIAL_SENSITIVE)
    return render(
        request,
        "workforce/caseload.html",
        {
            "title": "My caseload" if mine else f"Caseload: {load.user}",
            "load": load,
            "mine": mine,
            "show_team": team_caseload_refusal(user) is None,
            "show_queue": allocation_queue_refusal(user) is None,
            "show_capacity": capacity_refusal(user) is None,
            "can_set_capacity": not mine and capacity_set_refusal(user, load.user) is None,
            "as_of": stale_since([load]),
        },
    )


@require_http_methods(["GET"])
def caseload_mine(request: HttpRequest) -> HttpResponse:
    """My cases with their weights, my load against my capacity."""
    return _caseload_page(request, None)


@require_http_methods(["GET"])
def caseload_person(request: HttpRequest, user_id: int) -> HttpResponse:
    """The caseload of someone I manage (404 for anyone else, as for nobody)."""
    return _caseload_page(request, user_id)


@require_http_methods(["GET", "POST"])
def capacity_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    """Record the contracted hours and other duties of someone I manage."""
    user = acting_user(request)
    subject = caseload_subject(user, user_id, request)
    # Refused before the form is shown or read (a DENY entry): only the person's manager.
    permission_require(
        actor=user,
        refusal=capacity_set_refusal(user, subject),
        action="workforce.capacity_set_form",
        object_type="user",
        object_id=subject.pk,
        request=request,
    )
    load = caseload_for(user, subject.pk, request=request)
    record = load.record
    initial = {
        "hours_percent": int((record.hours_fraction * 100) if record else 100),
        "reduction_percent": int((record.other_duties_reduction * 100) if record else 0),
        "other_duties": record.other_duties if record else "",
        "effective_from": timezone.localdate(),
    }
    form = CapacityForm(request.POST or None, initial=initial)
    back = reverse("workforce:caseload-person", args=[subject.pk])
    return handle_form(
        request,
        form,
        lambda _c: capacity_set(actor=user, subject=subject, request=request, **form.values()),
        success_url=back,
        success_message=f"Capacity recorded for {subject}",
        context={
            "title": f"Capacity: {subject}",
            "intro": "Capacity is the role's cap, times the contracted hours, less the share "
            "taken by other duties. The change is recorded with your name.",
            "submit": "Record the capacity",
            "cancel": back,
        },
    )


@require_http_methods(["GET"])
def team_caseload(request: HttpRequest) -> HttpResponse:
    """Each person I manage: load against capacity, cases and overdue contacts."""
    user = acting_user(request)
    loads = team_caseload_for(user, request=request)
    return render(
        request,
        "workforce/caseload_team.html",
        {
            "title": "Team caseload",
            "loads": loads,
            "show_queue": allocation_queue_refusal(user) is None,
            "as_of": stale_since(loads),
        },
    )


@require_http_methods(["GET"])
def capacity(request: HttpRequest) -> HttpResponse:
    """Capacity per agency: aggregates only, never a case or a person."""
    user = acting_user(request)
    rows = capacity_for(user, request=request)
    total = capacity_totals(rows)
    stale = total.as_of is not None and total.as_of < timezone.localdate()
    return render(
        request,
        "workforce/capacity.html",
        {
            "title": "Capacity by agency",
            "rows": rows,
            "total": total,
            "as_of": total.computed_at if stale else None,
        },
    )
