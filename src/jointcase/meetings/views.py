"""Meetings and actions pages. Thin: read through the selectors (404 for missing and
forbidden alike), write through the services, re-render forms with status 400 on errors."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from jointcase.access import meetings as access_meetings
from jointcase.access.labels import Classification
from jointcase.access.policy import current_q
from jointcase.accounts.models import User
from jointcase.audit.purpose import purpose_ask, purpose_ask_case_read, purpose_ask_seen
from jointcase.cases.models import Case, CaseTeamMember
from jointcase.cases.references import CASE_REFERENCE_FORMAT, case_reference_normal
from jointcase.cases.selectors import case_pk_of
from jointcase.home.marking import marking_for_request
from jointcase.lib.edits import ConcurrentEdit
from jointcase.lib.forms import form_page
from jointcase.lib.sorting import sort_headers, sort_param
from jointcase.meetings import forms, selectors
from jointcase.meetings.models import (
    ActionStatus,
    AgreedAction,
    Invitation,
    Meeting,
    OtherAgencyAttendees,
    RiskPillar,
)
from jointcase.meetings.pack import pack_pdf
from jointcase.meetings.services import actions as action_services
from jointcase.meetings.services import checks
from jointcase.meetings.services import decisions as decision_services
from jointcase.meetings.services import invitations as invitation_services
from jointcase.meetings.services import meetings as meeting_services
from jointcase.meetings.services import minutes as minutes_services


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


# The purpose of consultation is asked inside the read of a page that shows case content
# (``jointcase.audit.purpose``), as its ``on_allowed``: only once the object is allowed, before
# its read is recorded, and only about what the user may see.


def _action_purpose(request: HttpRequest) -> Callable[[AgreedAction], None]:
    """An action is seen through its case (the case rule allowed it): that case."""
    return lambda action: purpose_ask(request, "case", action.case_id)


class _MeetingPurpose:
    """The purpose gate of a meeting's pages (``meeting_get_for``'s ``on_allowed``): each of
    the meeting's cases the user may see; the meeting itself for an invitee who sees none of
    them. Every meetings page that shows case content asks it, the forms that change a meeting
    included (``_meeting_to_change``). The cases it asked about stay in ``visible`` for the
    page that shows them, so the case rule is asked once."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request
        self.visible: list[int] = []

    def __call__(self, meeting: Meeting) -> None:
        self.visible = selectors.meeting_case_ids_for(_user(self.request), meeting)
        purpose_ask_seen(self.request, self.visible, otherwise=("meeting", str(meeting.public_id)))


def _form_page(
    request: HttpRequest,
    form: django_forms.Form,
    save: Callable[[dict[str, Any]], Any],
    *,
    template: str,
    context: dict[str, Any],
    success: Callable[[Any], str],
    message: str,
) -> HttpResponse:
    """``lib.forms.form_page`` (a service's refusal is a 403, or the 404 of a missing object when
    it is hidden: ``access.middleware``); the form pages carry the OFFICIAL-SENSITIVE marking of
    the case content around them."""
    marking_for_request(request).note(Classification.OFFICIAL_SENSITIVE)
    return form_page(
        request,
        form,
        save,
        template=template,
        context=context,
        success_url=success,
        success_message=message,
    )


def _people_for_cases(case_ids: list[int]) -> QuerySet[User]:
    """Active users of the agencies with a current member on these cases' teams (a staff
    directory: the service still refuses an owner who cannot see the case)."""
    agencies = CaseTeamMember.objects.filter(
        current_q(timezone.localdate()), case_id__in=case_ids
    ).values("agency_id")
    return (
        User.objects.filter(is_active=True, agency_id__in=agencies)
        .select_related("agency")
        .order_by("last_name", "first_name", "username")
    )


# --- Queues -----------------------------------------------------------------------------------

QUEUES = {
    "mine": ("My actions", selectors.my_actions_for),
    "team": ("My team's actions", selectors.team_actions_for),
    "agency": ("My agency's actions", selectors.agency_actions_for),
}
STATUS_FILTERS = {"open_all": "Open or in progress", **dict(ActionStatus.choices), "": "Any status"}
PAGE_SIZE = 50


def _case_filter(text: str) -> int | None:
    """The queue's case filter: a case reference (JC-000001) or a case's public id, as the
    internal key the selectors filter on. Unknown text filters to nothing (key 0), so the
    answer is the same as for a case the user may not see; empty means no filter."""
    text = text.strip()[:64]
    if not text:
        return None
    found = case_pk_of(text) or (
        Case.objects.filter(reference__iexact=text).values_list("pk", flat=True).first()
    )
    return found or 0


#: The action queues' sortable columns (``meetings.selectors.ACTION_ORDERS``).
ACTION_SORTS = {"case": "Case", "owner": "Owner", "due": "Due", "priority": "Priority"}


#: The meetings list's sortable columns (``meetings.selectors.MEETING_ORDERS``).
MEETING_SORTS = {"type": "Meeting", "chair": "Chair", "date": "Date"}


def _page_number(request: HttpRequest) -> int:
    """The page asked for: anything but a whole number from 1 is the first page."""
    try:
        return max(1, min(int(request.GET.get("page", "1")), 100_000))
    except ValueError:
        return 1


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _queue_case_filter(user: User, text: str) -> tuple[int | None, str]:
    """The queue's case filter as (the case's key or None, a problem to show). A case
    reference (or a case's public id) of a case the user can see filters to it; anything else
    is a problem, the same words for a case that does not exist and one the user cannot see."""
    text = text.strip()[:64]
    if not text:
        return None, ""
    reference = case_reference_normal(text)
    found = case_pk_of(text) or (
        Case.objects.filter(reference=reference).values_list("pk", flat=True).first()
        if reference
        else None
    )
    if reference is None and found is None and not _is_uuid(text):
        return 0, CASE_REFERENCE_FORMAT
    if found is None or not selectors.cases_visible_to(user).filter(pk=found).exists():
        return 0, f"There is no case {reference or text} among the cases you can see"
    return found, ""


def _queue(request: HttpRequest, which: str) -> HttpResponse:
    user = _user(request)
    title, selector = QUEUES[which]
    status = request.GET.get("status", "open_all")
    if status not in STATUS_FILTERS:
        status = "open_all"
    due = request.GET.get("due", "")
    if due not in selectors.DUE_FILTERS:
        due = ""
    case_text = request.GET.get("case", "").strip()[:64]
    case_id, case_problem = _queue_case_filter(user, case_text)
    sort = sort_param(request, ACTION_SORTS, "due")
    number = _page_number(request)
    rows: list[Any] = []
    has_next = False
    if case_problem:
        pass
    elif which == "mine":
        rows, has_next = selectors.my_actions_page(
            user,
            page=number,
            size=PAGE_SIZE,
            status=status or None,
            due=due or None,
            case_id=case_id,
            sort=sort,
        )
    else:
        actions = selector(user, status=status or None, due=due or None, case_id=case_id, sort=sort)
        rows = list(actions[(number - 1) * PAGE_SIZE : number * PAGE_SIZE + 1])
        has_next = len(rows) > PAGE_SIZE
    marking_for_request(request).note(Classification.OFFICIAL_SENSITIVE)

    def page_url(page: int) -> str:
        query = request.GET.copy()
        query["page"] = str(page)
        return "?" + query.urlencode()

    return render(
        request,
        "meetings/queue.html",
        {
            "title": title,
            "which": which,
            "actions": rows[:PAGE_SIZE],
            "status": status,
            "due": due,
            "case_text": case_text,
            "case_problem": case_problem,
            "status_filters": STATUS_FILTERS,
            "due_filters": selectors.DUE_FILTERS,
            "sort_headers": sort_headers(request, ACTION_SORTS, sort),
            "page_number": number,
            "previous_url": page_url(number - 1) if number > 1 else "",
            "next_url": page_url(number + 1) if has_next else "",
            "is_manager": selectors.is_agency_manager(user),
        },
        status=400 if case_problem else 200,
    )


@require_http_methods(["GET"])
def my_actions(request: HttpRequest) -> HttpResponse:
    return _queue(request, "mine")


@require_http_methods(["GET"])
def team_actions(request: HttpRequest) -> HttpResponse:
    return _queue(request, "team")


@require_http_methods(["GET"])
def agency_actions(request: HttpRequest) -> HttpResponse:
    return _queue(request, "agency")


# --- Actions ----------------------------------------------------------------------------------


@require_http_methods(["GET"])
def action_detail(request: HttpRequest, action_id: uuid.UUID) -> HttpResponse:
    user = _user(request)
    action = selectors.action_get_for(
        user=user, action_id=action_id, request=request, on_allowed=_action_purpose(request)
    )
    marking_for_request(request).note(Classification.OFFICIAL_SENSITIVE)
    today = timezone.localdate()
    return render(
        request,
        "meetings/action.html",
        {
            "action": action,
            "events": action.events.select_related("actor").order_by("at", "id"),
            "overdue": action.is_overdue_on(today),
            "due_soon": action.is_open
            and today
            <= action.due_date
            <= selectors.add_working_days(today, selectors.due_soon_days()),
            "can_change_due": access_meetings.action_due_change_refusal(user, action) is None,
            "evidence_item": selectors.evidence_item_for(user=user, action=action),
        },
    )


@require_http_methods(["GET", "POST"])
def case_action_new(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = _user(request)
    case = selectors.case_for_actions(
        user=user, case_id=case_id, request=request, on_allowed=purpose_ask_case_read(request)
    )
    data = request.POST if request.method == "POST" else None
    form = forms.ActionForm(data, owners=_people_for_cases([case.pk]))

    def save(cleaned: dict[str, Any]) -> AgreedAction:
        return action_services.action_create(
            actor=user,
            case=case,
            description=cleaned["description"],
            owner=cleaned["owner"],
            due_date=cleaned["due_date"],
            priority=cleaned["priority"],
            source_kind="ASSESSMENT"
            if request.GET.get("source") == "assessment"
            else "MATERIAL"
            if request.GET.get("source") == "material"
            else "MEETING",
            source_id=request.GET.get("source_id", "")[:64],
            request=request,
        )

    return _form_page(
        request,
        form,
        save,
        template="meetings/action_new.html",
        context={"case": case, "meeting": None},
        success=lambda a: reverse("meetings:action", args=[a.public_id]),
        message="Action agreed",
    )


@require_http_methods(["GET", "POST"])
def meeting_action_new(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    user = _user(request)
    purpose = _MeetingPurpose(request)
    meeting = selectors.meeting_get_for(
        user=user, meeting_id=meeting_id, request=request, on_allowed=purpose
    )
    # The meeting's cases the user may see, as the purpose question read them.
    cases = Case.objects.filter(pk__in=purpose.visible).order_by("reference")
    data = request.POST if request.method == "POST" else None
    form = forms.MeetingActionForm(data, owners=_people_for_cases(purpose.visible), cases=cases)

    def save(cleaned: dict[str, Any]) -> AgreedAction:
        return action_services.action_create(
            actor=user,
            case=cleaned["case"],
            description=cleaned["description"],
            owner=cleaned["owner"],
            due_date=cleaned["due_date"],
            priority=cleaned["priority"],
            meeting=meeting,
            request=request,
        )

    return _form_page(
        request,
        form,
        save,
        template="meetings/action_new.html",
        context={"case": None, "meeting": meeting},
        success=lambda a: reverse("meetings:meeting", args=[meeting.public_id]),
        message="Action agreed",
    )


def _action_form(
    request: HttpRequest,
    action_id: uuid.UUID,
    *,
    form_action: str,
    make_form: Callable[[Any, AgreedAction], django_forms.Form],
    change: Callable[..., AgreedAction],
    title: str,
    button: str,
    message: str,
    require: Callable[..., None] | None = None,
) -> HttpResponse:
    """One form that changes an action (complete, reassign, status, due date): the action
    (404 if the caller may not see it), ``require`` (403 with a DENY entry if they may see
    it but not do this), the form, then the service ``change``. The form's fields are the
    service's keyword arguments, but for ``version`` (the version the form was loaded at),
    which is passed as ``expected_version``. The purpose of consultation is asked inside the
    read, as on the action's page."""
    user = _user(request)
    action = selectors.action_get_for(
        user=user,
        action_id=action_id,
        request=request,
        action=form_action,
        on_allowed=_action_purpose(request),
    )
    if require is not None:
        require(actor=user, action=action, request=request)
    data = request.POST if request.method == "POST" else None

    def save(cleaned: dict[str, Any]) -> AgreedAction:
        fields = {name: value for name, value in cleaned.items() if name != "version"}
        return change(
            actor=user,
            action=action,
            expected_version=cleaned["version"],
            request=request,
            **fields,
        )

    return _form_page(
        request,
        make_form(data, action),
        save,
        template="meetings/action_form.html",
        context={"action": action, "title": title, "button": button},
        success=lambda a: reverse("meetings:action", args=[a.public_id]),
        message=message,
    )


@require_http_methods(["GET", "POST"])
def action_complete(request: HttpRequest, action_id: uuid.UUID) -> HttpResponse:
    return _action_form(
        request,
        action_id,
        form_action="action.complete_form",
        require=checks.action_complete_require,
        make_form=lambda data, action: forms.CompleteForm(
            data, initial={"version": action.version}
        ),
        change=action_services.action_complete,
        title="Complete the action",
        button="Complete the action",
        message="Action completed",
    )


@require_http_methods(["GET", "POST"])
def action_reassign(request: HttpRequest, action_id: uuid.UUID) -> HttpResponse:
    return _action_form(
        request,
        action_id,
        form_action="action.reassign_form",
        require=checks.action_reassign_require,
        make_form=lambda data, action: forms.ReassignForm(
            data, initial={"version": action.version}, owners=_people_for_cases([action.case_id])
        ),
        change=action_services.action_reassign,
        title="Reassign the action",
        button="Reassign",
        message="Action reassigned",
    )


@require_http_methods(["GET", "POST"])
def action_due(request: HttpRequest, action_id: uuid.UUID) -> HttpResponse:
    """Move an action's due date (the owner, their manager, the case's lead or seniors): a
    reason is required and the change goes into the action's history."""
    return _action_form(
        request,
        action_id,
        form_action="action.due_form",
        require=checks.action_due_change_require,
        make_form=lambda data, action: forms.DueDateForm(
            data, initial={"version": action.version, "due_date": action.due_date}
        ),
        change=action_services.action_change_due,
        title="Change the due date",
        button="Change the due date",
        message="Due date changed",
    )


def _cancelling_require(*, actor: User, action: AgreedAction, request: HttpRequest) -> None:
    """The status form is open to whoever sees the action; posting "cancelled" needs the
    authority to steer it (403 with a DENY entry otherwise)."""
    status = request.POST.get("status", "") if request.method == "POST" else ""
    checks.action_status_require(actor=actor, action=action, status=status, request=request)


@require_http_methods(["GET", "POST"])
def action_status(request: HttpRequest, action_id: uuid.UUID) -> HttpResponse:
    return _action_form(
        request,
        action_id,
        form_action="action.status_form",
        require=_cancelling_require,
        make_form=lambda data, action: forms.StatusForm(
            data,
            initial={"version": action.version, "status": action.status},
            may_cancel=access_meetings.action_due_change_refusal(_user(request), action) is None,
        ),
        change=action_services.action_update_status,
        title="Change the status",
        button="Save",
        message="Status changed",
    )


# --- Meetings ---------------------------------------------------------------------------------


def _meeting_to_change(request: HttpRequest, meeting_id: uuid.UUID, form_action: str) -> Meeting:
    """The meeting for a page that changes it: 404 (audited) if the caller may not see it,
    403 with a DENY entry if they may see it but not change it (an invitee from outside the
    case teams). The purpose of consultation is asked inside the read, as on the meeting's page."""
    user = _user(request)
    meeting = selectors.meeting_get_for(
        user=user,
        meeting_id=meeting_id,
        request=request,
        action=form_action,
        on_allowed=_MeetingPurpose(request),
    )
    checks.meeting_editor_require(actor=user, meeting=meeting, request=request)
    return meeting


@require_http_methods(["GET"])
def meeting_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    sort = sort_param(request, MEETING_SORTS, "-date")
    number = _page_number(request)
    meetings, has_next = selectors.meetings_page_for(user, sort=sort, page=number, size=PAGE_SIZE)
    marking_for_request(request).note(Classification.OFFICIAL_SENSITIVE)

    def page_url(page: int) -> str:
        query = request.GET.copy()
        query["page"] = str(page)
        return "?" + query.urlencode()

    return render(
        request,
        "meetings/meeting_list.html",
        {
            "meetings": meetings,
            "sort_headers": sort_headers(request, MEETING_SORTS, sort),
            "page_number": number,
            "previous_url": page_url(number - 1) if number > 1 else "",
            "next_url": page_url(number + 1) if has_next else "",
        },
    )


@require_http_methods(["GET", "POST"])
def meeting_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    cases = (selectors.cases_visible_to(user).select_related("person").order_by("reference"))[:500]
    case_qs = (
        Case.objects.filter(pk__in=[c.pk for c in cases])
        .select_related("person")
        .order_by("reference")
    )
    people = _people_for_cases([c.pk for c in cases])
    data = request.POST if request.method == "POST" else None
    initial: dict[str, Any] = {"chair": user.pk}
    if case_for_new_meeting := _case_filter(request.GET.get("case", "")):
        initial["cases"] = [case_for_new_meeting]
    form = forms.MeetingForm(data, initial=initial, cases=case_qs, people=people)

    def save(cleaned: dict[str, Any]) -> Meeting:
        starts = timezone.make_aware(dt.datetime.combine(cleaned["day"], cleaned["time"]))
        return meeting_services.meeting_create(
            actor=user,
            type=cleaned["type"],
            starts_at=starts,
            chair=cleaned["chair"],
            cases=cleaned["cases"],
            agenda=cleaned["agenda"],
            minutes_releasable_to=cleaned["minutes_releasable_to"],
            invitees=cleaned["invitees"],
            request=request,
        )

    return _form_page(
        request,
        form,
        save,
        template="meetings/meeting_new.html",
        context={},
        success=lambda m: reverse("meetings:meeting", args=[m.public_id]),
        message="Meeting recorded",
    )


@require_http_methods(["GET"])
def meeting_detail(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    user = _user(request)
    purpose = _MeetingPurpose(request)
    meeting = selectors.meeting_get_for(
        user=user, meeting_id=meeting_id, request=request, on_allowed=purpose
    )
    case_ids = purpose.visible  # the meeting's cases the user may see, read with the purpose
    minutes = selectors.minutes_for(user=user, meeting=meeting, request=request)
    visible_cases = set(case_ids)
    marking_for_request(request).note(Classification.OFFICIAL_SENSITIVE)
    invitations = list(meeting.invitations.select_related("user", "user__agency"))
    return render(
        request,
        "meetings/meeting.html",
        {
            "meeting": meeting,
            "cases": list(Case.objects.filter(pk__in=case_ids).order_by("reference"))
            if case_ids
            else [],
            "invitations": invitations,
            "minutes": minutes,
            "review": list(
                selectors.actions_for_review(meeting, user=user, visible_case_ids=case_ids)[:200]
            ),
            "agreed": list(
                selectors.with_due_state(
                    meeting.actions.filter(case_id__in=case_ids).select_related(
                        "case", "owner", "owner_agency"
                    )
                )
            ),
            "decisions": list(
                selectors.decisions_for(user=user, meeting=meeting, visible_case_ids=case_ids)
            ),
            "can_edit": access_meetings.meeting_editor_refusal(
                user, meeting, visible_case_ids=case_ids
            )
            is None,
            "history": list(
                meeting.events.filter(Q(case__isnull=True) | Q(case_id__in=visible_cases))
                .select_related("actor", "case")
                .order_by("at", "id")
            ),
            "attendance_form": forms.AttendanceForm(),
        },
    )


@require_http_methods(["GET", "POST"])
def section_add(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    user = _user(request)
    meeting = _meeting_to_change(request, meeting_id, "meeting.minutes_form")
    data = request.POST if request.method == "POST" else None
    form = forms.SectionForm(
        data,
        cases=selectors.meeting_cases_for(user, meeting),
    )
    return _form_page(
        request,
        form,
        lambda c: minutes_services.minutes_section_add(
            actor=user,
            meeting=meeting,
            heading=c["heading"],
            body=c["body"],
            case=c["case"],
            classification=c["classification"],
            caveats=c["caveats"],
            releasable_to=c["releasable_to"] or None,
            withheld_display=c["withheld_display"],
            other_agency_attendees=c["other_agency_attendees"] or OtherAgencyAttendees.REFUSE,
            request=request,
        ),
        template="meetings/section_add.html",
        context={"meeting": meeting},
        success=lambda s: reverse("meetings:meeting", args=[meeting.public_id]) + "#minutes",
        message="Section added to the minutes",
    )


@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    user = _user(request)
    meeting = _meeting_to_change(request, meeting_id, "meeting.invite_form")
    data = request.POST if request.method == "POST" else None
    form = forms.InviteForm(
        data, people=_people_for_cases(selectors.meeting_case_ids_for(user, meeting))
    )
    return _form_page(
        request,
        form,
        lambda c: invitation_services.invitation_add(
            actor=user,
            meeting=meeting,
            user=c["user"],
            external_name=c["external_name"],
            external_role=c["external_role"],
            external_agency=c["external_agency"],
            request=request,
        ),
        template="meetings/invite.html",
        context={"meeting": meeting},
        success=lambda i: reverse("meetings:meeting", args=[meeting.public_id]) + "#attendees",
        message="Invitation added",
    )


@require_http_methods(["POST"])
def attendance(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    user = _user(request)
    meeting = _meeting_to_change(request, meeting_id, "meeting.attendance_form")
    form = forms.AttendanceForm(request.POST)
    invitation = None
    if form.is_valid():
        invitation = Invitation.objects.filter(
            meeting=meeting, public_id=form.cleaned_data["invitation"]
        ).first()
    if invitation is None:
        return render(
            request,
            "meetings/problem.html",
            {"meeting": meeting, "problem": "Select an invitee and what happened"},
            status=400,
        )
    outcome = form.cleaned_data["outcome"]
    try:
        invitation_services.attendance_record(
            actor=user,
            invitation=invitation,
            attended=outcome == "attended",
            apologies=outcome == "apologies",
            request=request,
        )
    except ValidationError as error:
        problems = (
            [t for texts in error.message_dict.values() for t in texts]
            if hasattr(error, "error_dict")
            else error.messages
        )
        return render(
            request,
            "meetings/problem.html",
            {"meeting": meeting, "problem": problems[0]},
            status=400,
        )
    messages.success(request, "Attendance recorded")
    return redirect(reverse("meetings:meeting", args=[meeting.public_id]) + "#attendees")


@require_http_methods(["GET"])
def meeting_pack(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    """The PDF meeting pack at the requester's clearance (the export is audited: the sections
    read and withheld are in the same entry)."""
    user = _user(request)
    meeting = selectors.meeting_get_for(
        user=user,
        meeting_id=meeting_id,
        request=request,
        action="meeting.pack",
        on_allowed=_MeetingPurpose(request),
    )
    minutes = selectors.minutes_for(
        user=user, meeting=meeting, request=request, purpose="meeting.pack.export"
    )
    visible_cases = selectors.meeting_cases_for(user, meeting)
    actions = list(
        meeting.actions.filter(selectors.action_filter(user)).select_related(
            "case", "owner", "owner_agency"
        )
    )
    content, marking = pack_pdf(
        meeting=meeting,
        cases=list(visible_cases.select_related("person")),
        invitations=list(meeting.invitations.select_related("user", "user__agency")),
        minutes=minutes,
        actions=actions,
        review=list(selectors.actions_for_review(meeting, user=user)[:200]),
        prepared_for=user.get_full_name() or user.username,
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{marking} - meeting pack {meeting.starts_at:%Y-%m-%d}.pdf"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_http_methods(["GET", "POST"])
def decision_add(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    user = _user(request)
    meeting = _meeting_to_change(request, meeting_id, "meeting.decision_form")
    cases = selectors.meeting_cases_for(user, meeting)
    data = request.POST if request.method == "POST" else None
    form = forms.DecisionForm(data, cases=cases)
    return _form_page(
        request,
        form,
        lambda c: decision_services.decision_record(
            actor=user, meeting=meeting, case=c["case"], text=c["text"], request=request
        ),
        template="meetings/simple_form.html",
        context={
            "caption": str(meeting),
            "title": "Record a decision",
            "button": "Record the decision",
            "back": reverse("meetings:meeting", args=[meeting.public_id]),
        },
        success=lambda d: reverse("meetings:meeting", args=[meeting.public_id]),
        message="Decision recorded",
    )


@require_http_methods(["POST"])
def meeting_status(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    user = _user(request)
    meeting = _meeting_to_change(request, meeting_id, "meeting.status_form")
    form = forms.MeetingStatusForm(request.POST)
    problem = "Select the meeting's status"
    if form.is_valid():
        try:
            meeting_services.meeting_update(
                actor=user,
                meeting=meeting,
                expected_version=form.cleaned_data["version"],
                status=form.cleaned_data["status"],
                request=request,
            )
        except ValidationError as error:
            problem = error.messages[0]
        except ConcurrentEdit as error:
            problem = str(error)
        else:
            messages.success(request, "Meeting status changed")
            return redirect("meetings:meeting", meeting.public_id)
    return render(
        request, "meetings/problem.html", {"meeting": meeting, "problem": problem}, status=400
    )


@require_http_methods(["GET", "POST"])
def risk_plan(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """The case's risk management plan by pillar, with a form to add an entry."""
    user = _user(request)
    case = selectors.case_for_actions(
        user=user, case_id=case_id, request=request, on_allowed=purpose_ask_case_read(request)
    )
    data = request.POST if request.method == "POST" else None
    form = forms.RiskEntryForm(data, owners=_people_for_cases([case.pk]))
    entries = list(selectors.risk_plan_for(case=case))
    pillars = [
        (label, [e for e in entries if e.pillar == value]) for value, label in RiskPillar.choices
    ]
    return _form_page(
        request,
        form,
        lambda c: decision_services.risk_entry_add(
            actor=user,
            case=case,
            pillar=c["pillar"],
            text=c["text"],
            owner=c["owner"],
            request=request,
        ),
        template="meetings/risk_plan.html",
        context={"case": case, "pillars": pillars},
        success=lambda e: reverse("meetings:risk-plan", args=[case.public_id]),
        message="Plan entry added",
    )


@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    """Change a meeting's type, date and time, chair, agenda and cases discussed. Cases the
    editor may not see are neither offered nor removed."""
    user = _user(request)
    meeting = _meeting_to_change(request, meeting_id, "meeting.edit_form")
    visible = selectors.cases_visible_to(user)
    current_cases = selectors.meeting_case_ids_for(user, meeting)
    offered = current_cases + list(visible.order_by("reference").values_list("pk", flat=True)[:500])
    case_qs = Case.objects.filter(pk__in=offered).select_related("person").order_by("reference")
    people = _people_for_cases(current_cases) | User.objects.filter(pk=meeting.chair_id)
    local = timezone.localtime(meeting.starts_at)
    initial = {
        "version": meeting.version,
        "type": meeting.type,
        "day": local.date(),
        "time": local.strftime("%H:%M"),
        "chair": meeting.chair_id,
        "cases": current_cases,
        "agenda": meeting.agenda,
    }
    data = request.POST if request.method == "POST" else None
    form = forms.MeetingEditForm(
        data, initial=initial, cases=case_qs, people=people.distinct().order_by("last_name")
    )

    def save(cleaned: dict[str, Any]) -> Meeting:
        starts = timezone.make_aware(dt.datetime.combine(cleaned["day"], cleaned["time"]))
        return meeting_services.meeting_edit(
            actor=user,
            meeting=meeting,
            expected_version=cleaned["version"],
            cases=cleaned["cases"],
            type=cleaned["type"],
            starts_at=starts,
            chair=cleaned["chair"],
            agenda=cleaned["agenda"],
            request=request,
        )

    return _form_page(
        request,
        form,
        save,
        template="meetings/meeting_edit.html",
        context={"meeting": meeting},
        success=lambda m: reverse("meetings:meeting", args=[m.public_id]),
        message="Meeting changed",
    )


@require_http_methods(["GET", "POST"])
def invitation_remove(
    request: HttpRequest, meeting_id: uuid.UUID, invitation_id: uuid.UUID
) -> HttpResponse:
    """Remove an invitee after a confirmation page (no JavaScript needed)."""
    user = _user(request)
    meeting = _meeting_to_change(request, meeting_id, "meeting.uninvite_form")
    invitation = (
        Invitation.objects.filter(meeting=meeting, public_id=invitation_id)
        .select_related("user", "user__agency", "meeting")
        .first()
    )
    if invitation is None:
        raise Http404(selectors.NOT_FOUND)
    problem = ""
    if request.method == "POST":
        try:
            with transaction.atomic():
                invitation_services.invitation_remove(
                    actor=user, invitation=invitation, request=request
                )
        except ValidationError as error:
            problem = error.messages[0]
        else:
            messages.success(request, "Invitee removed")
            return redirect(reverse("meetings:meeting", args=[meeting.public_id]) + "#attendees")
    marking_for_request(request).note(Classification.OFFICIAL_SENSITIVE)
    return render(
        request,
        "meetings/invitation_remove.html",
        {"meeting": meeting, "invitation": invitation, "problem": problem},
        status=400 if problem else 200,
    )
