"""Allocating a waiting case to a person a manager manages, and ticking off the handover.

``allocation_make`` asks ``access.workforce.allocation_refusal`` first (a case outside the
manager's queue: a DENY entry, then 404), then in one transaction, with the case locked so two
managers cannot both allocate it:
- the candidate must be able to hold the case (``allocation_candidate_decision``: managed by the
  actor, active, of the role and agency kind, not excluded, cleared for the case's material),
  else a field error and nothing is written;
- a load above capacity after the allocation needs an override reason, else a field error and
  nothing is written; with one, the override is audited with its reason;
- a current lead whose account was disabled is taken off the case team, and the candidate
  joins it through the cases service (its timeline entry, audit entry and signals run: the
  allocation checks of the rules file, for instance);
- a case that had a lead before gets the new lead's handover checklist.

The case-team writes go through the cases service, which asks the case-team rule itself
(``access.cases.case_team_manage_decision``): a manager in whose allocation queue the case
waits manages its team until it is allocated.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from jointcase.access.acting import permission_require
from jointcase.access.management import manages
from jointcase.access.policy import current_q
from jointcase.access.workforce import (
    allocation_candidate_decision,
    allocation_queue_spec,
    allocation_refusal,
    candidate_message,
    case_highest_classification,
    handover_complete_refusal,
)
from jointcase.accounts.models import User
from jointcase.audit.services import audit_record
from jointcase.cases.models import Case, CaseTeamMember
from jointcase.cases.services.team import team_member_add, team_member_remove
from jointcase.lib.working_days import add_working_days
from jointcase.workforce.caseload import case_weights, load_of
from jointcase.workforce.models import Allocation, HandoverAction, HandoverStep
from jointcase.workforce.weights import RoleSpec, weights_current

#: Working days the new lead has for each handover action.
HANDOVER_WORKING_DAYS = 10
ALREADY_ALLOCATED = "This case has just been allocated by someone else"
CHOOSE = "Choose who to allocate the case to"


def allocation_make(
    *,
    actor: User,
    case: Case,
    candidate_id: int | None,
    override_reason: str = "",
    request: HttpRequest | None = None,
) -> Allocation:
    permission_require(
        actor=actor,
        refusal=allocation_refusal(actor, case),
        action="workforce.allocate",
        object_type="case",
        object_id=case.pk,
        request=request,
    )
    return _allocate(
        actor=actor,
        case=case,
        candidate_id=candidate_id,
        override_reason=(override_reason or "").strip(),
        request=request,
    )


def _candidate_check(*, actor: User, case: Case, candidate_id: int | None) -> tuple[RoleSpec, User]:
    """The case's queue and the chosen candidate, refused unless the case still awaits a lead
    and the actor manages a candidate the allocation rules accept."""
    spec = allocation_queue_spec(actor, case)
    if spec is None:
        raise ValidationError(ALREADY_ALLOCATED)
    candidate = User.objects.filter(pk=candidate_id).first() if candidate_id else None
    if candidate is None or not manages(actor, candidate):
        raise ValidationError({"candidate": CHOOSE})
    level = case_highest_classification(case)
    decision = allocation_candidate_decision(actor, case, candidate, spec, level=level)
    if not decision.allowed:
        raise ValidationError(
            {"candidate": candidate_message(decision.reason, candidate, spec, level)}
        )
    return spec, candidate


def _allocation_audit(
    *,
    actor: User,
    case: Case,
    allocation: Allocation,
    over: bool,
    after: Decimal,
    override_reason: str,
    request: HttpRequest | None,
) -> None:
    """The allocation's audit entry, and a second one when it takes the lead over capacity."""
    details: dict[str, Any] = {
        "allocation_id": str(allocation.public_id),
        "case_role": allocation.case_role,
        "allocated_to_id": allocation.allocated_to_id,
        "previous_lead_id": allocation.previous_lead_id,
        "case_weight": str(allocation.case_weight),
        "load_before": str(allocation.load_before),
        "capacity": str(allocation.capacity),
        "weights_version": allocation.weights_version,
    }
    audit_record(
        action="workforce.allocate",
        actor=actor,
        object_type="case",
        object_id=case.pk,
        details={k: v for k, v in details.items() if v is not None},
        request=request,
    )
    if over:
        audit_record(
            action="workforce.allocation_override",
            actor=actor,
            object_type="case",
            object_id=case.pk,
            reason=override_reason,
            details={"allocation_id": str(allocation.public_id), "load_after": str(after)},
            request=request,
        )


@transaction.atomic
def _allocate(
    *,
    actor: User,
    case: Case,
    candidate_id: int | None,
    override_reason: str,
    request: HttpRequest | None,
) -> Allocation:
    case = Case.objects.select_for_update().get(pk=case.pk)
    spec, candidate = _candidate_check(actor=actor, case=case, candidate_id=candidate_id)
    weights = weights_current()
    weight = case_weights([case.pk])[case.pk]["weight"]
    load = load_of(candidate)
    after = load.load + weight
    over = after > load.capacity
    if over and not override_reason:
        raise ValidationError(
            {
                "override_reason": f"Allocating this case takes {candidate} to a load of {after} "
                f"against a capacity of {load.capacity}: give the reason to allocate above "
                "capacity, or choose someone else"
            }
        )
    today = timezone.localdate()
    leads = CaseTeamMember.objects.filter(
        case_id=case.pk, role=spec.lead_case_role, user__isnull=False
    )
    previous = leads.order_by("-start", "-pk").select_related("user").first()
    for stale in leads.filter(current_q(today), user__is_active=False).select_related("case"):
        team_member_remove(actor=actor, member=stale, request=request)
    team_member_add(
        actor=actor, case=case, role=spec.lead_case_role, user=candidate, request=request
    )
    allocation = Allocation.objects.create(
        case=case,
        case_role=spec.lead_case_role,
        allocated_to=candidate,
        allocated_by=actor,
        previous_lead=previous.user if previous is not None else None,
        case_weight=weight,
        load_before=load.load,
        capacity=load.capacity,
        weights_version=weights.version,
        override_reason=override_reason if over else "",
    )
    if previous is not None:
        due = add_working_days(today, HANDOVER_WORKING_DAYS)
        HandoverAction.objects.bulk_create(
            HandoverAction(allocation=allocation, step=step, due_on=due)
            for step in HandoverStep.values
        )
    _allocation_audit(
        actor=actor,
        case=case,
        allocation=allocation,
        over=over,
        after=after,
        override_reason=override_reason,
        request=request,
    )
    return allocation


def handover_action_complete(
    *, actor: User, action: HandoverAction, request: HttpRequest | None = None
) -> HandoverAction:
    """The new lead ticks off one handover action (once; ticking it again changes nothing)."""
    permission_require(
        actor=actor,
        refusal=handover_complete_refusal(actor, action),
        action="workforce.handover_complete",
        object_type="allocation",
        object_id=str(action.allocation.public_id),
        request=request,
    )
    with transaction.atomic():
        locked = HandoverAction.objects.select_for_update().get(pk=action.pk)
        if locked.done_at is not None:
            return locked
        locked.done_at = timezone.now()
        locked.done_by = actor
        locked.save(update_fields=["done_at", "done_by"])
        audit_record(
            action="workforce.handover_complete",
            actor=actor,
            object_type="case",
            object_id=locked.allocation.case_id,
            details={"allocation_id": str(locked.allocation.public_id), "step": locked.step},
            request=request,
        )
        return locked
