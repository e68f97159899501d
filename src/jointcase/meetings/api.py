"""Meetings and actions API: meetings (with minutes at the caller's clearance), attendance and
agreed actions, under the pages' rules. Unknown fields are refused (no mass assignment); a
forbidden object is a 404 like a missing one; bad input is a 400 keyed by field."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict

from jointcase.access.policy import case_filter
from jointcase.accounts.models import User
from jointcase.cases.models import Case
from jointcase.lib.edits import ConcurrentEdit
from jointcase.meetings import selectors, services
from jointcase.meetings.models import AgreedAction, Invitation
from jointcase.people.api import PageQuery, _auth, paginate

router = Router(tags=["meetings"], auth=_auth())


class ErrorItem(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[ErrorItem]


class _Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class ActionOut(Schema):
    id: int
    case: int
    meeting: int | None
    source_kind: str
    source_id: str
    description: str
    owner: str
    owner_agency: str
    due_date: dt.date
    priority: str
    status: str
    overdue: bool
    completed_at: dt.datetime | None
    evidence: str
    version: int

    @staticmethod
    def resolve_case(obj: Any) -> int:
        return int(obj.case_id)

    @staticmethod
    def resolve_meeting(obj: Any) -> int | None:
        return obj.meeting_id

    @staticmethod
    def resolve_owner(obj: Any) -> str:
        return str(obj.owner.username)

    @staticmethod
    def resolve_owner_agency(obj: Any) -> str:
        return str(obj.owner_agency.code)

    @staticmethod
    def resolve_overdue(obj: Any) -> bool:
        return bool(obj.is_overdue)


class ActionPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[ActionOut]


class ActionIn(_Strict):
    description: str = Field(..., max_length=4000)
    owner: str | None = Field(None, max_length=150, description="The owner's username")
    due_date: dt.date | None = None
    priority: str = Field("MEDIUM", max_length=8)
    meeting: int | None = None
    source_kind: str | None = Field(
        None,
        max_length=12,
        description="MEETING, MATERIAL or ASSESSMENT (default: MEETING "
        "with a meeting, else ASSESSMENT)",
    )
    source_id: str = Field("", max_length=64, description="The source's id (material, assessment)")


class CompleteIn(_Strict):
    evidence: str = Field("", max_length=8000)
    evidence_item_id: str | None = Field(None, max_length=64)
    version: int | None = None


class ReassignIn(_Strict):
    owner: str | None = Field(None, max_length=150)
    reason: str = Field("", max_length=2000)
    version: int | None = None


class StatusIn(_Strict):
    status: str = Field(..., max_length=12)
    reason: str = Field("", max_length=2000)
    version: int | None = None


class DueIn(_Strict):
    due_date: dt.date | None = None
    reason: str = Field("", max_length=2000)
    version: int | None = None


class InvitationIn(_Strict):
    user: str | None = Field(None, max_length=150, description="A user's username")
    external_name: str = Field("", max_length=200)
    external_role: str = Field("", max_length=200)
    external_agency: str = Field("", max_length=200)


class MeetingIn(_Strict):
    type: str = Field(..., max_length=24)
    starts_at: dt.datetime | None = None
    chair: str | None = Field(None, max_length=150, description="The chair's username")
    cases: list[int] = Field(default_factory=list, max_length=50)
    agenda: str = Field("", max_length=8000)
    minutes_releasable_to: list[str] = Field(
        default_factory=list, max_length=50, description="Agency codes (empty: every agency)"
    )
    invitees: list[str] = Field(default_factory=list, max_length=100, description="Usernames")


class MeetingChangeIn(_Strict):
    version: int
    type: str | None = Field(None, max_length=24)
    starts_at: dt.datetime | None = None
    chair: str | None = Field(None, max_length=150)
    agenda: str | None = Field(None, max_length=8000)
    status: str | None = Field(None, max_length=10)
    cases: list[int] | None = Field(
        None, max_length=50, description="The new set among the cases the caller may see"
    )


class AttendeeOut(Schema):
    id: int
    name: str
    agency: str
    invited: bool
    attended: bool
    apologies: bool

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.display_name)

    @staticmethod
    def resolve_agency(obj: Any) -> str:
        return str(obj.agency_name)


class SectionOut(Schema):
    order: int
    heading: str
    classification: str
    caveats: list[str]
    originator: str
    body: str | None
    withheld: str | None


class MeetingOut(Schema):
    id: int
    type: str
    starts_at: dt.datetime
    status: str
    chair: str
    agenda: str
    cases: list[int]
    version: int

    @staticmethod
    def resolve_chair(obj: Any) -> str:
        return str(obj.chair.username)

    @staticmethod
    def resolve_cases(obj: Any, context: Any) -> list[int]:
        """Only the cases the caller may see (a meeting's other cases are never revealed)."""
        user = getattr((context or {}).get("request"), "user", None)
        if not isinstance(user, User):
            return []
        ids = [c.pk for c in obj.cases.all()]
        return sorted(
            Case.objects.filter(case_filter(user), pk__in=ids).values_list("pk", flat=True)
        )


class MeetingDetailOut(MeetingOut):
    attendees: list[AttendeeOut]
    minutes: list[SectionOut]
    marking: str


class MeetingPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[MeetingOut]


class AttendanceIn(_Strict):
    attended: bool
    apologies: bool = False


def _errors(error: ValidationError) -> dict[str, Any]:
    items: list[dict[str, str]] = []
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            items.extend({"field": field, "message": m} for m in messages)
    else:
        items.extend({"field": "request", "message": m} for m in error.messages)
    return {"detail": "There is a problem with the request", "errors": items}


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _owner(username: str | None) -> User | None:
    if not username:
        return None
    return User.objects.filter(username=username, is_active=True).first()


def _forbidden(error: PermissionDenied) -> Status:
    message = str(error) or "You may not do this"
    return Status(403, {"detail": message, "errors": [{"field": "request", "message": message}]})


def _write(call: Any) -> Any:
    try:
        return call()
    except ValidationError as error:
        return Status(400, _errors(error))
    except ConcurrentEdit as error:
        return Status(
            400, {"detail": str(error), "errors": [{"field": "version", "message": str(error)}]}
        )
    except PermissionDenied:
        raise Http404("Not found") from None


class ActionQuery(PageQuery):
    status: str | None = Field(None, max_length=12)
    due: str | None = Field(None, max_length=10)
    case: int | None = None


@router.get("/actions/mine", response=ActionPage, summary="Actions the caller owns")
def actions_mine(request: HttpRequest, filters: Query[ActionQuery]) -> dict[str, Any]:
    due = filters.due if filters.due in selectors.DUE_FILTERS else None
    items = selectors.my_actions_for(
        _user(request), status=filters.status or "open_all", due=due, case_id=filters.case
    )
    return paginate(items, filters)


@router.get("/actions/{action_id}", response=ActionOut, summary="One agreed action")
def action_read(request: HttpRequest, action_id: int) -> Any:
    return selectors.action_get_for(user=_user(request), action_id=action_id, request=request)


@router.get("/cases/{case_id}/actions", response=ActionPage, summary="Agreed actions on a case")
def case_actions(request: HttpRequest, case_id: int, filters: Query[PageQuery]) -> dict[str, Any]:
    user = _user(request)
    case = selectors.case_for_actions(user=user, case_id=case_id, request=request)
    return paginate(
        selectors.case_actions_for(user=user, case=case).order_by("due_date", "id"), filters
    )


@router.post(
    "/cases/{case_id}/actions", response={201: ActionOut, 400: ErrorOut}, summary="Agree an action"
)
def action_create(request: HttpRequest, case_id: int, payload: ActionIn) -> Any:
    user = _user(request)
    case: Case = selectors.case_for_actions(user=user, case_id=case_id, request=request)
    meeting = None
    if payload.meeting is not None:
        meeting = selectors.meeting_get_for(user=user, meeting_id=payload.meeting, request=request)
    owner = _owner(payload.owner)
    if payload.owner and owner is None:
        return Status(400, _errors(ValidationError({"owner": services.NOT_ON_CASE})))
    result = _write(
        lambda: services.action_create(
            actor=user,
            case=case,
            description=payload.description,
            owner=owner,
            due_date=payload.due_date,
            priority=payload.priority,
            meeting=meeting,
            source_kind=payload.source_kind or ("MEETING" if meeting else "ASSESSMENT"),
            source_id=payload.source_id,
            request=request,
        )
    )
    return result if isinstance(result, Status) else Status(201, result)


def _action(request: HttpRequest, action_id: int) -> AgreedAction:
    return selectors.action_get_for(
        user=_user(request), action_id=action_id, request=request, action="action.write"
    )


@router.post("/actions/{action_id}/complete", response={200: ActionOut, 400: ErrorOut})
def action_complete(request: HttpRequest, action_id: int, payload: CompleteIn) -> Any:
    action = _action(request, action_id)
    return _write(
        lambda: services.action_complete(
            actor=_user(request),
            action=action,
            evidence=payload.evidence,
            evidence_item_id=payload.evidence_item_id,
            expected_version=payload.version,
            request=request,
        )
    )


@router.post("/actions/{action_id}/reassign", response={200: ActionOut, 400: ErrorOut})
def action_reassign(request: HttpRequest, action_id: int, payload: ReassignIn) -> Any:
    action = _action(request, action_id)
    return _write(
        lambda: services.action_reassign(
            actor=_user(request),
            action=action,
            owner=_owner(payload.owner),
            reason=payload.reason,
            expected_version=payload.version,
            request=request,
        )
    )


@router.post("/actions/{action_id}/status", response={200: ActionOut, 400: ErrorOut})
def action_status(request: HttpRequest, action_id: int, payload: StatusIn) -> Any:
    action = _action(request, action_id)
    return _write(
        lambda: services.action_update_status(
            actor=_user(request),
            action=action,
            status=payload.status,
            reason=payload.reason,
            expected_version=payload.version,
            request=request,
        )
    )


@router.get("/meetings", response=MeetingPage, summary="Meetings the caller may see")
def meetings(request: HttpRequest, filters: Query[PageQuery]) -> dict[str, Any]:
    return paginate(selectors.meetings_for(_user(request)), filters)


@router.get(
    "/meetings/{meeting_id}",
    response=MeetingDetailOut,
    summary="A meeting with its attendees and its minutes at the caller's clearance",
)
def meeting_read(request: HttpRequest, meeting_id: int) -> Any:
    user = _user(request)
    meeting = selectors.meeting_get_for(user=user, meeting_id=meeting_id, request=request)
    minutes = selectors.minutes_for(user=user, meeting=meeting, request=request)
    meeting.attendees = list(meeting.invitations.select_related("user", "user__agency"))  # type: ignore[attr-defined]
    meeting.minutes = [  # type: ignore[attr-defined]
        {
            "order": s.order,
            "heading": s.heading,
            "classification": s.classification,
            "caveats": list(s.caveats),
            "originator": s.originator,
            "body": s.body,
            "withheld": s.withheld_text if s.withheld else None,
        }
        for s in minutes.sections
    ]
    meeting.marking = minutes.marking  # type: ignore[attr-defined]
    return meeting


@router.post(
    "/meetings/{meeting_id}/attendance/{invitation_id}",
    response={200: AttendeeOut, 400: ErrorOut},
    summary="Record attendance or apologies of an invitee",
)
def attendance(
    request: HttpRequest, meeting_id: int, invitation_id: int, payload: AttendanceIn
) -> Any:
    user = _user(request)
    meeting = selectors.meeting_get_for(user=user, meeting_id=meeting_id, request=request)
    invitation = (
        Invitation.objects.filter(meeting=meeting, pk=invitation_id)
        .select_related("user", "user__agency")
        .first()
    )
    if invitation is None:
        raise Http404("Not found")
    return _write(
        lambda: services.attendance_record(
            actor=user,
            invitation=invitation,
            attended=payload.attended,
            apologies=payload.apologies,
            request=request,
        )
    )


@router.post(
    "/actions/{action_id}/due",
    response={200: ActionOut, 400: ErrorOut, 403: ErrorOut},
    summary="Change an action's due date (owner, their manager, the case's lead or seniors)",
)
def action_due(request: HttpRequest, action_id: int, payload: DueIn) -> Any:
    user = _user(request)
    action = _action(request, action_id)
    try:
        services.action_due_change_require(actor=user, action=action, request=request)
    except PermissionDenied as error:
        return _forbidden(error)
    return _write(
        lambda: services.action_change_due(
            actor=user,
            action=action,
            due_date=payload.due_date,
            reason=payload.reason,
            expected_version=payload.version,
            request=request,
        )
    )


def _editable_meeting(request: HttpRequest, meeting_id: int) -> Any:
    """The meeting (404 if the caller may not see it), or a 403 if they may not change it."""
    user = _user(request)
    meeting = selectors.meeting_get_for(
        user=user, meeting_id=meeting_id, request=request, action="meeting.change"
    )
    try:
        services.meeting_editor_require(actor=user, meeting=meeting, request=request)
    except PermissionDenied as error:
        return _forbidden(error)
    return meeting


def _users_named(usernames: list[str], field: str) -> list[User] | Status:
    found = {u.username: u for u in User.objects.filter(username__in=usernames, is_active=True)}
    unknown = [name for name in usernames if name not in found]
    if unknown:
        return Status(400, _errors(ValidationError({field: f"No active user called {unknown[0]}"})))
    return [found[name] for name in usernames]


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """A date and time without an offset is taken as UK local time."""
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def _cases_visible(user: User, ids: list[int], request: HttpRequest) -> list[Case]:
    return [selectors.case_for_actions(user=user, case_id=pk, request=request) for pk in ids]


@router.post(
    "/meetings",
    response={201: MeetingOut, 400: ErrorOut},
    summary="Record a meeting (the caller and the chair are invited)",
)
def meeting_create(request: HttpRequest, payload: MeetingIn) -> Any:
    from jointcase.agencies.models import Agency

    user = _user(request)
    cases = _cases_visible(user, payload.cases, request)
    invitees = _users_named(payload.invitees, "invitees")
    if isinstance(invitees, Status):
        return invitees
    chair = _owner(payload.chair)
    if payload.chair and chair is None:
        return Status(400, _errors(ValidationError({"chair": "Select an active user"})))
    agencies = list(Agency.objects.filter(code__in=payload.minutes_releasable_to))
    if len(agencies) != len(set(payload.minutes_releasable_to)):
        return Status(
            400,
            _errors(ValidationError({"minutes_releasable_to": "Use the codes of agencies"})),
        )
    result = _write(
        lambda: services.meeting_create(
            actor=user,
            type=payload.type,
            starts_at=_aware(payload.starts_at),
            chair=chair,
            cases=cases,
            agenda=payload.agenda,
            minutes_releasable_to=agencies,
            invitees=invitees,
            request=request,
        )
    )
    return result if isinstance(result, Status) else Status(201, result)


@router.post(
    "/meetings/{meeting_id}",
    response={200: MeetingOut, 400: ErrorOut, 403: ErrorOut},
    summary="Change a meeting: type, date and time, chair, agenda, status, cases discussed",
)
def meeting_change(request: HttpRequest, meeting_id: int, payload: MeetingChangeIn) -> Any:
    user = _user(request)
    meeting = _editable_meeting(request, meeting_id)
    if isinstance(meeting, Status):
        return meeting
    changes: dict[str, Any] = {
        name: getattr(payload, name)
        for name in ("type", "starts_at", "agenda", "status")
        if getattr(payload, name) is not None
    }
    if "starts_at" in changes:
        changes["starts_at"] = _aware(changes["starts_at"])
    if payload.chair is not None:
        changes["chair"] = _owner(payload.chair)
        if changes["chair"] is None:
            return Status(400, _errors(ValidationError({"chair": "Select an active user"})))
    if payload.cases is not None:
        cases = _cases_visible(user, payload.cases, request)
        return _write(
            lambda: services.meeting_edit(
                actor=user,
                meeting=meeting,
                expected_version=payload.version,
                cases=cases,
                request=request,
                **changes,
            )
        )
    return _write(
        lambda: services.meeting_update(
            actor=user,
            meeting=meeting,
            expected_version=payload.version,
            request=request,
            **changes,
        )
    )


@router.post(
    "/meetings/{meeting_id}/invitations",
    response={201: AttendeeOut, 400: ErrorOut, 403: ErrorOut},
    summary="Invite a user, or an external attendee by name, role and agency",
)
def invitation_add(request: HttpRequest, meeting_id: int, payload: InvitationIn) -> Any:
    meeting = _editable_meeting(request, meeting_id)
    if isinstance(meeting, Status):
        return meeting
    invitee = _owner(payload.user)
    if payload.user and invitee is None:
        return Status(400, _errors(ValidationError({"user": "Select an active user"})))
    result = _write(
        lambda: services.invitation_add(
            actor=_user(request),
            meeting=meeting,
            user=invitee,
            external_name=payload.external_name,
            external_role=payload.external_role,
            external_agency=payload.external_agency,
            request=request,
        )
    )
    return result if isinstance(result, Status) else Status(201, result)


@router.delete(
    "/meetings/{meeting_id}/invitations/{invitation_id}",
    response={204: None, 400: ErrorOut, 403: ErrorOut},
    summary="Remove an invitee (they lose the meeting at once unless a case gives access)",
)
def invitation_remove(request: HttpRequest, meeting_id: int, invitation_id: int) -> Any:
    meeting = _editable_meeting(request, meeting_id)
    if isinstance(meeting, Status):
        return meeting
    invitation = Invitation.objects.filter(meeting=meeting, pk=invitation_id).first()
    if invitation is None:
        raise Http404("Not found")
    result = _write(
        lambda: services.invitation_remove(
            actor=_user(request), invitation=invitation, request=request
        )
    )
    return result if isinstance(result, Status) else Status(204, None)
