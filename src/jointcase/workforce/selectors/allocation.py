"""Reads for allocation: the queue of a manager, the candidates for one case (with their load
and capacity, best room first) and an allocation's result with its handover checklist.
Scoped by ``jointcase.access.workforce``: a case outside the manager's queue, or an allocation
they are not part of, is refused as missing."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from jointcase.access.acting import permission_require
from jointcase.access.management import managed_user_ids
from jointcase.access.workforce import (
    allocation_candidate_decision,
    allocation_queue_filter,
    allocation_queue_refusal,
    allocation_queue_spec,
    allocation_refusal,
    allocation_see_decision,
    allocation_see_refusal,
    candidate_message,
    case_highest_classification,
)
from jointcase.accounts.models import User
from jointcase.cases.models import Case, CaseTeamMember, Cohort, Phase
from jointcase.workforce.caseload import Load, case_weights
from jointcase.workforce.figures import figures_for
from jointcase.workforce.models import Allocation
from jointcase.workforce.weights import RoleSpec, weights_current

#: The most cases one page of the queue lists.
QUEUE_PAGE = 200


@dataclass
class QueueRow:
    case: Case
    weight: Decimal
    phase: str
    cohort: str
    why: str
    waiting_since: dt.date


def _why(
    case: Case, rows: list[tuple[Any, ...]], today: dt.date, lead_roles: frozenset[str]
) -> tuple[str, dt.date]:
    leads = [r for r in rows if r[0] in lead_roles and r[1] is not None]
    if not leads:
        return "New case: no lead yet", case.opened_at
    current_inactive = [r for r in leads if (r[3] is None or r[3] >= today) and not r[4]]
    if current_inactive:
        return "Lead's account disabled", current_inactive[0][2]
    last = max(leads, key=lambda r: r[3] or today)
    ended = last[3] or today
    return "Lead left the case", ended + dt.timedelta(days=1)


def allocation_queue_for(user: User, *, request: HttpRequest | None = None) -> list[QueueRow]:
    """The cases waiting in ``user``'s queue, longest waiting first (403 for anyone who
    allocates no cases)."""
    permission_require(
        actor=user,
        refusal=allocation_queue_refusal(user),
        action="workforce.allocation_queue_view",
        object_type="workforce",
        object_id="allocation",
        request=request,
    )
    today = timezone.localdate()
    cases = list(
        Case.objects.filter(allocation_queue_filter(user)).order_by("opened_at", "pk")[:QUEUE_PAGE]
    )
    lead_roles = weights_current().lead_case_roles
    team: dict[int, list[tuple[Any, ...]]] = {}
    for case_id, *row in CaseTeamMember.objects.filter(
        case_id__in=[c.pk for c in cases], role__in=sorted(lead_roles)
    ).values_list("case_id", "role", "user_id", "start", "end", "user__is_active"):
        team.setdefault(case_id, []).append(tuple(row))
    facts = case_weights([c.pk for c in cases], today=today)
    rows = []
    for case in cases:
        why, since = _why(case, team.get(case.pk, []), today, lead_roles)
        rows.append(
            QueueRow(
                case=case,
                weight=facts[case.pk]["weight"],
                phase=Phase(case.phase).label if case.phase in Phase.values else case.phase,
                cohort=Cohort(case.cohort).label if case.cohort in Cohort.values else case.cohort,
                why=why,
                waiting_since=since,
            )
        )
    return sorted(rows, key=lambda row: (row.waiting_since, row.case.reference))


def queued_case_for(
    user: User, case_id: uuid.UUID | str, *, request: HttpRequest | None = None
) -> tuple[Case, RoleSpec]:
    """A case waiting in ``user``'s queue, and the caseload role it waits for; refused as
    missing (a DENY entry, then 404) when it is missing or not in their queue."""
    case = Case.objects.filter(public_id=case_id).first()
    permission_require(
        actor=user,
        refusal=allocation_refusal(user, case),
        action="workforce.allocation_case_view",
        object_type="case",
        object_id=case.pk if case is not None else str(case_id),
        request=request,
    )
    assert case is not None
    spec = allocation_queue_spec(user, case)
    assert spec is not None
    return case, spec


@dataclass
class Candidate:
    load: Load
    eligible: bool
    why_not: str


def candidates_for(user: User, case: Case, spec: RoleSpec) -> list[Candidate]:
    """Everyone ``user`` manages in ``spec``'s role: those who may hold the case first, most
    room first, then the others with the reason they may not."""
    level = case_highest_classification(case)
    people = list(
        User.objects.filter(pk__in=managed_user_ids(user), role_assignments__role=spec.role)
        .exclude(pk=user.pk)
        .distinct()
        .prefetch_related("role_assignments")
    )
    for person in people:
        person._role_codes = frozenset(r.role for r in person.role_assignments.all())
    loads = figures_for(people)
    result = []
    for person in people:
        decision = allocation_candidate_decision(user, case, person, spec, level=level)
        result.append(
            Candidate(
                load=loads[person.pk],
                eligible=decision.allowed,
                why_not=""
                if decision.allowed
                else candidate_message(decision.reason, person, spec, level),
            )
        )
    return sorted(
        result,
        key=lambda c: (not c.eligible, -c.load.room, c.load.user.last_name, c.load.user.pk),
    )


def allocation_get_for(
    user: User, allocation_id: uuid.UUID | str, *, request: HttpRequest | None = None
) -> Allocation:
    """An allocation ``user`` made, received, or manages the receiver of (else 404)."""
    allocation = (
        Allocation.objects.filter(public_id=allocation_id)
        .select_related("case", "allocated_to", "allocated_by", "previous_lead")
        .first()
    )
    permission_require(
        actor=user,
        refusal=allocation_see_refusal(user, allocation),
        action="workforce.allocation_view",
        object_type="allocation",
        object_id=str(allocation_id),
        request=request,
    )
    assert allocation is not None
    return allocation


def handover_for_case(user: User, case: Case) -> tuple[Allocation, list[Any]] | None:
    """The case's latest allocation with a handover checklist, for the case page: shown to
    whoever may see that allocation (the manager, the new lead, their manager), else None."""

    allocation = (
        Allocation.objects.filter(case_id=case.pk, handover_actions__isnull=False)
        .select_related("allocated_to", "allocated_by")
        .order_by("-created_at", "-pk")
        .first()
    )
    if allocation is None or not allocation_see_decision(user, allocation).allowed:
        return None
    return allocation, list(allocation.handover_actions.all())
