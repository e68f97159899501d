"""Decisions recorded at a meeting, and the risk management plan's entries."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone

from jointcase.access.meetings import OWNER_REFUSED, action_owner_refusal
from jointcase.accounts.models import User
from jointcase.audit.services import audit_record
from jointcase.cases.models import Case, TimelineKind
from jointcase.cases.services import timeline_add
from jointcase.meetings.models import Meeting, MeetingDecision, RiskPillar, RiskPlanEntry
from jointcase.meetings.services._common import checked
from jointcase.meetings.services.checks import decision_require, plan_entry_require


@checked(decision_require)
def decision_record(
    *, actor: User, meeting: Meeting, case: Case, text: str, request: HttpRequest | None = None
) -> MeetingDecision:
    if not text.strip():
        raise ValidationError({"text": "Enter the decision"})
    if not meeting.cases.filter(pk=case.pk).exists():
        raise ValidationError({"case": "Select one of the cases discussed at this meeting"})
    decision = MeetingDecision.objects.create(
        meeting=meeting, case=case, text=text.strip(), recorded_by=actor
    )

    timeline_add(
        case=case,
        kind=TimelineKind.DECISION,
        title=f"{decision.text} ({meeting.get_type_display()})",
        actor=actor,
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


@checked(plan_entry_require)
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
    unknown_owner: bool = False,
) -> RiskPlanEntry:
    """``unknown_owner``: the caller named an owner who is not an active user (an API
    username); refused with the same message as anyone else who may not own it."""
    errors = {}
    if pillar not in RiskPillar.values:
        errors["pillar"] = "Select a pillar of the risk management plan"
    if not text.strip():
        errors["text"] = "Enter the plan entry"
    if unknown_owner or (
        owner is not None and action_owner_refusal(owner, case, meeting) is not None
    ):
        errors["owner"] = OWNER_REFUSED
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
