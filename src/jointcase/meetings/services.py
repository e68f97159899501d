"""Writes for meetings, minutes and agreed actions: keyword-only, atomic, validated (a
``ValidationError`` keyed by field, nothing stored), audited in the same transaction; every
change to an action also appends an ``ActionEvent``.

Notifications (``material.Notification``) carry no protected content: a fixed text and a link.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from jointcase.access.labels import CLASSIFICATION_RANK, Classification
from jointcase.access.material import (
    LabelFields,
    above_system_high,
    label_decision,
    system_high,
)
from jointcase.access.meetings import meeting_decision
from jointcase.access.policy import case_decision
from jointcase.accounts.models import User
from jointcase.agencies.models import Agency, Caveat
from jointcase.audit.services import audit_record
from jointcase.cases.models import Case
from jointcase.lib.edits import ConcurrentEdit
from jointcase.material.crypto import label_from, seal
from jointcase.material.models import Notification
from jointcase.meetings.models import (
    OPEN_STATUSES,
    ActionEvent,
    ActionEventKind,
    ActionPriority,
    ActionSource,
    ActionStatus,
    AgreedAction,
    Invitation,
    Meeting,
    MeetingDecision,
    MeetingStatus,
    MeetingType,
    MinutesSection,
    RiskPillar,
    RiskPlanEntry,
    WithheldDisplay,
)

NOT_ON_CASE = "They must be added to the case team first"


def _check_case(actor: User, case: Case) -> None:
    """The actor must see the case (views 404 before this; the service never trusts them)."""
    if not case_decision(actor, case).allowed:
        raise PermissionDenied("case not visible")


def _check_meeting(actor: User, meeting: Meeting) -> None:
    if not meeting_decision(actor, meeting).allowed:
        raise PermissionDenied("meeting not visible")


def _choice(value: str, choices: Any, field: str, message: str) -> None:
    if value not in choices.values:
        raise ValidationError({field: message})


def _notify(recipients: Iterable[User | None], text: str, link: str) -> int:
    now = timezone.now()
    seen: set[int] = set()
    rows = []
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        rows.append(Notification(recipient=user, text=text[:300], link=link, created_at=now))
    Notification.objects.bulk_create(rows)
    return len(rows)


def action_link(action: AgreedAction) -> str:
    return reverse("meetings:action", args=[action.pk])


def meeting_link(meeting: Meeting) -> str:
    return reverse("meetings:meeting", args=[meeting.pk])


# --- Meetings ---------------------------------------------------------------------------------


def _releasable_ok(meeting: Meeting, user: User) -> bool:
    allowed = set(meeting.minutes_releasable_to.values_list("pk", flat=True))
    return not allowed or user.agency_id in allowed


def _releasable_error(user: User) -> ValidationError:
    agency = user.agency.name if user.agency else "their agency"
    return ValidationError(
        {
            "user": f"The minutes of this meeting are not releasable to {agency}, so "
            f"{user.get_full_name() or user.username} cannot be invited or recorded as attending"
        }
    )


@transaction.atomic
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
    cases = list(cases)
    errors: dict[str, str] = {}
    if type not in MeetingType.values:
        errors["type"] = "Select the type of meeting"
    if starts_at is None:
        errors["starts_at"] = "Enter the date and time of the meeting"
    if chair is None:
        errors["chair"] = "Select the chair"
    if not cases:
        errors["cases"] = "Select at least one case to discuss"
    if errors:
        raise ValidationError(errors)
    assert chair is not None
    assert starts_at is not None
    for case in cases:
        _check_case(actor, case)
    meeting = Meeting.objects.create(
        type=type, starts_at=starts_at, chair=chair, agenda=agenda.strip(), created_by=actor
    )
    meeting.cases.set(cases)
    meeting.minutes_releasable_to.set(list(minutes_releasable_to))
    invited = {actor.pk, chair.pk}
    Invitation.objects.create(meeting=meeting, user=chair)
    if actor.pk != chair.pk:
        Invitation.objects.create(meeting=meeting, user=actor)
    for user in invitees:
        if user.pk in invited:
            continue
        invited.add(user.pk)
        if not _releasable_ok(meeting, user):
            raise _releasable_error(user)
        Invitation.objects.create(meeting=meeting, user=user)
    if not _releasable_ok(meeting, chair):
        raise _releasable_error(chair)
    audit_record(
        action="meeting.create",
        actor=actor,
        object_type="meeting",
        object_id=meeting.pk,
        details={"type": type, "cases": [c.pk for c in cases], "invitees": sorted(invited)},
        request=request,
    )
    for case in cases:
        from jointcase.cases.models import TimelineKind
        from jointcase.cases.services import timeline_add

        timeline_add(
            case=case,
            kind=TimelineKind.NOTE,
            title=f"{meeting.get_type_display()} planned",
            actor=actor,
            occurred_at=starts_at,
            agency=actor.agency,
        )
    return meeting


@transaction.atomic
def meeting_update(
    *,
    actor: User,
    meeting: Meeting,
    expected_version: int,
    request: HttpRequest | None = None,
    **changes: Any,
) -> Meeting:
    _check_meeting(actor, meeting)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.version != expected_version:
        raise ConcurrentEdit("Someone else changed this meeting. Reload the page and try again.")
    allowed = {"type", "starts_at", "agenda", "status"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({name: "This cannot be changed here" for name in unknown})
    if "status" in changes:
        _choice(changes["status"], MeetingStatus, "status", "Select a status")
    if "type" in changes:
        _choice(changes["type"], MeetingType, "type", "Select the type of meeting")
    if "starts_at" in changes and changes["starts_at"] is None:
        raise ValidationError({"starts_at": "Enter the date and time of the meeting"})
    diff = {}
    for name, value in changes.items():
        old = getattr(meeting, name)
        if old != value:
            diff[name] = [str(old), str(value)]
            setattr(meeting, name, value)
    meeting.version += 1
    meeting.save()
    audit_record(
        action="meeting.update",
        actor=actor,
        object_type="meeting",
        object_id=meeting.pk,
        details={"changes": diff},
        request=request,
    )
    return meeting


@transaction.atomic
def invitation_add(
    *,
    actor: User,
    meeting: Meeting,
    user: User | None = None,
    external_name: str = "",
    external_role: str = "",
    external_agency: str = "",
    request: HttpRequest | None = None,
) -> Invitation:
    _check_meeting(actor, meeting)
    external_name = external_name.strip()
    if (user is None) == (not external_name):
        raise ValidationError(
            {"user": "Select a user, or enter an external attendee's name (not both)"}
        )
    if user is not None:
        if not _releasable_ok(meeting, user):
            raise _releasable_error(user)
        if meeting.invitations.filter(user=user).exists():
            raise ValidationError({"user": "This person is already invited"})
    elif not external_agency.strip():
        raise ValidationError({"external_agency": "Enter the external attendee's agency"})
    invitation = Invitation.objects.create(
        meeting=meeting,
        user=user,
        external_name=external_name,
        external_role=external_role.strip(),
        external_agency=external_agency.strip(),
    )
    audit_record(
        action="meeting.invite",
        actor=actor,
        object_type="meeting",
        object_id=meeting.pk,
        details={"invitation": invitation.pk, "user": user.pk if user else None},
        request=request,
    )
    if user is not None and user.pk != actor.pk:
        _notify([user], "You have been invited to a meeting", meeting_link(meeting))
    return invitation


@transaction.atomic
def attendance_record(
    *,
    actor: User,
    invitation: Invitation,
    attended: bool,
    apologies: bool = False,
    request: HttpRequest | None = None,
) -> Invitation:
    meeting = invitation.meeting
    _check_meeting(actor, meeting)
    if attended and apologies:
        raise ValidationError({"apologies": "Someone who attended did not send apologies"})
    if attended and invitation.user is not None and not _releasable_ok(meeting, invitation.user):
        raise _releasable_error(invitation.user)
    before = (invitation.attended, invitation.apologies)
    invitation.attended, invitation.apologies = attended, apologies
    invitation.save(update_fields=["attended", "apologies"])
    audit_record(
        action="meeting.attendance",
        actor=actor,
        object_type="meeting",
        object_id=meeting.pk,
        details={
            "invitation": invitation.pk,
            "changes": {"attended/apologies": [list(before), [attended, apologies]]},
        },
        request=request,
    )
    return invitation


@transaction.atomic
def minutes_section_add(
    *,
    actor: User,
    meeting: Meeting,
    heading: str,
    body: str,
    classification: str = Classification.OFFICIAL_SENSITIVE,
    case: Case | None = None,
    caveats: Iterable[Caveat] = (),
    releasable_to: Iterable[Agency] | None = None,
    withheld_display: str = WithheldDisplay.SHOW_PLACEHOLDER,
    request: HttpRequest | None = None,
) -> MinutesSection:
    """Add a labelled section. The originator is the author's agency; the author must be able
    to read what they write (clearance, caveats); the body is sealed under the label."""
    _check_meeting(actor, meeting)
    errors: dict[str, str] = {}
    if not heading.strip():
        errors["heading"] = "Enter a heading"
    if not body.strip():
        errors["body"] = "Enter the minutes of this section"
    if classification not in CLASSIFICATION_RANK:
        errors["classification"] = "Select a classification"
    elif above_system_high(classification):
        errors["classification"] = (
            f"This system holds nothing above {system_high()}: record a reference to the "
            "material held elsewhere instead"
        )
    if withheld_display not in WithheldDisplay.values:
        errors["withheld_display"] = "Choose what readers who may not see it are shown"
    if actor.agency_id is None:
        errors["heading"] = "Only a member of an agency can write minutes"
    meeting_cases = list(meeting.cases.all())
    if case is None:
        case = meeting_cases[0] if meeting_cases else None
    elif case.pk not in {c.pk for c in meeting_cases}:
        errors["case"] = "Select one of the cases discussed at this meeting"
    if errors:
        raise ValidationError(errors)
    assert case is not None
    caveats = list(caveats)
    releasable = (
        list(releasable_to)
        if releasable_to is not None
        else list(meeting.minutes_releasable_to.all())
    )
    label = LabelFields(
        classification=classification,
        caveat_ids=frozenset(c.pk for c in caveats),
        releasable_ids=frozenset(a.pk for a in releasable),
        originator_id=actor.agency_id,
    )
    from jointcase.access.meetings import LABEL_REASONS

    own = label_decision(actor, label, case)
    if not own.allowed and own.reason in LABEL_REASONS:
        raise ValidationError(
            {"classification": "You cannot write a section with a label you could not read"}
        )
    order = (meeting.sections.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    section = MinutesSection.objects.create(
        meeting=meeting,
        case=case,
        order=order,
        heading=heading.strip(),
        classification=classification,
        originator_id=int(actor.agency_id or 0),
        withheld_display=withheld_display,
        author=actor,
    )
    section.caveats.set(caveats)
    section.releasable_to.set(releasable)
    sealed = seal(
        plaintext=body.encode("utf-8"),
        object_id=section_object_id(section),
        label=section_label(section),
    )
    sealed.data_key.save()
    section.data_key = sealed.data_key
    section.body_ciphertext = bytes(sealed.ciphertext)
    section.save(update_fields=["data_key", "body_ciphertext"])
    audit_record(
        action="meeting.minutes.add",
        actor=actor,
        object_type="minutes_section",
        object_id=section.pk,
        details={"meeting": meeting.pk, "case": case.pk, "classification": classification},
        request=request,
    )
    return section


def section_object_id(section: MinutesSection) -> str:
    return f"minutes-{section.pk}"


def section_label(section: MinutesSection) -> Any:
    return label_from(
        classification=section.classification,
        originator=section.originator.code,
        caveats=[c.code for c in section.caveats.all()],
        releasable_to=[a.code for a in section.releasable_to.all()],
    )


@transaction.atomic
def decision_record(
    *, actor: User, meeting: Meeting, case: Case, text: str, request: HttpRequest | None = None
) -> MeetingDecision:
    _check_meeting(actor, meeting)
    _check_case(actor, case)
    if not text.strip():
        raise ValidationError({"text": "Enter the decision"})
    if not meeting.cases.filter(pk=case.pk).exists():
        raise ValidationError({"case": "Select one of the cases discussed at this meeting"})
    decision = MeetingDecision.objects.create(
        meeting=meeting, case=case, text=text.strip(), recorded_by=actor
    )
    audit_record(
        action="meeting.decision",
        actor=actor,
        object_type="case",
        object_id=case.pk,
        details={"meeting": meeting.pk, "decision": decision.pk},
        request=request,
    )
    return decision


@transaction.atomic
def risk_entry_add(
    *,
    actor: User,
    case: Case,
    pillar: str,
    text: str,
    owner: User | None = None,
    entry_date: dt.date | None = None,
    meeting: Meeting | None = None,
    request: HttpRequest | None = None,
) -> RiskPlanEntry:
    _check_case(actor, case)
    errors = {}
    if pillar not in RiskPillar.values:
        errors["pillar"] = "Select a pillar of the risk management plan"
    if not text.strip():
        errors["text"] = "Enter the plan entry"
    if owner is not None and not case_decision(owner, case).allowed:
        errors["owner"] = NOT_ON_CASE
    if errors:
        raise ValidationError(errors)
    entry = RiskPlanEntry.objects.create(
        case=case,
        meeting=meeting,
        pillar=pillar,
        text=text.strip(),
        owner=owner,
        entry_date=entry_date or timezone.localdate(),
    )
    audit_record(
        action="case.risk_plan.add",
        actor=actor,
        object_type="case",
        object_id=case.pk,
        details={"entry": entry.pk, "pillar": pillar},
        request=request,
    )
    return entry


# --- Agreed actions ---------------------------------------------------------------------------


def _event(
    action: AgreedAction,
    kind: str,
    *,
    actor: User | None,
    from_value: str = "",
    to_value: str = "",
    reason: str = "",
) -> ActionEvent:
    return ActionEvent.objects.create(
        action=action,
        actor=actor,
        kind=kind,
        from_value=from_value[:200],
        to_value=to_value[:200],
        reason=reason,
    )


def _audit_action(
    name: str, actor: User | None, action: AgreedAction, request: HttpRequest | None, **details: Any
) -> None:
    audit_record(
        action=f"action.{name}",
        actor=actor,
        object_type="action",
        object_id=action.pk,
        details={"case": action.case_id, **details},
        request=request,
    )


def _locked(action: AgreedAction, expected_version: int | None) -> AgreedAction:
    current = AgreedAction.objects.select_for_update().get(pk=action.pk)
    if expected_version is not None and current.version != expected_version:
        raise ConcurrentEdit("Someone else changed this action. Reload the page and try again.")
    return current


@transaction.atomic
def action_create(
    *,
    actor: User,
    case: Case,
    description: str,
    owner: User | None,
    due_date: dt.date | None,
    priority: str = ActionPriority.MEDIUM,
    meeting: Meeting | None = None,
    source_kind: str | None = None,
    source_id: str = "",
    today: dt.date | None = None,
    request: HttpRequest | None = None,
) -> AgreedAction:
    _check_case(actor, case)
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    if not description.strip():
        errors["description"] = "Enter what was agreed"
    if owner is None:
        errors["owner"] = "Select who owns the action"
    elif not owner.is_active or owner.agency_id is None:
        errors["owner"] = "Select an active user of an agency"
    elif not case_decision(owner, case).allowed:
        errors["owner"] = NOT_ON_CASE
    if due_date is None:
        errors["due_date"] = "Enter the date the action is due"
    elif due_date < today:
        errors["due_date"] = "The due date must be today or in the future"
    if priority not in ActionPriority.values:
        errors["priority"] = "Select a priority"
    kind = source_kind or (ActionSource.MEETING if meeting is not None else "")
    if kind not in ActionSource.values:
        errors["source_kind"] = "Select where the action came from"
    if meeting is not None and not meeting.cases.filter(pk=case.pk).exists():
        errors["meeting"] = "That meeting did not discuss this case"
    if errors:
        raise ValidationError(errors)
    assert owner is not None
    assert due_date is not None
    action = AgreedAction.objects.create(
        case=case,
        meeting=meeting,
        source_kind=kind,
        source_id=source_id or (str(meeting.pk) if meeting is not None else ""),
        description=description.strip(),
        owner=owner,
        owner_agency_id=int(owner.agency_id or 0),
        due_date=due_date,
        priority=priority,
        created_by=actor,
    )
    _event(action, ActionEventKind.CREATED, actor=actor, to_value=owner.username)
    _audit_action("create", actor, action, request, owner=owner.pk, due=due_date.isoformat())
    if owner.pk != actor.pk:
        _notify([owner], "An agreed action has been assigned to you", action_link(action))
    return action


@transaction.atomic
def action_update_status(
    *,
    actor: User,
    action: AgreedAction,
    status: str,
    reason: str = "",
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> AgreedAction:
    _check_case(actor, action.case)
    action = _locked(action, expected_version)
    if status not in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.CANCELLED):
        raise ValidationError(
            {"status": "Select open, in progress or cancelled (complete an action with evidence)"}
        )
    if not action.is_open:
        raise ValidationError({"status": "This action is closed"})
    if status == ActionStatus.CANCELLED and not reason.strip():
        raise ValidationError({"reason": "Enter why the action is cancelled"})
    old = action.status
    action.status = status
    action.version += 1
    action.save(update_fields=["status", "version"])
    _event(
        action, ActionEventKind.STATUS, actor=actor, from_value=old, to_value=status, reason=reason
    )
    _audit_action("status", actor, action, request, changes={"status": [old, status]})
    return action


@transaction.atomic
def action_complete(
    *,
    actor: User,
    action: AgreedAction,
    evidence: str,
    evidence_item_id: Any = None,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> AgreedAction:
    _check_case(actor, action.case)
    action = _locked(action, expected_version)
    if not action.is_open:
        raise ValidationError({"evidence": "This action is already closed"})
    if not evidence.strip():
        raise ValidationError({"evidence": "Enter the evidence that the action is complete"})
    if evidence_item_id:
        from jointcase.access.material import material_decision
        from jointcase.material.models import MaterialItem

        item = MaterialItem.objects.filter(pk=evidence_item_id, case_id=action.case_id).first()
        if item is None or not material_decision(actor, item).allowed:
            raise ValidationError(
                {"evidence_item_id": "Select a material item on this case that you can see"}
            )
    old = action.status
    action.status = ActionStatus.DONE
    action.evidence = evidence.strip()
    action.evidence_item_id = evidence_item_id or None
    action.completed_at = timezone.now()
    action.version += 1
    action.save()
    _event(
        action, ActionEventKind.COMPLETED, actor=actor, from_value=old, to_value=ActionStatus.DONE
    )
    _audit_action("complete", actor, action, request, evidence_item=str(evidence_item_id or ""))
    return action


@transaction.atomic
def action_reassign(
    *,
    actor: User,
    action: AgreedAction,
    owner: User | None,
    reason: str,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> AgreedAction:
    _check_case(actor, action.case)
    action = _locked(action, expected_version)
    errors = {}
    if not action.is_open:
        errors["owner"] = "This action is closed"
    elif owner is None:
        errors["owner"] = "Select the new owner"
    elif owner.pk == action.owner_id:
        errors["owner"] = "Select someone other than the current owner"
    elif (
        not owner.is_active
        or owner.agency_id is None
        or not case_decision(owner, action.case).allowed
    ):
        errors["owner"] = NOT_ON_CASE
    if not reason.strip():
        errors["reason"] = "Enter why the action is being reassigned"
    if errors:
        raise ValidationError(errors)
    assert owner is not None
    old = action.owner
    action.owner = owner
    action.owner_agency_id = int(owner.agency_id or 0)
    action.version += 1
    action.save(update_fields=["owner", "owner_agency", "version"])
    _event(
        action,
        ActionEventKind.REASSIGNED,
        actor=actor,
        from_value=old.username,
        to_value=owner.username,
        reason=reason.strip(),
    )
    _audit_action(
        "reassign",
        actor,
        action,
        request,
        changes={"owner": [old.pk, owner.pk]},
        reason=reason.strip(),
    )
    _notify([owner], "An agreed action has been reassigned to you", action_link(action))
    return action


@transaction.atomic
def action_change_due(
    *,
    actor: User,
    action: AgreedAction,
    due_date: dt.date | None,
    reason: str,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> AgreedAction:
    _check_case(actor, action.case)
    action = _locked(action, expected_version)
    errors = {}
    if not action.is_open:
        errors["due_date"] = "This action is closed"
    elif due_date is None:
        errors["due_date"] = "Enter the new due date"
    elif due_date < timezone.localdate():
        errors["due_date"] = "The new due date must be today or in the future"
    if not reason.strip():
        errors["reason"] = "Enter why the due date is changing"
    if errors:
        raise ValidationError(errors)
    assert due_date is not None
    old = action.due_date
    action.due_date = due_date
    action.version += 1
    action.save(update_fields=["due_date", "version"])
    _event(
        action,
        ActionEventKind.DUE_CHANGED,
        actor=actor,
        from_value=old.isoformat(),
        to_value=due_date.isoformat(),
        reason=reason.strip(),
    )
    _audit_action(
        "due", actor, action, request, changes={"due_date": [old.isoformat(), due_date.isoformat()]}
    )
    return action


__all__ = [
    "NOT_ON_CASE",
    "OPEN_STATUSES",
    "action_change_due",
    "action_complete",
    "action_create",
    "action_reassign",
    "action_update_status",
    "attendance_record",
    "decision_record",
    "invitation_add",
    "meeting_create",
    "meeting_update",
    "minutes_section_add",
    "risk_entry_add",
]
