"""Prison training pages: the overview of establishments' compliance, an establishment's page
(per-course compliance, the named gaps for its CT lead, the confidence survey by quarter, the
POM involvement figure and the cases without it), recording a completion, and "My training"
(a member of staff's own records and the survey).

Thin: parse, call a selector or a service, render. The rules are ``jointcase.access.training``.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from jointcase.access.acting import permission_require
from jointcase.access.training import (
    completion_record_filter,
    completion_record_refusal,
    is_prison_staff,
    staff_names_decision,
    survey_refusal,
    training_overview_refusal,
)
from jointcase.accounts.models import User
from jointcase.lib.forms import errors_onto_form, form_page
from jointcase.people.views import acting_user
from jointcase.workforce.courses import courses_current
from jointcase.workforce.forms.training import CompletionForm, ConfidenceForm, DayForm
from jointcase.workforce.models import TrainingCompletion
from jointcase.workforce.selectors.pom import establishment_involvement, window_start
from jointcase.workforce.selectors.training import (
    confidence_by_quarter,
    establishment_compliance_for,
    establishment_get_for,
    my_courses,
    training_overview_for,
)
from jointcase.workforce.services.training import completion_record, confidence_record
from jointcase.workforce.services.training_expiry import expiry_window_end

SURVEY_MONTHS = 24
STATUS_LABELS = {"current": "Current", "expired": "Expired", "missing": "Not completed"}
PAGE_ROWS = 200


def _day(request: HttpRequest) -> tuple[DayForm, dt.date, int]:
    """The day the figures are for (``?on-day=&on-month=&on-year=``, default today)."""
    form = DayForm(request.GET or None)
    today = timezone.localdate()
    if not request.GET:
        return DayForm(), today, 200
    if form.is_valid():
        return form, form.cleaned_data["on"] or today, 200
    return form, today, 400


@require_http_methods(["GET"])
def overview(request: HttpRequest) -> HttpResponse:
    """Each establishment the viewer oversees, with its training compliance (the POM
    involvement figure is on each establishment's page: over every custody case of every
    establishment it would cost the overview its speed). Prison staff who oversee none are
    taken to their own training."""
    user = acting_user(request)
    refusal = training_overview_refusal(user)
    if refusal is not None and is_prison_staff(user):
        return redirect("workforce:training-mine")
    permission_require(
        actor=user,
        refusal=refusal,
        action="training.overview",
        object_type="training",
        object_id="overview",
        request=request,
    )
    form, day, status = _day(request)
    rows = training_overview_for(user, day)
    return render(
        request,
        "workforce/training_overview.html",
        {
            "title": "Prison training",
            "form": form,
            "day": day,
            "rows": rows,
            "may_record": completion_record_refusal(user) is None,
        },
        status=status,
    )


@require_http_methods(["GET"])
def establishment(request: HttpRequest, code: str) -> HttpResponse:
    """One establishment: training compliance on the day, the confidence survey by quarter,
    POM involvement (the figure over all its custody cases, the list over those the viewer
    may see)."""
    user = acting_user(request)
    place = establishment_get_for(user=user, code=code, request=request)
    form, day, status = _day(request)
    figures = establishment_compliance_for(user, place, day)
    pom, not_involved = establishment_involvement(user, place.pk, day)
    gaps = [
        {
            "name": gap.staff_name,
            "course": gap.course_label,
            "status": STATUS_LABELS[gap.status],
            "expired_on": gap.expired_on,
        }
        for gap in figures.gaps
    ]
    return render(
        request,
        "workforce/training_establishment.html",
        {
            "title": place.name,
            "place": place,
            "form": form,
            "day": day,
            "figures": figures,
            "names_shown": staff_names_decision(user, place).allowed,
            "gaps": gaps[:PAGE_ROWS],
            "gaps_total": len(gaps),
            "quarters": confidence_by_quarter(
                place, window_start(day).replace(day=1) - dt.timedelta(days=SURVEY_MONTHS * 31)
            ),
            "pom": pom,
            "pom_window_start": window_start(day),
            "not_involved": not_involved[:PAGE_ROWS],
            "may_record": completion_record_refusal(user, place) is None,
        },
        status=status,
    )


def _staff_choices(user: User) -> list[tuple[str, str]]:
    return [
        (username, f"{first} {last}".strip() or username)
        for username, first, last in User.objects.filter(completion_record_filter(user))
        .order_by("last_name", "first_name", "username")
        .values_list("username", "first_name", "last_name")
    ]


@require_http_methods(["GET", "POST"])
def record(request: HttpRequest) -> HttpResponse:
    """Record a course completion for a member of the lead's establishment's staff."""
    user = acting_user(request)
    permission_require(
        actor=user,
        refusal=completion_record_refusal(user),
        action="training.record",
        object_type="training",
        object_id="new",
        request=request,
    )
    catalogue = courses_current()
    form = CompletionForm(
        request.POST if request.method == "POST" else None,
        staff=_staff_choices(user),
        courses=[(code, course.label) for code, course in catalogue.courses.items()],
    )
    agency = user.agency
    assert agency is not None  # completion_record_refusal: only a prison establishment's CT lead
    place_url = reverse("workforce:training-establishment", args=[agency.code])
    return form_page(
        request,
        form,
        lambda data: completion_record(
            actor=user,
            staff=data["staff"],
            course_code=data["course"],
            completed_on=data["completed_on"],
            evidence_note=data["evidence_note"],
            request=request,
        ),
        template="workforce/training_record.html",
        context={"title": "Record a course completion", "cancel": place_url},
        success_url=place_url,
        success_message="Course completion recorded",
    )


@require_http_methods(["GET", "POST"])
def mine(request: HttpRequest) -> HttpResponse:
    """A member of staff's own required courses and records, and the confidence survey."""
    user = acting_user(request)
    may_answer = survey_refusal(user) is None
    form = ConfidenceForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        permission_require(
            actor=user,
            refusal=survey_refusal(user),
            action="training.survey",
            object_type="survey",
            object_id="new",
            request=request,
        )
        if form.is_valid():
            try:
                confidence_record(
                    actor=user,
                    recognise=form.cleaned_data["recognise"],
                    challenge=form.cleaned_data["challenge"],
                    request=request,
                )
            except ValidationError as error:
                errors_onto_form(form, error, None)
            else:
                messages.success(request, "Thank you: your answers are recorded")
                return redirect("workforce:training-mine")
        status = 400
    today = timezone.localdate()
    catalogue = courses_current()
    soon = expiry_window_end(today)
    courses = [
        {
            "row": row,
            "status": STATUS_LABELS[row.status],
            "expires_soon": row.status == "current"
            and row.expires_on is not None
            and row.expires_on <= soon,
        }
        for row in my_courses(user, today)
    ]
    records = [
        {
            "course": catalogue.label_of(done.course_code),
            "completed_on": done.completed_on,
            "expires_on": done.expires_on,
            "current": done.is_current(today),
            "evidence": done.evidence_note,
        }
        for done in TrainingCompletion.objects.filter(staff=user).order_by("-completed_on", "-pk")[
            :PAGE_ROWS
        ]
    ]
    return render(
        request,
        "workforce/training_mine.html",
        {
            "title": "My training",
            "courses": courses,
            "records": records,
            "form": form,
            "may_answer": may_answer,
        },
        status=status,
    )
