"""Agreed actions: agreeing, steering (status, due date, owner) and completing them. Every
change also appends an ``ActionEvent``; who may steer is ``access.meetings.
action_due_change_refusal``, asked by the service itself (``services.checks``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone

from jointcase.access.material import material_decision
from jointcase.access.meetings import OWNER_REFUSED, action_owner_refusal
from jointcase.accounts.models import User
from jointcase.audit.services import audit_record
from jointcase.cases.models import Case, TimelineKind
from jointcase.cases.services import timeline_add
from jointcase.lib.edits import ConcurrentEdit, StateConflict
from jointcase.material.models import MaterialItem
from jointcase.meetings.models import (
    ActionEvent,
    ActionEventKind,
    ActionPriority,
    ActionSource,
    ActionStatus,
    AgreedAction,
    Meeting,
)
from jointcase.meetings.services._common import action_link, checked
from jointcase.meetings.services.checks import (
    action_case_require,
    action_complete_require,
    action_due_change_require,
    action_reassign_require,
    action_status_require,
)
from jointcase.meetings.signals import action_assigned
from jointcase.notifications.services import notify


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


def _timeline(action: AgreedAction, kind: str, title: str, actor: User) -> None:
    """The action on its case's timeline, with the label of the meeting it came from: the
    baseline OFFICIAL-SENSITIVE of case content (an action is read wherever its case is)."""

    timeline_add(case=action.case, kind=kind, title=title, actor=actor)


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


def _owner_error(owner: User | None, case: Case, meeting: Meeting | None, *, unknown: bool) -> str:
    if unknown:
        return OWNER_REFUSED
    if owner is None:
        return "Select who owns the action"
    return OWNER_REFUSED if action_owner_refusal(owner, case, meeting) is not None else ""


def _new_action_errors(
    *,
    case: Case,
    description: str,
    owner: User | None,
    unknown_owner: bool,
    due_date: dt.date | None,
    today: dt.date,
    priority: str,
    kind: str,
    meeting: Meeting | None,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not description.strip():
        errors["description"] = "Enter what was agreed"
    owner_error = _owner_error(owner, case, meeting, unknown=unknown_owner)
    if owner_error:
        errors["owner"] = owner_error
    if due_date is None:
        errors["due_date"] = "Enter the date the action is due"
    elif due_date < today:
        errors["due_date"] = "The due date must be today or in the future"
    if priority not in ActionPriority.values:
        errors["priority"] = "Select a priority"
    if kind not in ActionSource.values:
        errors["source_kind"] = "Select where the action came from"
    if meeting is not None and not meeting.cases.filter(pk=case.pk).exists():
        errors["meeting"] = "That meeting did not discuss this case"
    return errors


@checked(action_case_require)
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
    unknown_owner: bool = False,
) -> AgreedAction:
    """``unknown_owner``: the caller named an owner who is not an active user (an API
    username); refused with ``OWNER_REFUSED`` like anyone who may not own it, so the answer
    never tells whether a username exists."""
    kind = source_kind or (ActionSource.MEETING if meeting is not None else "")
    errors = _new_action_errors(
        case=case,
        description=description,
        owner=owner,
        unknown_owner=unknown_owner,
        due_date=due_date,
        today=today or timezone.localdate(),
        priority=priority,
        kind=kind,
        meeting=meeting,
    )
    if errors:
        raise ValidationError(errors)
    assert owner is not None
    assert due_date is not None
    action = AgreedAction.objects.create(
        case=case,
        meeting=meeting,
        source_kind=kind,
        source_id=source_id or (str(meeting.public_id) if meeting is not None else ""),
        description=description.strip(),
        owner=owner,
        owner_agency_id=int(owner.agency_id or 0),
        due_date=due_date,
        priority=priority,
        created_by=actor,
    )
    _event(action, ActionEventKind.CREATED, actor=actor, to_value=owner.username)
    _timeline(action, TimelineKind.ACTION, action.description, actor)
    _audit_action("create", actor, action, request, owner=owner.pk, due=due_date.isoformat())
    if owner.pk != actor.pk:
        notify(
            recipients=[owner],
            text="An agreed action has been assigned to you",
            link=action_link(action),
        )
    action_assigned.send(sender=AgreedAction, action=action)
    return action


@checked(action_status_require)
def action_update_status(
    *,
    actor: User,
    action: AgreedAction,
    status: str,
    reason: str = "",
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> AgreedAction:
    """Open, in progress or cancelled. Cancelling closes the action (and ends its reminders and
    escalation), so it needs the authority of ``action_due_change_refusal``; anyone on the
    case may mark it open or in progress."""
    action = _locked(action, expected_version)
    if status not in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.CANCELLED):
        raise ValidationError(
            {"status": "Select open, in progress or cancelled (complete an action with evidence)"}
        )
    if not action.is_open:
        raise StateConflict({"status": "This action is closed"})
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


@checked(action_complete_require)
def action_complete(
    *,
    actor: User,
    action: AgreedAction,
    evidence: str,
    evidence_item_id: Any = None,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> AgreedAction:
    """Close the action with evidence: only who may move its due date or reassign it
    (``action_due_change_refusal``: the owner, their manager, the case's lead or seniors)."""
    action = _locked(action, expected_version)
    if not action.is_open:
        raise StateConflict({"evidence": "This action is already closed"})
    if not evidence.strip():
        raise ValidationError({"evidence": "Enter the evidence that the action is complete"})
    if evidence_item_id:
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
    _timeline(action, TimelineKind.ACTION, f"{action.description} (completed)", actor)
    return action


def _new_owner_error(action: AgreedAction, owner: User | None, *, unknown: bool) -> str:
    if not action.is_open:
        return "This action is closed"
    if unknown:
        return OWNER_REFUSED
    if owner is None:
        return "Select the new owner"
    if owner.pk == action.owner_id:
        return "Select someone other than the current owner"
    if action_owner_refusal(owner, action.case, action.meeting) is not None:
        return OWNER_REFUSED
    return ""


@checked(action_reassign_require)
def action_reassign(
    *,
    actor: User,
    action: AgreedAction,
    owner: User | None,
    reason: str,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
    unknown_owner: bool = False,
) -> AgreedAction:
    """Give the action to someone else: only who may move its due date may do this
    (``action_due_change_refusal``), or anyone on the case could take the action, move the
    date as its owner and hand it back. ``unknown_owner``: as for ``action_create``."""
    action = _locked(action, expected_version)
    if not action.is_open:
        raise StateConflict({"owner": "This action is closed"})
    errors = {}
    owner_error = _new_owner_error(action, owner, unknown=unknown_owner)
    if owner_error:
        errors["owner"] = owner_error
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
    notify(
        recipients=[owner],
        text="An agreed action has been reassigned to you",
        link=action_link(action),
    )
    action_assigned.send(sender=AgreedAction, action=action)
    return action


@checked(action_due_change_require)
def action_change_due(
    *,
    actor: User,
    action: AgreedAction,
    due_date: dt.date | None,
    reason: str,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> AgreedAction:
    action = _locked(action, expected_version)
    if not action.is_open:
        raise StateConflict({"due_date": "This action is closed"})
    errors = {}
    if due_date is None:
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
        "due",
        actor,
        action,
        request,
        changes={"due_date": [old.isoformat(), due_date.isoformat()]},
        reason=reason.strip(),
    )
    if action.owner_id != actor.pk:
        notify(
            recipients=[action.owner],
            text="The due date of an agreed action you own has changed",
            link=action_link(action),
        )
    return action
