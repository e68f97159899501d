"""What people do with required checks: complete one, move its due date (with a reason), and
record a change of circumstance (which raises fresh checks in the same transaction).

Each service asks ``jointcase.access.checks`` itself (``permission_require``: a DENY entry that
stays, then ``NotPermitted``; nothing written). Bad input is a ``ValidationError`` keyed by
field, also recorded as a DENY entry with the fields at fault (the issue's "a clear refusal,
nothing stored, audited"), and nothing is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jointcase.access.acting import audited_denial, permission_require
from jointcase.access.checks import (
    change_record_refusal,
    check_complete_refusal,
    check_due_move_refusal,
    check_material_refusal,
)
from jointcase.audit.reads import uuid_key
from jointcase.audit.services import audit_record
from jointcase.cases.models import Case, TimelineKind
from jointcase.cases.services import timeline_add
from jointcase.lib.edits import StateConflict
from jointcase.lib.text import forbidden_characters_message, has_forbidden_characters
from jointcase.material.models import MaterialItem
from jointcase.risk.check_rules import rules_current
from jointcase.risk.models.checks import (
    RECORDABLE_CHANGES,
    ChangeKind,
    ChangeOfCircumstance,
    CheckEvent,
    CheckEventKind,
    CheckOutcome,
    CheckStatus,
    RequiredCheck,
    TriggerKind,
)
from jointcase.risk.services.checks import Occurrence, checks_raise

if TYPE_CHECKING:
    from django.http import HttpRequest

    from jointcase.accounts.models import User

MATERIAL_NOT_FOUND = "Choose material items of this case that you can see"


def _text(value: str | None, *, field: str, label: str, limit: int, errors: dict[str, str]) -> str:
    """Free text stripped, refused (into ``errors``) when too long or holding control
    characters (the pages and the API refuse them first; the service never trusts them)."""
    text = (value or "").strip()
    if has_forbidden_characters(text):
        errors[field] = forbidden_characters_message(label)
    elif len(text) > limit:
        errors[field] = f"{label} must be {limit} characters or fewer"
    return text


def _refuse_invalid(
    *,
    actor: User,
    action: str,
    object_type: str,
    object_id: Any,
    errors: dict[str, str],
    request: HttpRequest | None,
) -> None:
    """Audit the refused input (field names only, never the values) and raise it."""
    if not errors:
        return
    audited_denial(
        actor=actor,
        action=action,
        reason="invalid_input",
        object_type=object_type,
        object_id=object_id,
        request=request,
        details={"fields": sorted(errors)},
    )
    raise ValidationError(errors)


def _completion_errors(
    *,
    check: RequiredCheck,
    outcome: str,
    requested_on: dt.date | None,
    received_on: dt.date | None,
    today: dt.date,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if outcome not in CheckOutcome.values:
        errors["outcome"] = "Choose the outcome of the check"
    if requested_on is None:
        errors["requested_on"] = "Enter the date the check was requested"
    elif requested_on > today:
        errors["requested_on"] = "The date requested must be today or in the past"
    if received_on is None:
        errors["received_on"] = "Enter the date the reply was received"
    elif received_on > today:
        errors["received_on"] = "The date received must be today or in the past"
    elif requested_on is not None and received_on < requested_on:
        errors["received_on"] = "The date received must be on or after the date requested"
    return errors


def _material_for(
    *, actor: User, check: RequiredCheck, material_ids: Iterable[Any], request: HttpRequest | None
) -> list[MaterialItem]:
    """The items to link: each of this case and visible to ``actor``, else a refusal that
    reads the same for missing and forbidden (and is audited)."""
    items: list[MaterialItem] = []
    for raw in material_ids:
        key = uuid_key(raw)
        item = MaterialItem.objects.filter(pk=key).first() if key is not None else None
        refusal = check_material_refusal(actor, check, item) if item is not None else None
        if item is None or refusal is not None:
            audited_denial(
                actor=actor,
                action="check.link_material",
                reason=refusal.reason if refusal is not None else "not_found",
                object_type="check",
                object_id=check.pk,
                request=request,
            )
            raise ValidationError({"material": MATERIAL_NOT_FOUND})
        items.append(item)
    return items


def _check_record(
    check: RequiredCheck,
    actor: User,
    *,
    action: str,
    title: str,
    description: str,
    details: dict[str, Any],
    request: HttpRequest | None,
) -> None:
    """Put what was done to ``check`` on its case's timeline and in the audit chain (with the
    case named first in the details), the same way for every act on a check."""
    timeline_add(
        case=check.case,
        kind=TimelineKind.CHECK,
        actor=actor,
        title=title,
        description=description,
    )
    audit_record(
        action=action,
        actor=actor,
        object_type="check",
        object_id=check.pk,
        request=request,
        details={"case_id": check.case_id, **details},
    )


def check_complete(
    *,
    actor: User,
    check: RequiredCheck,
    outcome: str,
    requested_on: dt.date | None,
    received_on: dt.date | None,
    sent_to: str = "",
    notes: str = "",
    material_ids: Iterable[Any] = (),
    request: HttpRequest | None = None,
) -> RequiredCheck:
    """Record the check as made: when it was asked and answered, the outcome, the evidence.

    Only its responsible role on the case completes it (``check_complete_refusal``)."""
    permission_require(
        actor=actor,
        refusal=check_complete_refusal(actor, check),
        action="check.complete",
        object_type="check",
        object_id=check.pk,
        request=request,
    )
    today = timezone.localdate()
    errors = _completion_errors(
        check=check,
        outcome=outcome,
        requested_on=requested_on,
        received_on=received_on,
        today=today,
    )
    sent_to = _text(sent_to, field="sent_to", label="Sent to", limit=200, errors=errors)
    notes = _text(notes, field="notes", label="Notes", limit=5000, errors=errors)
    _refuse_invalid(
        actor=actor,
        action="check.complete",
        object_type="check",
        object_id=check.pk,
        errors=errors,
        request=request,
    )
    items = _material_for(actor=actor, check=check, material_ids=material_ids, request=request)
    with transaction.atomic():
        updated = RequiredCheck.objects.filter(pk=check.pk, status=CheckStatus.OPEN).update(
            status=CheckStatus.COMPLETED,
            outcome=outcome,
            requested_on=requested_on,
            received_on=received_on,
            sent_to=sent_to,
            notes=notes,
            completed_on=today,
            completed_at=timezone.now(),
            completed_by=actor,
        )
        if not updated:  # completed meanwhile by someone else
            raise StateConflict({"outcome": "This check has already been completed"})
        check.refresh_from_db()
        check.material.set(items)
        CheckEvent.objects.create(
            check_obj=check, kind=CheckEventKind.COMPLETED, actor=actor, to_value=outcome
        )
        label = rules_current().label_of(check.check_type)
        on_time = "on time" if today <= check.due_on else "late"
        _check_record(
            check,
            actor,
            action="check.complete",
            title=f"{label} completed: {CheckOutcome(outcome).label.lower()}",
            description=f"Due {check.due_on:%d %B %Y}, completed {today:%d %B %Y} ({on_time}).",
            details={
                "outcome": outcome,
                "material": [str(item.pk) for item in items],
                "on_time": today <= check.due_on,
            },
            request=request,
        )
    return check


def check_due_move(
    *,
    actor: User,
    check: RequiredCheck,
    due_on: dt.date | None,
    reason: str,
    request: HttpRequest | None = None,
) -> RequiredCheck:
    """Move the due date of an open check, only with a reason (both recorded)."""
    permission_require(
        actor=actor,
        refusal=check_due_move_refusal(actor, check),
        action="check.due_move",
        object_type="check",
        object_id=check.pk,
        request=request,
    )
    errors: dict[str, str] = {}
    reason = _text(reason, field="reason", label="Reason", limit=1000, errors=errors)
    if not reason and "reason" not in errors:
        errors["reason"] = "Enter the reason for moving the due date"
    if due_on is None:
        errors["due_on"] = "Enter the new due date"
    elif due_on < timezone.localdate():
        errors["due_on"] = "The new due date must be today or in the future"
    elif due_on == check.due_on:
        errors["due_on"] = "The new due date must differ from the current one"
    _refuse_invalid(
        actor=actor,
        action="check.due_move",
        object_type="check",
        object_id=check.pk,
        errors=errors,
        request=request,
    )
    assert due_on is not None
    with transaction.atomic():
        old = check.due_on
        RequiredCheck.objects.filter(pk=check.pk).update(due_on=due_on, escalation_level=0)
        check.due_on = due_on
        check.escalation_level = 0
        CheckEvent.objects.create(
            check_obj=check,
            kind=CheckEventKind.DUE_MOVED,
            actor=actor,
            from_value=old.isoformat(),
            to_value=due_on.isoformat(),
            reason=reason,
        )
        _check_record(
            check,
            actor,
            action="check.due_move",
            title=f"{rules_current().label_of(check.check_type)}: due date moved",
            description=f"From {old:%d %B %Y} to {due_on:%d %B %Y}.",
            details={"changes": {"due_on": [old.isoformat(), due_on.isoformat()]}},
            request=request,
        )
    return check


def change_record(
    *,
    actor: User,
    case: Case,
    kind: str,
    occurred_on: dt.date | None,
    description: str = "",
    request: HttpRequest | None = None,
) -> tuple[ChangeOfCircumstance, list[RequiredCheck]]:
    """Record a change of circumstance on ``case`` and raise the checks it calls for, in one
    transaction. New addresses are recorded in the register (which raises theirs)."""
    permission_require(
        actor=actor,
        refusal=change_record_refusal(actor, case),
        action="check.change_record",
        object_type="case",
        object_id=case.pk,
        request=request,
    )
    errors: dict[str, str] = {}
    if kind not in [str(choice) for choice in RECORDABLE_CHANGES]:
        errors["kind"] = "Choose the change of circumstance"
    if occurred_on is None:
        errors["occurred_on"] = "Enter the date of the change"
    elif occurred_on > timezone.localdate():
        errors["occurred_on"] = "The date of the change must be today or in the past"
    description = _text(
        description, field="description", label="Description", limit=2000, errors=errors
    )
    _refuse_invalid(
        actor=actor,
        action="check.change_record",
        object_type="case",
        object_id=case.pk,
        errors=errors,
        request=request,
    )
    assert occurred_on is not None
    with transaction.atomic():
        change = ChangeOfCircumstance.objects.create(
            case=case,
            kind=kind,
            occurred_on=occurred_on,
            description=description,
            recorded_by=actor,
        )
        timeline_add(
            case=case,
            kind=TimelineKind.CHECK,
            actor=actor,
            title=f"Change of circumstance: {ChangeKind(kind).label.lower()}",
        )
        audit_record(
            action="check.change_record",
            actor=actor,
            object_type="case",
            object_id=case.pk,
            request=request,
            details={"change_id": change.pk, "kind": kind},
        )
        event = Occurrence(
            kind=TriggerKind.CHANGE_OF_CIRCUMSTANCE,
            key=f"change:{change.pk}",
            on=timezone.localdate(),
            change_kind=kind,
        )
        raised = checks_raise(case=case, event=event, actor=actor, change=change)
    return change, raised
