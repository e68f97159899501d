"""Case pages: my cases, my team's cases, search, the case page's tabs and every case form.

Thin: parse, call a selector or a service, render. Every case page reads its case through
``cases.selectors.case_get_for`` (one call per request): a case the user may not see answers
404 exactly like a missing one, and the read (or the refusal) is in the audit chain. Lists
and search read through ``jointcase.access`` inside their database queries.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from jointcase.access.acting import permission_require
from jointcase.access.cases import case_team_manage_decision, case_team_manage_refusal
from jointcase.access.labels import Classification
from jointcase.agencies.models import Agency
from jointcase.audit.purpose import purpose_ask_case_read
from jointcase.cases import forms as case_forms
from jointcase.cases import services
from jointcase.cases.conditions import catalogue
from jointcase.cases.models import Case, Phase, TimelineKind
from jointcase.cases.selectors import (
    case_get_for,
    case_history_for,
    case_opened_for,
    case_timeline_for,
    my_cases_for,
    my_team_cases_for,
    timeline_shown,
)
from jointcase.cases.selectors import case_overview as overview_of
from jointcase.home.marking import marking_for_request
from jointcase.people.forms import SearchForm
from jointcase.people.search import search_register
from jointcase.people.views import acting_user, handle_form
from jointcase.risk.selectors.assessments import risk_summary_for
from jointcase.workforce.selectors.allocation import handover_for_case

#: MoJ badge modifier per phase (colours carry no meaning on their own: the text says it).
PHASE_BADGES = {
    Phase.CUSTODY: "purple",
    Phase.PRE_RELEASE: "blue",
    Phase.LICENCE: "green",
    Phase.POST_LICENCE: "grey",
    Phase.RECALLED: "red",
    Phase.CLOSED: "grey",
}


# --- Purpose of consultation and the case read ------------------------------------------------


def _case_for(request: HttpRequest, case_id: uuid.UUID) -> Case:
    """The case, read once through the selector (audited); 404 for missing and forbidden.

    A user who may see the case but has not yet said why they are opening it in this session
    is sent to the purpose page (``jointcase.audit.purpose``, the one gate every page showing
    case content uses) before the read is recorded. Whether to ask is only decided for a case
    the user may see, so the question itself reveals nothing.
    """
    case = case_get_for(
        user=acting_user(request),
        case_id=case_id,
        request=request,
        on_allowed=purpose_ask_case_read(request),
    )
    marking_for_request(request).note(Classification.OFFICIAL_SENSITIVE)
    return case


def can_manage_team(user: Any, case: Case) -> bool:
    """Whether to offer the team, exclusion and grant forms (``jointcase.access.cases`` decides;
    the services ask it again, whoever calls them)."""
    return case_team_manage_decision(user, case).allowed


def _team_manager_required(request: HttpRequest, case: Case, action: str) -> None:
    """A 403 (with a DENY entry) before the form is shown or read, for anyone who may see the
    case but not manage its team."""
    permission_require(
        actor=acting_user(request),
        refusal=case_team_manage_refusal(acting_user(request), case),
        action=action,
        object_type="case",
        object_id=case.pk,
        request=request,
    )


# --- Lists ------------------------------------------------------------------------------------


@dataclass
class CaseRow:
    case: Case
    next_date: dt.date | None
    next_label: str
    days: int | None


def _next_key_date(case: Case, today: dt.date) -> tuple[dt.date | None, str]:
    upcoming: list[tuple[dt.date, str]] = []
    sentences = list(case.sentences.all())
    if sentences:
        for _field, label, value in sentences[0].key_dates:
            if isinstance(value, dt.date) and value >= today:
                upcoming.append((value, label))
    for registration in case.mappa_registrations.all():
        if registration.valid_to is None and registration.review_date >= today:
            upcoming.append((registration.review_date, "MAPPA review"))
    if not upcoming:
        return None, ""
    return min(upcoming)


SORTS = {
    "next_key_date": "Next key date",
    "name": "Name",
    "reference": "Case reference",
}


def _case_rows(cases: Any, sort: str) -> list[CaseRow]:
    today = timezone.localdate()
    rows = []
    for case in cases.select_related("person", "lead_agency").prefetch_related(
        "sentences", "mappa_registrations"
    ):
        when, label = _next_key_date(case, today)
        rows.append(CaseRow(case, when, label, (when - today).days if when else None))
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key == "name":
        rows.sort(key=lambda r: (r.case.person.display_name, r.case.reference), reverse=descending)
    elif key == "reference":
        rows.sort(key=lambda r: r.case.reference, reverse=descending)
    else:
        dated = sorted(
            (row for row in rows if row.next_date is not None),
            key=lambda r: (r.next_date, r.case.reference),
            reverse=descending,
        )
        rows = dated + [row for row in rows if row.next_date is None]
    return rows


def _sort_param(request: HttpRequest) -> str:
    sort = request.GET.get("sort", "next_key_date")
    return sort if sort.lstrip("-") in SORTS else "next_key_date"


def _list_page(request: HttpRequest, cases: Any, title: str, current: str) -> HttpResponse:
    sort = _sort_param(request)
    rows = _case_rows(cases, sort)
    if rows:
        marking_for_request(request).note(Classification.OFFICIAL_SENSITIVE)
    return render(
        request,
        "cases/list.html",
        {
            "title": title,
            "rows": rows,
            "sort": sort,
            "sorts": SORTS,
            "current": current,
            "phase_badges": PHASE_BADGES,
        },
    )


@require_http_methods(["GET"])
def my_cases(request: HttpRequest) -> HttpResponse:

    return _list_page(request, my_cases_for(acting_user(request)), "My cases", "mine")


@require_http_methods(["GET"])
def team_cases(request: HttpRequest) -> HttpResponse:

    return _list_page(request, my_team_cases_for(acting_user(request)), "My team's cases", "team")


@require_http_methods(["GET"])
def search(request: HttpRequest) -> HttpResponse:
    """One box: name, alias, date of birth or identifier. Never says what it left out."""

    form = SearchForm(request.GET or None)
    outcome = None
    status = 200
    if form.is_bound and form.is_valid() and form.cleaned_data["q"].strip():
        outcome = search_register(user=acting_user(request), text=form.cleaned_data["q"])
        if outcome.error:
            form.add_error("q", outcome.error)
            outcome = None
    if form.errors:
        status = 400
    if outcome and outcome.results:
        marking_for_request(request).note(Classification.OFFICIAL_SENSITIVE)
    return render(
        request,
        "cases/search.html",
        {"title": "Search", "form": form, "outcome": outcome, "phase_badges": PHASE_BADGES},
        status=status,
    )


# --- The case page ------------------------------------------------------------------------------

TABS = (
    ("case", "Overview"),
    ("case-person", "Person"),
    ("case-sentence", "Sentence and licence"),
    ("case-notification", "Notification requirements"),
    ("case-team", "Team"),
    ("case-timeline", "Timeline"),
    ("case-history", "History"),
)


def case_tabs(case: Case, tab: str) -> list[dict[str, Any]]:
    """The case page's sub navigation with ``tab`` active (other apps' case pages use it too:
    their tab names are ``material`` and ``risk``). The case's required checks are part of
    its risk (the Risk tab lists the open ones and links to them all), so the navigation
    stays short."""
    tabs = [
        {
            "text": text,
            "href": reverse(f"cases:{name}", args=[case.public_id]),
            "active": name == tab,
        }
        for name, text in TABS
    ]
    # The material and risk tabs are their apps' own pages (their own access rules decide).
    tabs.insert(
        len(tabs) - 2,
        {
            "text": "Material",
            "href": reverse("material:case-material", args=[case.public_id]),
            "active": tab == "material",
        },
    )
    tabs.insert(
        len(tabs) - 2,
        {
            "text": "Risk",
            "href": reverse("risk:case-risk", args=[case.public_id]),
            "active": tab == "risk",
        },
    )
    tabs.insert(
        len(tabs) - 2,
        {
            "text": "Contacts",
            "href": reverse("supervision:case-contacts", args=[case.public_id]),
            "active": tab == "contacts",
        },
    )
    return tabs


def _render_case(
    request: HttpRequest, case: Case, tab: str, template: str, status: int = 200, **context: Any
) -> HttpResponse:
    tabs = case_tabs(case, tab)
    title = dict(TABS)[tab]
    return render(
        request,
        template,
        {
            "title": f"{title}: {case.person.display_name} ({case.reference})",
            "case": case,
            "tabs": tabs,
            "tab_title": title,
            "phase_badges": PHASE_BADGES,
            **context,
        },
        status=status,
    )


@require_http_methods(["GET"])
def case_overview(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = acting_user(request)
    # The case facts that decided the read also scope the risk summary (read once).
    case, context = case_opened_for(
        user=user, case_id=case_id, request=request, on_allowed=purpose_ask_case_read(request)
    )
    marking_for_request(request).note(Classification.OFFICIAL_SENSITIVE)
    return _render_case(
        request,
        case,
        "case",
        "cases/overview.html",
        facts=overview_of(case),
        today=timezone.localdate(),
        risk_summary=risk_summary_for(user=user, case=case, context=context),
        handover=handover_for_case(user, case),
    )


@require_http_methods(["GET"])
def case_person(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = _case_for(request, case_id)
    person = case.person
    details = {
        "names": list(person.names.all()),
        "identifiers": list(person.identifiers.select_related("agency")),
        "addresses": list(person.addresses.all()),
        "contacts": list(person.contacts.all()),
        "vehicles": list(person.vehicles.all()),
        "documents": list(person.documents.all()),
    }
    return _render_case(
        request, case, "case-person", "cases/person.html", person=person, details=details
    )


@require_http_methods(["GET"])
def case_sentence(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = _case_for(request, case_id)
    today = timezone.localdate()
    sentences = list(case.sentences.all())
    licences = list(case.licences.prefetch_related("conditions"))
    return _render_case(
        request,
        case,
        "case-sentence",
        "cases/sentence.html",
        sentences=sentences,
        licences=licences,
        placements=list(case.placements.select_related("establishment")),
        recalls=list(case.recalls.all()),
        exits=list(case.exits.select_related("to_agency")),
        today=today,
    )


@require_http_methods(["GET"])
def case_notification(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = _case_for(request, case_id)
    requirements = list(case.notification_requirements.select_related("sentence"))
    return _render_case(
        request,
        case,
        "case-notification",
        "cases/notification.html",
        requirements=requirements,
        today=timezone.localdate(),
    )


@require_http_methods(["GET"])
def case_team(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = _case_for(request, case_id)
    user = acting_user(request)
    manager = can_manage_team(user, case)
    today = timezone.localdate()
    members = list(
        case.team_members.select_related("user", "team", "agency").order_by("start", "pk")
    )
    current = [m for m in members if m.start <= today and (m.end is None or m.end >= today)]
    past = [m for m in members if m not in current]
    exclusions = list(case.exclusions.select_related("user", "created_by")) if manager else []
    return _render_case(
        request,
        case,
        "case-team",
        "cases/team.html",
        current=current,
        past=past,
        manager=manager,
        exclusions=exclusions,
    )


@require_http_methods(["GET"])
def case_timeline(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:

    case = _case_for(request, case_id)
    form = case_forms.TimelineFilterForm(request.GET)
    agency_id = kind = None
    status = 200
    if form.is_valid():
        agency_id = form.cleaned_data["agency"]
        kind = form.cleaned_data["kind"] or None
        if kind and kind not in TimelineKind.values:
            form.add_error("kind", "Select the type of event from the list")
    if form.errors:
        status = 400
        agency_id = kind = None
    user = acting_user(request)
    agencies = Agency.objects.filter(
        pk__in=case_timeline_for(user=user, case=case)
        .exclude(agency__isnull=True)
        .values("agency_id")
    ).order_by("name")
    events = timeline_shown(
        user,
        case,
        list(case_timeline_for(user=user, case=case, agency=agency_id, kind=kind)[:1000]),
    )
    return _render_case(
        request,
        case,
        "case-timeline",
        "cases/timeline.html",
        status=status,
        form=form,
        events=events,
        agencies=list(agencies),
        kinds=TimelineKind.choices,
        selected_agency=agency_id,
        selected_kind=kind or "",
    )


@require_http_methods(["GET"])
def case_history(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:

    case = _case_for(request, case_id)
    entries = list(case_history_for(case=case)[:500])
    return _render_case(request, case, "case-history", "cases/history.html", entries=entries)


# --- Case forms ---------------------------------------------------------------------------------


def _case_url(case: Case, tab: str = "case") -> str:
    return reverse(f"cases:{tab}", args=[case.public_id])


def _case_form(
    request: HttpRequest,
    case: Case,
    form: Any,
    save: Callable[[dict[str, Any]], Any],
    *,
    title: str,
    done: str,
    tab: str = "case",
    aliases: dict[str, str] | None = None,
) -> HttpResponse:
    return handle_form(
        request,
        form,
        save,
        success_url=_case_url(case, tab),
        success_message=done,
        context={
            "title": title,
            "caption": f"{case.person.display_name} ({case.reference})",
            "submit": "Save",
            "cancel": _case_url(case, tab),
        },
        aliases=aliases,
    )


@require_http_methods(["GET", "POST"])
def case_edit(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = _case_for(request, case_id)
    initial = {
        "version": case.version,
        "cohort": case.cohort,
        "ideology": case.ideology,
        "lead_agency": case.lead_agency_id,
    }
    form = case_forms.KeyFactsForm(
        request.POST if request.method == "POST" else None, initial=initial
    )

    def save(data: dict[str, Any]) -> Any:
        changes = {key: value for key, value in data.items() if key != "version"}
        return services.case_update(
            actor=acting_user(request),
            case=case,
            expected_version=data["version"],
            request=request,
            **changes,
        )

    return _case_form(request, case, form, save, title="Edit key facts", done="Key facts saved")


def _simple_case_form(
    form_class: type[Any],
    service: Callable[..., Any],
    title: str,
    done: str,
    tab: str = "case",
    **fixed: Any,
) -> Callable[..., HttpResponse]:
    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
        case = _case_for(request, case_id)
        form = form_class(request.POST if request.method == "POST" else None)

        def save(data: dict[str, Any]) -> Any:
            values = {key: value for key, value in data.items() if value is not None}
            return service(
                actor=acting_user(request), case=case, request=request, **fixed, **values
            )

        return _case_form(request, case, form, save, title=title, done=done, tab=tab)

    view.__name__ = f"{service.__name__}_view"
    return view


mappa_add = _simple_case_form(
    case_forms.MappaForm,
    services.mappa_register,
    "Add a MAPPA registration",
    "MAPPA registration added",
)
placement_add = _simple_case_form(
    case_forms.PlacementForm,
    services.placement_add,
    "Add a custody placement",
    "Custody placement added",
    "case-sentence",
)
sentence_add = _simple_case_form(
    case_forms.SentenceForm,
    services.sentence_add,
    "Record a sentence and key dates",
    "Sentence recorded",
    "case-sentence",
)
recall_add = _simple_case_form(
    case_forms.RecallForm,
    services.recall_record,
    "Record a recall",
    "Recall recorded",
    "case-sentence",
)
exit_add = _simple_case_form(
    case_forms.ExitForm,
    services.exit_record,
    "Record an NSD exit or handover",
    "Exit or handover recorded",
    "case-sentence",
)


@require_http_methods(["GET", "POST"])
def licence_add(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = _case_for(request, case_id)
    form = case_forms.LicenceForm(request.POST if request.method == "POST" else None)
    sentence = case.sentences.first()

    def save(data: dict[str, Any]) -> Any:
        return services.licence_add(
            actor=acting_user(request), case=case, sentence=sentence, request=request, **data
        )

    return _case_form(
        request,
        case,
        form,
        save,
        title="Record a licence",
        done="Licence recorded",
        tab="case-sentence",
    )


@require_http_methods(["GET", "POST"])
def condition_add(request: HttpRequest, case_id: uuid.UUID, licence_id: int) -> HttpResponse:
    """Two steps without JavaScript: choose the condition, then fill in its parameters."""

    case = _case_for(request, case_id)
    licence = case.licences.filter(pk=licence_id).first()
    if licence is None:
        raise Http404("Licence not found")
    specs = catalogue()
    data = request.POST if request.method == "POST" else request.GET
    code = data.get("code", "")
    if code in specs and (request.method == "POST" or "code" in request.GET):
        spec = specs[code]
        form: Any = case_forms.ConditionParametersForm(
            request.POST if request.method == "POST" else None, spec=spec, initial={"code": code}
        )

        def save(cleaned: dict[str, Any]) -> Any:
            return services.licence_condition_add(
                actor=acting_user(request),
                licence=licence,
                code=spec.code,
                parameters=form.parameters(),
                request=request,
            )

        return handle_form(
            request,
            form,
            save,
            success_url=_case_url(case, "case-sentence"),
            success_message="Licence condition added",
            context={
                "title": spec.title,
                "caption": f"Add a licence condition: {case.reference}",
                "intro": spec.description,
                "submit": "Add condition",
                "cancel": _case_url(case, "case-sentence"),
            },
        )
    choose = case_forms.ConditionChoiceForm(data if "code" in data else None, catalogue=specs)
    status = 200
    if "code" in data:
        choose.is_valid()
        status = 400
    return render(
        request,
        "cases/condition_choose.html",
        {
            "title": "Add a licence condition",
            "caption": f"{case.person.display_name} ({case.reference})",
            "form": choose,
            "case": case,
            "licence": licence,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def team_member_add(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = _case_for(request, case_id)
    _team_manager_required(request, case, "case.team_member_add")
    form = case_forms.TeamMemberForm(request.POST if request.method == "POST" else None)

    def save(data: dict[str, Any]) -> Any:
        user = data.get("user")
        team = data.get("team")
        agency = user.agency if user is not None else team.agency if team is not None else None
        return services.team_member_add(
            actor=acting_user(request),
            case=case,
            role=data["role"],
            user=user,
            team=team,
            agency=agency,
            start=data["start"],
            request=request,
        )

    return _case_form(
        request,
        case,
        form,
        save,
        title="Add a case team member",
        done="Team member added",
        tab="case-team",
        aliases={"user": "username"},
    )


@require_http_methods(["GET", "POST"])
def team_member_end(request: HttpRequest, case_id: uuid.UUID, member_id: int) -> HttpResponse:
    case = _case_for(request, case_id)
    _team_manager_required(request, case, "case.team_member_remove")
    member = case.team_members.filter(pk=member_id).select_related("user", "team").first()
    if member is None:
        raise Http404("Team member not found")
    form = case_forms.TeamMemberEndForm(request.POST if request.method == "POST" else None)

    def save(data: dict[str, Any]) -> Any:
        return services.team_member_remove(
            actor=acting_user(request), member=member, request=request
        )

    return handle_form(
        request,
        form,
        save,
        success_url=_case_url(case, "case-team"),
        success_message="Removed from the case team",
        context={
            "title": f"Remove {member.user or member.team} from the case team",
            "caption": f"{case.person.display_name} ({case.reference})",
            "intro": "They lose access to the case straight away, on their very next request.",
            "submit": "Remove from the case team",
            "cancel": _case_url(case, "case-team"),
        },
    )


@require_http_methods(["GET", "POST"])
def exclusion_add(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = _case_for(request, case_id)
    _team_manager_required(request, case, "case.exclusion_add")
    form = case_forms.ExclusionForm(request.POST if request.method == "POST" else None)

    def save(data: dict[str, Any]) -> Any:
        return services.exclusion_add(
            actor=acting_user(request),
            case=case,
            user=data["username"],
            reason=data["reason"],
            request=request,
        )

    return _case_form(
        request,
        case,
        form,
        save,
        title="Exclude someone from the case",
        done="Exclusion added",
        tab="case-team",
        aliases={"user": "username"},
    )
