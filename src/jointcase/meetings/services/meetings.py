"""A meeting: recording it, changing its details and the cases it discusses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest

from jointcase.access.acting import NotPermitted, Refusal
from jointcase.access.meetings import (
    participant_refusal,
    user_minutes_release_refusal,
    visible_case_ids,
)
from jointcase.accounts.models import User
from jointcase.agencies.models import Agency
from jointcase.audit.services import audit_record
from jointcase.cases.models import Case, TimelineKind
from jointcase.cases.services import timeline_add
from jointcase.lib.edits import ConcurrentEdit
from jointcase.meetings.models import (
    Invitation,
    Meeting,
    MeetingEventKind,
    MeetingStatus,
    MeetingType,
)
from jointcase.meetings.services._common import (
    checked,
    choice,
    meeting_event,
    meeting_link,
    person,
    when,
)
from jointcase.meetings.services.checks import cases_visible_require, meeting_editor_require
from jointcase.notifications.services import notify

STALE = "Someone else changed this meeting. Reload the page and try again."


def _new_meeting_errors(
    type: str, starts_at: dt.datetime | None, chair: User | None, cases: list[Case]
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if type not in MeetingType.values:
        errors["type"] = "Select the type of meeting"
    if starts_at is None:
        errors["starts_at"] = "Enter the date and time of the meeting"
    if chair is None:
        errors["chair"] = "Select the chair"
    elif not chair.is_active:
        errors["chair"] = "Select an active user as the chair"
    if not cases:
        errors["cases"] = "Select at least one case to discuss"
    return errors


def _participants(chair: User, actor: User, invitees: Iterable[User]) -> list[User]:
    people: list[User] = []
    for user in [chair, actor, *invitees]:
        if user.pk not in {p.pk for p in people}:
            people.append(user)
    return people


@checked(cases_visible_require)
def meeting_create(
    *,
    actor: User,
    type: str,
    starts_at: dt.datetime | None,
    chair: User | None,
    cases: Iterable[Case],
    agenda: str = "",
    minutes_releasable_to: Iterable[Agency] = (),
    invitees: Iterable[User] = (),
    request: HttpRequest | None = None,
) -> Meeting:
    """Record a meeting. ``cases``: a list or a queryset, each one ``actor`` may see."""

    cases = list(cases)
    errors = _new_meeting_errors(type, starts_at, chair, cases)
    if errors:
        raise ValidationError(errors)
    assert chair is not None
    assert starts_at is not None
    people = _participants(chair, actor, invitees)
    case_ids = [c.pk for c in cases]
    for user in people:
        refusal = participant_refusal(user, case_ids)
        if refusal is not None:
            raise ValidationError({"chair" if user.pk == chair.pk else "invitees": refusal.message})
    meeting = Meeting.objects.create(
        type=type, starts_at=starts_at, chair=chair, agenda=agenda.strip(), created_by=actor
    )
    meeting.cases.set(cases)
    meeting.minutes_releasable_to.set(list(minutes_releasable_to))
    for user in people:
        refusal = user_minutes_release_refusal(meeting, user)
        if refusal is not None:
            raise ValidationError({"chair" if user.pk == chair.pk else "invitees": refusal.message})
    Invitation.objects.bulk_create(Invitation(meeting=meeting, user=user) for user in people)
    meeting_event(meeting, MeetingEventKind.CREATED, actor=actor, to_value=when(starts_at))
    audit_record(
        action="meeting.create",
        actor=actor,
        object_type="meeting",
        object_id=meeting.pk,
        details={"type": type, "cases": case_ids, "invitees": sorted(p.pk for p in people)},
        request=request,
    )
    for case in cases:
        timeline_add(
            case=case,
            kind=TimelineKind.NOTE,
            title=f"{meeting.get_type_display()} planned",
            actor=actor,
            occurred_at=starts_at,
            agency=actor.agency,
        )
    notify(
        recipients=[p for p in people if p.pk != actor.pk],
        text="You have been invited to a meeting",
        link=meeting_link(meeting),
    )
    return meeting


def _display(name: str, value: Any) -> str:
    if name == "starts_at":
        return when(value)
    if name == "chair":
        return person(value)
    if name == "type":
        return str(MeetingType(value).label)
    if name == "status":
        return str(MeetingStatus(value).label)
    return ""  # the agenda: its change is recorded, its text is on the page


def _validate_changes(meeting: Meeting, changes: dict[str, Any]) -> User:
    """Check ``changes`` (normalising the agenda); the chair the meeting will have."""
    unknown = set(changes) - {"type", "starts_at", "agenda", "status", "chair"}
    if unknown:
        raise ValidationError({name: "This cannot be changed here" for name in unknown})
    if "status" in changes:
        choice(changes["status"], MeetingStatus, "status", "Select a status")
    if "type" in changes:
        choice(changes["type"], MeetingType, "type", "Select the type of meeting")
    if "starts_at" in changes and changes["starts_at"] is None:
        raise ValidationError({"starts_at": "Enter the date and time of the meeting"})
    if "agenda" in changes:
        changes["agenda"] = str(changes["agenda"] or "").strip()
    chair = changes.get("chair", meeting.chair)
    if chair is None:
        raise ValidationError({"chair": "Select the chair"})
    if "chair" in changes and chair.pk != meeting.chair_id:
        if not chair.is_active:
            raise ValidationError({"chair": "Select an active user as the chair"})
        refusal = participant_refusal(
            chair, meeting.cases.values_list("pk", flat=True)
        ) or user_minutes_release_refusal(meeting, chair)
        if refusal is not None:
            raise ValidationError({"chair": refusal.message})
    return chair


@checked(meeting_editor_require)
def meeting_update(
    *,
    actor: User,
    meeting: Meeting,
    expected_version: int,
    request: HttpRequest | None = None,
    **changes: Any,
) -> Meeting:
    """Change a meeting's details (type, date and time, chair, agenda, status). A new chair is
    invited if they were not, and must be able to receive the minutes."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.version != expected_version:
        raise ConcurrentEdit(STALE)
    chair = _validate_changes(meeting, changes)
    diff: dict[str, list[str]] = {}
    for name, value in changes.items():
        old = getattr(meeting, name)
        if old != value:
            diff[name] = [str(getattr(old, "pk", old)), str(getattr(value, "pk", value))]
            meeting_event(
                meeting,
                MeetingEventKind.CHANGED,
                actor=actor,
                field=name,
                from_value=_display(name, old),
                to_value=_display(name, value),
            )
            setattr(meeting, name, value)
    if not diff:
        return meeting
    meeting.version += 1
    meeting.save()
    if "chair" in diff and not meeting.invitations.filter(user=chair).exists():
        Invitation.objects.create(meeting=meeting, user=chair)
        meeting_event(meeting, MeetingEventKind.INVITED, actor=actor, to_value=person(chair))
        if chair.pk != actor.pk:
            notify(
                recipients=[chair],
                text="You have been invited to a meeting",
                link=meeting_link(meeting),
            )
    audit_record(
        action="meeting.update",
        actor=actor,
        object_type="meeting",
        object_id=meeting.pk,
        details={"changes": diff},
        request=request,
    )
    return meeting


def _records_on_case(meeting: Meeting, case: Case) -> bool:
    return (
        meeting.sections.filter(case=case).exists()
        or meeting.decisions.filter(case=case).exists()
        or meeting.actions.filter(case=case).exists()
        or meeting.risk_entries.filter(case=case).exists()
    )


def _check_case_changes(meeting: Meeting, added: list[Case], removed: list[Case]) -> None:
    invited = [i for i in meeting.invitations.select_related("user") if i.user is not None]
    for case in added:
        for invitation in invited:
            assert invitation.user is not None
            if participant_refusal(invitation.user, [case.pk]) is not None:
                raise ValidationError(
                    {
                        "cases": f"{invitation.display_name} cannot be invited to meetings "
                        f"about {case.reference}: remove them from the meeting first"
                    }
                )
    for case in removed:
        if _records_on_case(meeting, case):
            raise ValidationError(
                {
                    "cases": f"Minutes, decisions, actions or plan entries about {case.reference} "
                    "were recorded at this meeting, so it cannot be removed"
                }
            )


@checked(meeting_editor_require)
def meeting_cases_set(
    *,
    actor: User,
    meeting: Meeting,
    cases: Iterable[Case],
    expected_version: int,
    request: HttpRequest | None = None,
) -> Meeting:
    """Change the cases discussed. ``cases`` is the new set among the cases ``actor`` may see;
    cases of the meeting they may not see are kept (never revealed, never removed by them).
    A case with minutes, decisions, actions or plan entries recorded at this meeting cannot be
    removed. Access follows at once: whoever saw the meeting only through a removed case no
    longer does on their next request."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.version != expected_version:
        raise ConcurrentEdit(STALE)
    wanted = {c.pk: c for c in cases}
    current = {c.pk: c for c in meeting.cases.all()}
    visible = visible_case_ids(actor, [*wanted, *current])
    if set(wanted) - visible:
        raise NotPermitted(Refusal(reason="not_on_case", message="Not found", hidden=True))
    added = [wanted[pk] for pk in sorted(set(wanted) - set(current))]
    removed = [current[pk] for pk in sorted((set(current) & visible) - set(wanted))]
    if not wanted and not set(current) - visible:
        raise ValidationError({"cases": "Select at least one case to discuss"})
    _check_case_changes(meeting, added, removed)
    if not added and not removed:
        return meeting
    meeting.cases.remove(*removed)
    meeting.cases.add(*added)
    for case in added:
        meeting_event(
            meeting, MeetingEventKind.CASE_ADDED, actor=actor, to_value=case.reference, case=case
        )
    for case in removed:
        meeting_event(
            meeting,
            MeetingEventKind.CASE_REMOVED,
            actor=actor,
            from_value=case.reference,
            case=case,
        )
    meeting.version += 1
    meeting.save(update_fields=["version"])
    audit_record(
        action="meeting.cases",
        actor=actor,
        object_type="meeting",
        object_id=meeting.pk,
        details={"added": [c.pk for c in added], "removed": [c.pk for c in removed]},
        request=request,
    )
    return meeting


@checked(meeting_editor_require)
def meeting_edit(
    *,
    actor: User,
    meeting: Meeting,
    expected_version: int,
    cases: Iterable[Case],
    request: HttpRequest | None = None,
    **changes: Any,
) -> Meeting:
    """The edit page in one step: the details (``meeting_update``) and the cases discussed
    (``meeting_cases_set``); either refusal leaves everything as it was."""
    meeting = meeting_update(
        actor=actor, meeting=meeting, expected_version=expected_version, request=request, **changes
    )
    return meeting_cases_set(
        actor=actor,
        meeting=meeting,
        cases=cases,
        expected_version=meeting.version,
        request=request,
    )
