"""Meetings in the API: list, read (minutes at the caller's clearance), record, change, invite
and attendance."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Query
from ninja.responses import Status

from jointcase.accounts.models import User
from jointcase.agencies.models import Agency
from jointcase.api_common import (
    ErrorOut,
    PageQuery,
    api_user,
    field_errors,
    paginate,
    shown_as,
)
from jointcase.cases.models import Case
from jointcase.meetings import selectors
from jointcase.meetings.api._common import (
    _editable_meeting,
    _owner,
    router,
)
from jointcase.meetings.api.schemas import (
    AttendanceIn,
    AttendeeOut,
    InvitationIn,
    MeetingChangeIn,
    MeetingDetailOut,
    MeetingIn,
    MeetingOut,
    MeetingPage,
    MeetingShown,
    SectionOut,
)
from jointcase.meetings.models import (
    Invitation,
)
from jointcase.meetings.services import invitations as invitation_services
from jointcase.meetings.services import meetings as meeting_services


@router.get("/meetings", response=MeetingPage, summary="Meetings the caller may see")
def meetings(request: HttpRequest, filters: Query[PageQuery]) -> dict[str, Any]:
    return paginate(selectors.meetings_for(api_user(request)), filters)


@router.get(
    "/meetings/{meeting_id}",
    response=MeetingDetailOut,
    summary="A meeting with its attendees and its minutes at the caller's clearance",
)
def meeting_read(request: HttpRequest, meeting_id: str) -> MeetingDetailOut:
    """As the meeting page shows it: a section the caller may not see is the placeholder
    (``withheld``) or is left out, as its originator chose; sections are numbered in the
    order shown, so a section left out leaves no gap."""
    user = api_user(request)
    meeting = selectors.meeting_get_for(user=user, meeting_id=meeting_id, request=request)
    minutes = selectors.minutes_for(user=user, meeting=meeting, request=request)
    shown = MeetingShown(
        attendees=list(meeting.invitations.select_related("user", "user__agency")),
        minutes=[
            SectionOut(
                order=number,
                heading=s.heading,
                classification=s.classification,
                caveats=list(s.caveats),
                originator=s.originator,
                body=s.body,
                withheld=s.withheld_text if s.withheld else None,
            )
            for number, s in enumerate(minutes.sections, start=1)
        ],
        marking=minutes.marking,
        decisions=list(selectors.decisions_for(user=user, meeting=meeting)),
    )
    return shown_as(MeetingDetailOut, meeting, shown, request)


@router.post(
    "/meetings/{meeting_id}/attendance/{invitation_id}",
    response={200: AttendeeOut, 400: ErrorOut},
    summary="Record attendance or apologies of an invitee",
)
def attendance(
    request: HttpRequest, meeting_id: str, invitation_id: str, payload: AttendanceIn
) -> Any:
    user = api_user(request)
    meeting = selectors.meeting_get_for(user=user, meeting_id=meeting_id, request=request)
    invitation = _invitation(meeting, invitation_id)
    return invitation_services.attendance_record(
        actor=user,
        invitation=invitation,
        attended=payload.attended,
        apologies=payload.apologies,
        request=request,
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


def _users_named(usernames: list[str], field: str) -> list[User] | Status:
    found = {u.username: u for u in User.objects.filter(username__in=usernames, is_active=True)}
    unknown = [name for name in usernames if name not in found]
    if unknown:
        return Status(
            400, field_errors(ValidationError({field: f"No active user called {unknown[0]}"}))
        )
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
    user = api_user(request)
    cases = _cases_visible(user, payload.cases, request)
    invitees = _users_named(payload.invitees, "invitees")
    if isinstance(invitees, Status):
        return invitees
    chair = _owner(payload.chair)
    if payload.chair and chair is None:
        return Status(400, field_errors(ValidationError({"chair": "Select an active user"})))
    agencies = list(Agency.objects.filter(code__in=payload.minutes_releasable_to))
    if len(agencies) != len(set(payload.minutes_releasable_to)):
        return Status(
            400,
            field_errors(ValidationError({"minutes_releasable_to": "Use the codes of agencies"})),
        )
    return Status(
        201,
        meeting_services.meeting_create(
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
    )


@router.post(
    "/meetings/{meeting_id}",
    response={200: MeetingOut, 400: ErrorOut, 403: ErrorOut},
    summary="Change a meeting: type, date and time, chair, agenda, status, cases discussed",
)
def meeting_change(request: HttpRequest, meeting_id: str, payload: MeetingChangeIn) -> Any:
    user = api_user(request)
    meeting = _editable_meeting(request, meeting_id)
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
            return Status(400, field_errors(ValidationError({"chair": "Select an active user"})))
    if payload.cases is not None:
        cases = _cases_visible(user, payload.cases, request)
        return meeting_services.meeting_edit(
            actor=user,
            meeting=meeting,
            expected_version=payload.version,
            cases=cases,
            request=request,
            **changes,
        )
    return meeting_services.meeting_update(
        actor=user,
        meeting=meeting,
        expected_version=payload.version,
        request=request,
        **changes,
    )


@router.post(
    "/meetings/{meeting_id}/invitations",
    response={201: AttendeeOut, 400: ErrorOut, 403: ErrorOut},
    summary="Invite a user, or an external attendee by name, role and agency",
)
def invitation_add(request: HttpRequest, meeting_id: str, payload: InvitationIn) -> Any:
    meeting = _editable_meeting(request, meeting_id)
    invitee = _owner(payload.user)
    if payload.user and invitee is None:
        return Status(400, field_errors(ValidationError({"user": "Select an active user"})))
    return Status(
        201,
        invitation_services.invitation_add(
            actor=api_user(request),
            meeting=meeting,
            user=invitee,
            external_name=payload.external_name,
            external_role=payload.external_role,
            external_agency=payload.external_agency,
            request=request,
        ),
    )


@router.delete(
    "/meetings/{meeting_id}/invitations/{invitation_id}",
    response={204: None, 400: ErrorOut, 403: ErrorOut},
    summary="Remove an invitee (they lose the meeting at once unless a case gives access)",
)
def invitation_remove(request: HttpRequest, meeting_id: str, invitation_id: str) -> Any:
    meeting = _editable_meeting(request, meeting_id)
    invitation = _invitation(meeting, invitation_id)
    invitation_services.invitation_remove(
        actor=api_user(request), invitation=invitation, request=request
    )
    return Status(204, None)
