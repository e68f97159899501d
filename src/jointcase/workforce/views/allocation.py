"""Allocation pages: the queue, one waiting case with its candidates and the allocation form,
and the result with the handover checklist. Thin: the selectors and the service ask
``jointcase.access.workforce``; a case outside the manager's queue is a 404, as if missing."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from jointcase.access.workforce import handover_complete_refusal
from jointcase.lib.forms import errors_onto_form
from jointcase.people.views import acting_user
from jointcase.workforce.caseload import case_weights
from jointcase.workforce.forms.allocation import AllocateForm, HandoverTickForm
from jointcase.workforce.models import HandoverAction
from jointcase.workforce.selectors.allocation import (
    allocation_get_for,
    allocation_queue_for,
    candidates_for,
    queued_case_for,
)
from jointcase.workforce.services.allocation import allocation_make, handover_action_complete


@require_http_methods(["GET"])
def allocation_queue(request: HttpRequest) -> HttpResponse:
    """Cases waiting for a lead in my agency, longest waiting first."""
    user = acting_user(request)
    rows = allocation_queue_for(user, request=request)
    return render(
        request, "workforce/allocation_queue.html", {"title": "Cases to allocate", "rows": rows}
    )


@require_http_methods(["GET", "POST"])
def allocation_case(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """One waiting case: the people I manage who may hold it, most room first, and the form."""
    user = acting_user(request)
    case, spec = queued_case_for(user, case_id, request=request)
    candidates = candidates_for(user, case, spec)
    form = AllocateForm(
        request.POST or None,
        people=[(c.load.user.pk, str(c.load.user)) for c in candidates],
    )
    if request.method == "POST" and form.is_valid():
        try:
            allocation = allocation_make(
                actor=user,
                case=case,
                candidate_id=form.cleaned_data["candidate"],
                override_reason=form.cleaned_data["override_reason"],
                request=request,
            )
        except ValidationError as error:
            errors_onto_form(form, error)
        else:
            # The result page's confirmation panel says it; no banner on top of it.
            return redirect(reverse("workforce:allocation", args=[allocation.public_id]))
    weight = case_weights([case.pk])[case.pk]["weight"]
    return render(
        request,
        "workforce/allocation_case.html",
        {
            "title": f"Allocate {case.reference}",
            "case": case,
            "weight": weight,
            "candidates": candidates,
            "eligible": [c for c in candidates if c.eligible],
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET"])
def allocation_result(request: HttpRequest, allocation_id: uuid.UUID) -> HttpResponse:
    """An allocation: who, the load it brought, the override if any, the handover checklist."""
    user = acting_user(request)
    allocation = allocation_get_for(user, allocation_id, request=request)
    actions = list(allocation.handover_actions.all())
    return render(
        request,
        "workforce/allocation_result.html",
        {
            "title": f"{allocation.case.reference} allocated",
            "allocation": allocation,
            "actions": actions,
            "may_tick": {a.pk for a in actions if handover_complete_refusal(user, a) is None},
        },
    )


@require_http_methods(["POST"])
def handover_tick(request: HttpRequest, allocation_id: uuid.UUID, action_id: int) -> HttpResponse:
    """The new lead ticks off one handover action."""
    user = acting_user(request)
    allocation = allocation_get_for(user, allocation_id, request=request)
    action = HandoverAction.objects.filter(allocation=allocation, pk=action_id).first()
    if action is None or not HandoverTickForm(request.POST).is_valid():
        raise Http404("Not found")
    handover_action_complete(actor=user, action=action, request=request)
    messages.success(request, f"Done: {action.get_step_display()}")
    return redirect(reverse("workforce:allocation", args=[allocation.public_id]))
