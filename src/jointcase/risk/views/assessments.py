"""Assessment pages: start one, rate every domain and the RoSH matrix, write a labelled
section, complete, countersign or return, and read one at your clearance.

Thin: parse, call a selector or a service, render. Every page opens the assessment through
``risk.selectors.assessments.assessment_get_for`` (404 alike for missing and forbidden, the
read in the audit chain), after asking the purpose of consultation of its case (only when
the user may see that case, so the question reveals nothing). The services ask
``jointcase.access`` again, whoever calls them.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from jointcase.access.acting import NotPermitted, permission_require
from jointcase.access.assessments import (
    assessment_countersign_refusal,
    assessment_edit_refusal,
)
from jointcase.audit.purpose import purpose_ask_cases
from jointcase.cases.views import _case_for
from jointcase.home.marking import marking_for_request
from jointcase.lib.forms import errors_onto_form
from jointcase.people.views import acting_user
from jointcase.risk.forms.assessments import (
    AssessmentForm,
    ReturnForm,
    SectionForm,
    StartForm,
    assessment_initial,
)
from jointcase.risk.instruments import instrument_get
from jointcase.risk.models.assessments import Assessment
from jointcase.risk.selectors.assessments import (
    assessment_changes,
    assessment_get_for,
    assessment_view,
    check_choices,
    material_choices,
    previous_completed,
)
from jointcase.risk.services.assessments import (
    assessment_complete,
    assessment_countersign,
    assessment_return,
    assessment_save,
    assessment_section_save,
    assessment_start,
    completion_errors,
)


def _assessment_for(request: HttpRequest, assessment_id: uuid.UUID) -> Assessment:
    """The assessment if the user may see it (404 otherwise), the purpose of consultation
    asked inside the read: about its case, when the user may see the case (a reader let in
    another way, break-glass, is not asked)."""
    assessment = assessment_get_for(
        user=acting_user(request),
        assessment_id=assessment_id,
        request=request,
        on_allowed=lambda found: purpose_ask_cases(request, [found.case_id]),
    )
    marking_for_request(request).note(assessment.classification)
    return assessment


def _editor_required(request: HttpRequest, assessment: Assessment) -> None:
    """A 403 (with a DENY entry) before the form is shown or read, for anyone who may see the
    assessment but not change it; the service asks again when it saves."""
    user = acting_user(request)
    permission_require(
        actor=user,
        refusal=assessment_edit_refusal(user, assessment),
        action="risk.assessment.edit_form",
        object_type="assessment",
        object_id=assessment.pk,
        request=request,
    )


def _url(assessment: Assessment, name: str = "assessment") -> str:
    return reverse(f"risk:{name}", args=[assessment.public_id])


# --- Start ---------------------------------------------------------------------------------


@require_http_methods(["POST"])
def assessment_new(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """Start an assessment from the risk tab's form (a refusal is audited by the service)."""
    case = _case_for(request, case_id)
    form = StartForm(request.POST)
    if form.is_valid():
        try:
            assessment = assessment_start(
                actor=acting_user(request),
                case=case,
                instrument_code=form.cleaned_data["instrument"],
                request=request,
            )
        except ValidationError as error:
            errors_onto_form(form, error)
        else:
            messages.success(request, "Assessment started")
            return redirect(_url(assessment, "assessment-edit"))
    return render(
        request,
        "risk/assessment_start.html",
        {"title": "Start an assessment", "case": case, "form": form},
        status=400,
    )


# --- Read ----------------------------------------------------------------------------------


def _render_assessment(
    request: HttpRequest,
    assessment: Assessment,
    *,
    status: int = 200,
    problems: dict[str, list[str]] | None = None,
    return_form: ReturnForm | None = None,
) -> HttpResponse:
    user = acting_user(request)
    view = assessment_view(user=user, assessment=assessment, request=request)
    marking_for_request(request).note(view.marking)
    previous = previous_completed(user=user, assessment=assessment)
    changes = assessment_changes(previous, assessment)
    return render(
        request,
        "risk/assessment_detail.html",
        {
            "title": f"Risk assessment: {assessment.case.person.display_name}",
            "view": view,
            "case": assessment.case,
            "previous": previous,
            "changes": [c for c in changes if c.changed] if previous else [],
            "events": list(assessment.events.select_related("actor")),
            "can_edit": assessment_edit_refusal(user, assessment) is None,
            "can_countersign": assessment_countersign_refusal(user, assessment) is None,
            "outstanding": completion_errors(assessment) if problems is None else problems,
            "problems": problems,
            "return_form": return_form or ReturnForm(),
        },
        status=status,
    )


@require_http_methods(["GET"])
def assessment_detail(request: HttpRequest, assessment_id: uuid.UUID) -> HttpResponse:
    return _render_assessment(request, _assessment_for(request, assessment_id))


# --- Write ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def assessment_edit(request: HttpRequest, assessment_id: uuid.UUID) -> HttpResponse:
    """Rate every domain, the RoSH matrix and the summary (a draft may be saved incomplete)."""
    assessment = _assessment_for(request, assessment_id)
    user = acting_user(request)
    _editor_required(request, assessment)
    form = AssessmentForm(
        request.POST if request.method == "POST" else None,
        assessment=assessment,
        initial=assessment_initial(assessment),
        material=material_choices(user=user, case=assessment.case),
        checks=check_choices(user=user, case=assessment.case),
    )
    if request.method == "POST" and form.is_valid():
        try:
            assessment_save(
                actor=user, assessment=assessment, data=form.to_input(), request=request
            )
        except ValidationError as error:
            errors_onto_form(form, error)
        else:
            messages.success(request, "Assessment saved")
            return redirect(_url(assessment))
    return render(
        request,
        "risk/assessment_edit.html",
        {
            "title": "Rate every risk domain",
            "assessment": assessment,
            "case": assessment.case,
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def assessment_section(
    request: HttpRequest, assessment_id: uuid.UUID, section_code: str
) -> HttpResponse:
    """Write one instrument section under its own label."""
    assessment = _assessment_for(request, assessment_id)
    user = acting_user(request)
    instrument = instrument_get(assessment.instrument_code, assessment.instrument_version)
    spec = instrument.section(section_code) if instrument is not None else None
    if spec is None:
        raise Http404("Assessment not found")
    _editor_required(request, assessment)
    form = SectionForm(request.POST if request.method == "POST" else None, section=spec)
    if request.method == "POST" and form.is_valid():
        try:
            assessment_section_save(
                actor=user,
                assessment=assessment,
                section_code=spec.code,
                notes=form.cleaned_data["notes"],
                factors=form.factors(),
                classification=form.cleaned_data["classification"],
                request=request,
            )
        except (ValidationError, NotPermitted) as error:
            if isinstance(error, NotPermitted) and error.hidden:
                raise
            if isinstance(error, NotPermitted):
                form.add_error("classification", error.message)
            else:
                errors_onto_form(form, error)
        else:
            messages.success(request, f"{spec.title} saved")
            return redirect(_url(assessment))
    return render(
        request,
        "risk/assessment_section.html",
        {"title": spec.title, "assessment": assessment, "spec": spec, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["POST"])
def assessment_complete_view(request: HttpRequest, assessment_id: uuid.UUID) -> HttpResponse:
    """Complete and send for countersignature; a blank domain shows the error summary."""
    assessment = _assessment_for(request, assessment_id)
    try:
        assessment_complete(actor=acting_user(request), assessment=assessment, request=request)
    except ValidationError as error:
        return _render_assessment(request, assessment, status=400, problems=error.message_dict)
    messages.success(request, "Assessment completed and sent for countersignature")
    return redirect(_url(assessment))


@require_http_methods(["POST"])
def assessment_countersign_view(request: HttpRequest, assessment_id: uuid.UUID) -> HttpResponse:
    assessment = _assessment_for(request, assessment_id)
    assessment_countersign(actor=acting_user(request), assessment=assessment, request=request)
    messages.success(request, "Assessment countersigned")
    return redirect(_url(assessment))


@require_http_methods(["POST"])
def assessment_return_view(request: HttpRequest, assessment_id: uuid.UUID) -> HttpResponse:
    assessment = _assessment_for(request, assessment_id)
    form = ReturnForm(request.POST)
    if form.is_valid():
        assessment_return(
            actor=acting_user(request),
            assessment=assessment,
            reason=form.cleaned_data["reason"],
            request=request,
        )
        messages.success(request, "Assessment returned to the assessor")
        return redirect(_url(assessment))
    return _render_assessment(request, assessment, status=400, return_form=form)
