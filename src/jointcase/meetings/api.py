"""Meetings and actions API: meetings (with minutes at the caller's clearance), attendance and
agreed actions, under the pages' rules. Unknown fields are refused (no mass assignment); a
forbidden object is a 404 like a missing one; bad input is a 400 keyed by field."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict

from jointcase.access.labels import Classification
from jointcase.access.policy import case_filter
from jointcase.accounts.models import User
from jointcase.agencies.models import Agency, Caveat
from jointcase.cases.models import Case
from jointcase.lib.edits import ConcurrentEdit
from jointcase.material.api import LabelOut
from jointcase.meetings import selectors, services
from jointcase.meetings.models import (
    AgreedAction,
    Invitation,
    OtherAgencyAttendees,
    WithheldDisplay,
)
from jointcase.people.api import PageQuery, _auth, paginate

router = Router(tags=["meetings"], auth=_auth())


def _meeting_public_id(obj: Any) -> uuid.UUID | None:
    """The opaque identifier of the meeting an action, decision or plan entry came from."""
    return obj.meeting.public_id if obj.meeting_id is not None else None


class ErrorItem(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[ErrorItem]


class _Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class ActionOut(Schema):
    id: uuid.UUID = Field(..., description="The action's opaque identifier")
    case: uuid.UUID = Field(..., description="The case's opaque identifier")
    meeting: uuid.UUID | None = Field(None, description="The meeting's opaque identifier")
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
    def resolve_id(obj: Any) -> uuid.UUID:
        return obj.public_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_case(obj: Any) -> uuid.UUID:
        return obj.case.public_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_meeting(obj: Any) -> uuid.UUID | None:
        return _meeting_public_id(obj)

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
    meeting: uuid.UUID | None = Field(None, description="The meeting's opaque identifier")
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
    cases: list[uuid.UUID] = Field(
        default_factory=list, max_length=50, description="The cases' opaque identifiers"
    )
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
    cases: list[uuid.UUID] | None = Field(
        None,
        max_length=50,
        description="The new set among the cases the caller may see (opaque identifiers)",
    )


class AttendeeOut(Schema):
    id: uuid.UUID = Field(..., description="The invitation's opaque identifier")
    name: str
    agency: str
    invited: bool
    attended: bool
    apologies: bool

    @staticmethod
    def resolve_id(obj: Any) -> uuid.UUID:
        return obj.public_id  # type: ignore[no-any-return]

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
    id: uuid.UUID = Field(..., description="The meeting's opaque identifier")
    type: str
    starts_at: dt.datetime
    status: str
    chair: str
    agenda: str
    cases: list[uuid.UUID] = Field(..., description="The cases' opaque identifiers")
    version: int

    @staticmethod
    def resolve_id(obj: Any) -> uuid.UUID:
        return obj.public_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_chair(obj: Any) -> str:
        return str(obj.chair.username)

    @staticmethod
    def resolve_cases(obj: Any, context: Any) -> list[uuid.UUID]:
        """Only the cases the caller may see (a meeting's other cases are never revealed)."""
        user = getattr((context or {}).get("request"), "user", None)
        if not isinstance(user, User):
            return []
        ids = [c.pk for c in obj.cases.all()]
        return list(
            Case.objects.filter(case_filter(user), pk__in=ids)
            .order_by("reference")
            .values_list("public_id", flat=True)
        )


class DecisionIn(_Strict):
    case: uuid.UUID = Field(..., description="One of the meeting's cases (its opaque identifier)")
    text: str = Field("", max_length=4000)


class DecisionOut(Schema):
    id: int
    meeting: uuid.UUID | None = Field(None, description="The meeting's opaque identifier")
    case: uuid.UUID = Field(..., description="The case's opaque identifier")
    text: str
    recorded_by: str | None
    decided_on: dt.date

    @staticmethod
    def resolve_meeting(obj: Any) -> uuid.UUID | None:
        return _meeting_public_id(obj)

    @staticmethod
    def resolve_case(obj: Any) -> uuid.UUID:
        return obj.case.public_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_recorded_by(obj: Any) -> str | None:
        return obj.recorded_by.username if obj.recorded_by_id else None


class MeetingDetailOut(MeetingOut):
    attendees: list[AttendeeOut]
    minutes: list[SectionOut]
    marking: str
    decisions: list[DecisionOut]

    @staticmethod
    def resolve_decisions(obj: Any) -> list[Any]:
        """Only the decisions on cases the caller may see (set by ``meeting_read``)."""
        return list(getattr(obj, "decisions_shown", []))


class SectionIn(_Strict):
    """A minutes section and its label. There is no ``originator`` field: the originator is
    always the caller's agency (an ``originator`` in the body is refused, like any unknown
    field)."""

    heading: str = Field("", max_length=200)
    body: str = Field("", max_length=50_000)
    case: uuid.UUID | None = Field(
        None,
        description="The case it is about, by its opaque identifier "
        "(default: the first of the meeting's cases)",
    )
    classification: str = Field(Classification.OFFICIAL_SENSITIVE, max_length=20)
    caveats: list[str] = Field(default_factory=list, max_length=20, description="Caveat codes")
    releasable_to: list[str] = Field(
        default_factory=list,
        max_length=50,
        description="Agency codes (empty: the meeting's own releasability)",
    )
    withheld_display: str = Field(
        WithheldDisplay.SHOW_PLACEHOLDER,
        max_length=20,
        description="For readers who may not see it: SHOW_PLACEHOLDER or OMIT",
    )
    other_agency_attendees: str = Field(
        OtherAgencyAttendees.REFUSE,
        max_length=10,
        description="For a section released to some agencies, attendees of other agencies: "
        "REFUSE them, or WITHHOLD the section from them",
    )


class SectionAddedOut(LabelOut):
    id: int
    meeting: uuid.UUID = Field(..., description="The meeting's opaque identifier")
    case: uuid.UUID = Field(..., description="The case's opaque identifier")
    order: int
    heading: str
    withheld_display: str
    other_agency_attendees: str

    @staticmethod
    def resolve_meeting(obj: Any) -> uuid.UUID:
        return obj.meeting.public_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_case(obj: Any) -> uuid.UUID:
        return obj.case.public_id  # type: ignore[no-any-return]


class PlanEntryIn(_Strict):
    pillar: str = Field(
        "",
        max_length=30,
        description="SUPERVISION, MONITORING_AND_CONTROL, INTERVENTIONS_AND_TREATMENT or "
        "VICTIM_SAFETY_PLANNING",
    )
    text: str = Field("", max_length=4000)
    owner: str | None = Field(None, max_length=150, description="The owner's username (optional)")


class PlanEntryOut(Schema):
    id: int
    case: uuid.UUID = Field(..., description="The case's opaque identifier")
    pillar: str
    text: str
    owner: str | None
    entry_date: dt.date
    meeting: uuid.UUID | None = Field(None, description="The meeting's opaque identifier")

    @staticmethod
    def resolve_case(obj: Any) -> uuid.UUID:
        return obj.case.public_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_owner(obj: Any) -> str | None:
        return obj.owner.username if obj.owner_id else None

    @staticmethod
    def resolve_meeting(obj: Any) -> uuid.UUID | None:
        return _meeting_public_id(obj)


class PlanPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[PlanEntryOut]


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


def _write(call: Callable[[], Any], *, status: int = 200) -> Any:
    """A service call's result (as ``status``: 201 created, 204 nothing to return), or its
    refusal as the API answers it: 400 keyed by field (a stale ``version`` included), and a
    404 where the service finds the caller may not see what it was given."""
    try:
        result = call()
    except ValidationError as error:
        return Status(400, _errors(error))
    except ConcurrentEdit as error:
        return Status(
            400, {"detail": str(error), "errors": [{"field": "version", "message": str(error)}]}
        )
    except PermissionDenied:
        raise Http404("Not found") from None
    if status == 200:
        return result
    return Status(status, None if status == 204 else result)


def _case_key(public_id: uuid.UUID | None) -> int | None:
    """A case filter as the internal key the selectors filter on: None for no filter, 0 (which
    matches nothing) for a case that does not exist, the same answer as for a hidden case."""
    if public_id is None:
        return None
    return Case.objects.filter(public_id=public_id).values_list("pk", flat=True).first() or 0


class ActionQuery(PageQuery):
    status: str | None = Field(None, max_length=12)
    due: str | None = Field(None, max_length=10)
    case: uuid.UUID | None = Field(
        None, description="Only actions on this case (its opaque identifier)"
    )


@router.get("/actions/mine", response=ActionPage, summary="Actions the caller owns")
def actions_mine(request: HttpRequest, filters: Query[ActionQuery]) -> dict[str, Any]:
    due = filters.due if filters.due in selectors.DUE_FILTERS else None
    items = selectors.my_actions_for(
        _user(request),
        status=filters.status or "open_all",
        due=due,
        case_id=_case_key(filters.case),
    )
    return paginate(items, filters)


@router.get("/actions/{action_id}", response=ActionOut, summary="One agreed action")
def action_read(request: HttpRequest, action_id: str) -> Any:
    return selectors.action_get_for(user=_user(request), action_id=action_id, request=request)


@router.get("/cases/{case_id}/actions", response=ActionPage, summary="Agreed actions on a case")
def case_actions(request: HttpRequest, case_id: str, filters: Query[PageQuery]) -> dict[str, Any]:
    user = _user(request)
    case = selectors.case_for_actions(user=user, case_id=case_id, request=request)
    return paginate(
        selectors.case_actions_for(user=user, case=case).order_by("due_date", "id"), filters
    )


@router.post(
    "/cases/{case_id}/actions", response={201: ActionOut, 400: ErrorOut}, summary="Agree an action"
)
def action_create(request: HttpRequest, case_id: str, payload: ActionIn) -> Any:
    user = _user(request)
    case: Case = selectors.case_for_actions(user=user, case_id=case_id, request=request)
    meeting = None
    if payload.meeting is not None:
        meeting = selectors.meeting_get_for(user=user, meeting_id=payload.meeting, request=request)
    owner = _owner(payload.owner)
    return _write(
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
            unknown_owner=bool(payload.owner) and owner is None,
        ),
        status=201,
    )


def _action(request: HttpRequest, action_id: str) -> AgreedAction:
    return selectors.action_get_for(
        user=_user(request), action_id=action_id, request=request, action="action.write"
    )


def _action_change(
    request: HttpRequest,
    action_id: str,
    change: Callable[..., AgreedAction],
    *,
    require: Callable[..., None] | None = None,
    **fields: Any,
) -> Any:
    """One change to an action: the action (404 if the caller may not see it), ``require``
    (a 403 with a DENY entry if they may see it but not do this), then the service."""
    user = _user(request)
    action = _action(request, action_id)
    if require is not None:
        try:
            require(actor=user, action=action, request=request)
        except PermissionDenied as error:
            return _forbidden(error)
    return _write(lambda: change(actor=user, action=action, request=request, **fields))


@router.post(
    "/actions/{action_id}/complete",
    response={200: ActionOut, 400: ErrorOut, 403: ErrorOut},
    summary="Complete an action with evidence (owner, their manager, the case's lead or seniors)",
)
def action_complete(request: HttpRequest, action_id: str, payload: CompleteIn) -> Any:
    return _action_change(
        request,
        action_id,
        services.action_complete,
        require=services.action_complete_require,
        evidence=payload.evidence,
        evidence_item_id=payload.evidence_item_id,
        expected_version=payload.version,
    )


@router.post(
    "/actions/{action_id}/reassign",
    response={200: ActionOut, 400: ErrorOut, 403: ErrorOut},
    summary="Reassign an action (owner, their manager, the case's lead or seniors)",
)
def action_reassign(request: HttpRequest, action_id: str, payload: ReassignIn) -> Any:
    owner = _owner(payload.owner)
    return _action_change(
        request,
        action_id,
        services.action_reassign,
        require=services.action_reassign_require,
        owner=owner,
        unknown_owner=bool(payload.owner) and owner is None,
        reason=payload.reason,
        expected_version=payload.version,
    )


@router.post(
    "/actions/{action_id}/status",
    response={200: ActionOut, 400: ErrorOut, 403: ErrorOut},
    summary="Change an action's status (cancelling: owner, their manager, the case's lead or "
    "seniors)",
)
def action_status(request: HttpRequest, action_id: str, payload: StatusIn) -> Any:
    def require(*, actor: User, action: AgreedAction, request: HttpRequest) -> None:
        services.action_status_require(
            actor=actor, action=action, status=payload.status, request=request
        )

    return _action_change(
        request,
        action_id,
        services.action_update_status,
        require=require,
        status=payload.status,
        reason=payload.reason,
        expected_version=payload.version,
    )


@router.post(
    "/actions/{action_id}/due",
    response={200: ActionOut, 400: ErrorOut, 403: ErrorOut},
    summary="Change an action's due date (owner, their manager, the case's lead or seniors)",
)
def action_due(request: HttpRequest, action_id: str, payload: DueIn) -> Any:
    return _action_change(
        request,
        action_id,
        services.action_change_due,
        require=services.action_due_change_require,
        due_date=payload.due_date,
        reason=payload.reason,
        expected_version=payload.version,
    )


@router.get("/meetings", response=MeetingPage, summary="Meetings the caller may see")
def meetings(request: HttpRequest, filters: Query[PageQuery]) -> dict[str, Any]:
    return paginate(selectors.meetings_for(_user(request)), filters)


@router.get(
    "/meetings/{meeting_id}",
    response=MeetingDetailOut,
    summary="A meeting with its attendees and its minutes at the caller's clearance",
)
def meeting_read(request: HttpRequest, meeting_id: str) -> Any:
    """As the meeting page shows it: a section the caller may not see is the placeholder
    (``withheld``) or is left out, as its originator chose; sections are numbered in the
    order shown, so a section left out leaves no gap."""
    user = _user(request)
    meeting = selectors.meeting_get_for(user=user, meeting_id=meeting_id, request=request)
    minutes = selectors.minutes_for(user=user, meeting=meeting, request=request)
    meeting.attendees = list(meeting.invitations.select_related("user", "user__agency"))  # type: ignore[attr-defined]
    meeting.minutes = [  # type: ignore[attr-defined]
        {
            "order": number,
            "heading": s.heading,
            "classification": s.classification,
            "caveats": list(s.caveats),
            "originator": s.originator,
            "body": s.body,
            "withheld": s.withheld_text if s.withheld else None,
        }
        for number, s in enumerate(minutes.sections, start=1)
    ]
    meeting.marking = minutes.marking  # type: ignore[attr-defined]
    meeting.decisions_shown = list(selectors.decisions_for(user=user, meeting=meeting))  # type: ignore[attr-defined]
    return meeting


@router.post(
    "/meetings/{meeting_id}/attendance/{invitation_id}",
    response={200: AttendeeOut, 400: ErrorOut},
    summary="Record attendance or apologies of an invitee",
)
def attendance(
    request: HttpRequest, meeting_id: str, invitation_id: str, payload: AttendanceIn
) -> Any:
    user = _user(request)
    meeting = selectors.meeting_get_for(user=user, meeting_id=meeting_id, request=request)
    invitation = _invitation(meeting, invitation_id)
    return _write(
        lambda: services.attendance_record(
            actor=user,
            invitation=invitation,
            attended=payload.attended,
            apologies=payload.apologies,
            request=request,
        )
    )


def _invitation(meeting: Any, invitation_id: str) -> Invitation:
    """One of ``meeting``'s invitations by its opaque id (404 for a missing or malformed one)."""
    key = selectors.public_key(invitation_id)
    invitation = (
        Invitation.objects.filter(meeting=meeting, public_id=key)
        .select_related("user", "user__agency")
        .first()
        if key is not None
        else None
    )
    if invitation is None:
        raise Http404("Not found")
    return invitation


def _editable_meeting(request: HttpRequest, meeting_id: str) -> Any:
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


def _cases_visible(user: User, ids: list[uuid.UUID], request: HttpRequest) -> list[Case]:
    return [
        selectors.case_for_actions(user=user, case_id=public_id, request=request)
        for public_id in ids
    ]


@router.post(
    "/meetings",
    response={201: MeetingOut, 400: ErrorOut},
    summary="Record a meeting (the caller and the chair are invited)",
)
def meeting_create(request: HttpRequest, payload: MeetingIn) -> Any:
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
    return _write(
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
        ),
        status=201,
    )


@router.post(
    "/meetings/{meeting_id}",
    response={200: MeetingOut, 400: ErrorOut, 403: ErrorOut},
    summary="Change a meeting: type, date and time, chair, agenda, status, cases discussed",
)
def meeting_change(request: HttpRequest, meeting_id: str, payload: MeetingChangeIn) -> Any:
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
def invitation_add(request: HttpRequest, meeting_id: str, payload: InvitationIn) -> Any:
    meeting = _editable_meeting(request, meeting_id)
    if isinstance(meeting, Status):
        return meeting
    invitee = _owner(payload.user)
    if payload.user and invitee is None:
        return Status(400, _errors(ValidationError({"user": "Select an active user"})))
    return _write(
        lambda: services.invitation_add(
            actor=_user(request),
            meeting=meeting,
            user=invitee,
            external_name=payload.external_name,
            external_role=payload.external_role,
            external_agency=payload.external_agency,
            request=request,
        ),
        status=201,
    )


@router.delete(
    "/meetings/{meeting_id}/invitations/{invitation_id}",
    response={204: None, 400: ErrorOut, 403: ErrorOut},
    summary="Remove an invitee (they lose the meeting at once unless a case gives access)",
)
def invitation_remove(request: HttpRequest, meeting_id: str, invitation_id: str) -> Any:
    meeting = _editable_meeting(request, meeting_id)
    if isinstance(meeting, Status):
        return meeting
    invitation = _invitation(meeting, invitation_id)
    return _write(
        lambda: services.invitation_remove(
            actor=_user(request), invitation=invitation, request=request
        ),
        status=204,
    )


def _codes(model: Any, codes: list[str], field: str, what: str) -> list[Any] | Status:
    """Active caveats or agencies by code (the controlled vocabularies); an unknown code is a
    400 on ``field``."""
    wanted = sorted({code.strip() for code in codes if code.strip()})
    found = {obj.code: obj for obj in model.objects.filter(code__in=wanted, is_active=True)}
    unknown = [code for code in wanted if code not in found]
    if unknown:
        return Status(
            400, _errors(ValidationError({field: f"Unknown {what}: {', '.join(unknown)}"}))
        )
    return [found[code] for code in wanted]


@router.post(
    "/meetings/{meeting_id}/minutes",
    response={201: SectionAddedOut, 400: ErrorOut, 403: ErrorOut},
    summary="Add a labelled section to the minutes (the originator is the caller's agency)",
)
def section_add(request: HttpRequest, meeting_id: str, payload: SectionIn) -> Any:
    user = _user(request)
    meeting = _editable_meeting(request, meeting_id)
    if isinstance(meeting, Status):
        return meeting
    case = (
        selectors.case_for_actions(user=user, case_id=payload.case, request=request)
        if payload.case is not None
        else None
    )
    caveats = _codes(Caveat, payload.caveats, "caveats", "caveat")
    if isinstance(caveats, Status):
        return caveats
    releasable = _codes(Agency, payload.releasable_to, "releasable_to", "agency")
    if isinstance(releasable, Status):
        return releasable
    return _write(
        lambda: services.minutes_section_add(
            actor=user,
            meeting=meeting,
            heading=payload.heading,
            body=payload.body,
            case=case,
            classification=payload.classification,
            caveats=caveats,
            releasable_to=releasable or None,
            withheld_display=payload.withheld_display,
            other_agency_attendees=payload.other_agency_attendees,
            request=request,
        ),
        status=201,
    )


@router.post(
    "/meetings/{meeting_id}/decisions",
    response={201: DecisionOut, 400: ErrorOut, 403: ErrorOut},
    summary="Record a decision on one of the meeting's cases",
)
def decision_add(request: HttpRequest, meeting_id: str, payload: DecisionIn) -> Any:
    user = _user(request)
    meeting = _editable_meeting(request, meeting_id)
    if isinstance(meeting, Status):
        return meeting
    case = selectors.case_for_actions(user=user, case_id=payload.case, request=request)
    return _write(
        lambda: services.decision_record(
            actor=user, meeting=meeting, case=case, text=payload.text, request=request
        ),
        status=201,
    )


@router.get(
    "/cases/{case_id}/plan",
    response=PlanPage,
    summary="The case's risk management plan, pillar by pillar",
)
def risk_plan(request: HttpRequest, case_id: str, filters: Query[PageQuery]) -> dict[str, Any]:
    case = selectors.case_for_actions(user=_user(request), case_id=case_id, request=request)
    return paginate(selectors.risk_plan_for(case=case), filters)


@router.post(
    "/cases/{case_id}/plan",
    response={201: PlanEntryOut, 400: ErrorOut},
    summary="Add an entry to the case's risk management plan",
)
def risk_plan_add(request: HttpRequest, case_id: str, payload: PlanEntryIn) -> Any:
    user = _user(request)
    case = selectors.case_for_actions(user=user, case_id=case_id, request=request)
    owner = _owner(payload.owner)
    return _write(
        lambda: services.risk_entry_add(
            actor=user,
            case=case,
            pillar=payload.pillar,
            text=payload.text,
            owner=owner,
            request=request,
            unknown_owner=bool(payload.owner) and owner is None,
        ),
        status=201,
    )
