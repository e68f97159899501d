"""The workforce rules (docs/workforce.md): whose caseload a user sees, who sees the team and
capacity pages, which cases wait in whose allocation queue, and to whom a manager may
allocate a case. One rule, two forms where a list is filtered (a single-object decision and
its queryset twin); tests/workforce/test_caseload_policy_agrees.py proves they agree on
generated worlds.

- A caseload (a person's cases, their weights, load and capacity) is seen by the person and by
  whoever currently manages them (``access.management``): ``caseload_decision`` /
  ``caseload_subject_filter``. Anyone else is answered as for a missing person (404).
- The team caseload page: managers (``roles.MANAGER_ROLES``) of an agency.
- The capacity page is aggregates only (no case, no person's name): national roles see every
  agency, regional leads their own agency and the agencies under it (``capacity_agency_decision``
  / ``capacity_agency_filter``).
- The allocation queue of a manager: open cases missing a current, active holder of the lead
  case role of a caseload role the manager allocates (the weights file's ``allocated_by``),
  that are their agency's (led by it, or once held in that role by someone of it), and from
  which they are not excluded (``allocation_queue_decision`` / ``allocation_queue_filter``).
- A candidate for a case: someone the manager currently manages, active, holding the caseload
  role, in an agency of the role's kind, not excluded from the case, and cleared for the
  highest classification of the case's material (``material.VETTING_CLEARANCE``; expired
  vetting clears OFFICIAL only): ``allocation_candidate_decision`` /
  ``allocation_candidate_filter``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from jointcase.access.acting import Refusal
from jointcase.access.labels import CLASSIFICATION_RANK
from jointcase.access.management import managed_user_ids, manages
from jointcase.access.material import VETTING_CLEARANCE
from jointcase.access.policy import (
    AnyUser,
    Decision,
    current_q,
    gate_decision,
    is_national_role,
    signed_in,
)
from jointcase.access.roles import REGIONAL_LEAD_ROLES, is_agency_manager
from jointcase.accounts.models import Role, User
from jointcase.agencies.models import Agency, AgencyKind, Vetting, VettingLevel
from jointcase.cases.models import Case, CaseExclusion, CaseTeamMember, Phase
from jointcase.material.models import MaterialItem
from jointcase.workforce.models import Allocation, HandoverAction
from jointcase.workforce.weights import RoleSpec, weights_current

NOT_FOUND = "Not found"
TEAM_REFUSED = "Only managers of case workers can see their team's caseloads"
CAPACITY_REFUSED = "Only national governance roles and regional leads can see capacity figures"
QUEUE_REFUSED = "Only the managers who allocate cases can see the allocation queue"


def _today(now: dt.datetime | None) -> dt.date:
    return timezone.localdate(now) if now is not None else timezone.localdate()


def _current(start: dt.date, end: dt.date | None, today: dt.date) -> bool:
    return start <= today and (end is None or end >= today)


# --- Seeing a caseload ------------------------------------------------------------------------


def caseload_decision(
    viewer: AnyUser, subject: User | int, *, now: dt.datetime | None = None
) -> Decision:
    """May ``viewer`` see the caseload of ``subject``? Themselves, or someone they manage."""
    if not signed_in(viewer):
        return gate_decision(viewer)
    subject_id = subject if isinstance(subject, int) else subject.pk
    if subject_id == viewer.pk:
        return Decision(True, "self")
    if manages(viewer, subject_id, today=_today(now)):
        return Decision(True, "manager")
    return Decision(False, "not_manager")


def caseload_subject_filter(viewer: AnyUser, *, now: dt.datetime | None = None) -> Q:
    """The same rule as a filter on ``User``: the people whose caseloads ``viewer`` sees."""
    if not signed_in(viewer):
        return Q(pk__in=[])
    return Q(pk=viewer.pk) | Q(pk__in=managed_user_ids(viewer, today=_today(now)))


def caseload_refusal(viewer: AnyUser, subject: User | int) -> Refusal | None:
    """Hidden (404, as for nobody) unless ``viewer`` may see ``subject``'s caseload."""
    decision = caseload_decision(viewer, subject)
    if decision.allowed:
        return None
    return Refusal(reason=decision.reason, message=NOT_FOUND, hidden=True)


def team_caseload_refusal(user: AnyUser) -> Refusal | None:
    """The team caseload page: managers of case workers (``is_agency_manager``)."""
    if not signed_in(user):
        return Refusal(reason=gate_decision(user).reason, message=TEAM_REFUSED)
    if is_agency_manager(user):
        return None
    return Refusal(reason="not_manager", message=TEAM_REFUSED)


def may_see_team_caseload(user: AnyUser) -> bool:
    """The navigation's predicate for the "Caseload" entry's team view."""
    return team_caseload_refusal(user) is None


# --- The capacity figures ---------------------------------------------------------------------


def capacity_refusal(user: AnyUser) -> Refusal | None:
    """National roles and regional leads (``REGIONAL_LEAD_ROLES``) see the capacity page."""
    if not signed_in(user):
        return Refusal(reason=gate_decision(user).reason, message=CAPACITY_REFUSED)
    if is_national_role(user) or (user.agency_id and user.has_role(*REGIONAL_LEAD_ROLES)):
        return None
    return Refusal(reason="not_national_or_regional", message=CAPACITY_REFUSED)


def capacity_agency_decision(user: AnyUser, agency: Agency) -> Decision:
    """Are ``agency``'s figures on ``user``'s capacity page? Every agency for a national role;
    a regional lead's own agency and those directly under it."""
    if not signed_in(user):
        return gate_decision(user)
    if capacity_refusal(user) is not None:
        return Decision(False, "not_national_or_regional")
    if is_national_role(user):
        return Decision(True, "national")
    if agency.pk == user.agency_id or (agency.parent_id and agency.parent_id == user.agency_id):
        return Decision(True, "own_region")
    return Decision(False, "other_region")


def capacity_agency_filter(user: AnyUser) -> Q:
    """The same rule as a filter on ``Agency``."""
    if not signed_in(user) or capacity_refusal(user) is not None:
        return Q(pk__in=[])
    if is_national_role(user):
        return Q()
    return Q(pk=user.agency_id) | Q(parent_id=user.agency_id)


# --- The allocation queue ---------------------------------------------------------------------


def allocating_specs(user: AnyUser) -> list[RoleSpec]:
    """The caseload roles whose cases ``user`` allocates (the file's ``allocated_by``), in an
    agency of the role's kind."""
    if not signed_in(user) or user.agency_id is None:
        return []
    kind = Agency.objects.filter(pk=user.agency_id).values_list("kind", flat=True).first()
    return [
        spec
        for spec in weights_current().specs_allocated_by(user.role_codes)
        if spec.agency_kind == kind
    ]


def allocation_queue_refusal(user: AnyUser) -> Refusal | None:
    if not signed_in(user):
        return Refusal(reason=gate_decision(user).reason, message=QUEUE_REFUSED)
    if allocating_specs(user):
        return None
    return Refusal(reason="not_allocating_manager", message=QUEUE_REFUSED)


def _queue_spec_holds(
    user: User, case: Case, spec: RoleSpec, rows: list[tuple[Any, ...]], today: dt.date
) -> bool:
    """``case`` waits for ``spec``'s lead in ``user``'s queue (rows: the case team's
    (role, user_id, agency_id, start, end, user active))."""
    held = any(
        role == spec.lead_case_role
        and member is not None
        and active
        and _current(start, end, today)
        for role, member, _agency, start, end, active in rows
    )
    if held:
        return False
    ours = case.lead_agency_id == user.agency_id or any(
        role == spec.lead_case_role and agency == user.agency_id
        for role, _member, agency, _start, _end, _active in rows
    )
    return ours


def allocation_queue_spec(
    user: AnyUser, case: Case, *, now: dt.datetime | None = None
) -> RoleSpec | None:
    """The caseload role for which ``case`` waits in ``user``'s queue (None: it does not)."""
    if not signed_in(user) or case.phase == Phase.CLOSED:
        return None
    if CaseExclusion.objects.filter(case_id=case.pk, user_id=user.pk).exists():
        return None
    specs = allocating_specs(user)
    if not specs:
        return None
    today = _today(now)
    rows = list(
        CaseTeamMember.objects.filter(case_id=case.pk).values_list(
            "role", "user_id", "agency_id", "start", "end", "user__is_active"
        )
    )
    for spec in specs:
        if _queue_spec_holds(user, case, spec, rows, today):
            return spec
    return None


def allocation_queue_decision(
    user: AnyUser, case: Case, *, now: dt.datetime | None = None
) -> Decision:
    """Does ``case`` wait in ``user``'s allocation queue?"""
    if not signed_in(user):
        return gate_decision(user)
    if allocation_queue_spec(user, case, now=now) is None:
        return Decision(False, "not_in_queue")
    return Decision(True, "in_queue")


def _queue_spec_q(user: User, spec: RoleSpec, today: dt.date) -> Q:
    held = CaseTeamMember.objects.filter(
        current_q(today),
        case_id=OuterRef("pk"),
        role=spec.lead_case_role,
        user__isnull=False,
        user__is_active=True,
    )
    once_ours = CaseTeamMember.objects.filter(
        role=spec.lead_case_role, agency_id=int(user.agency_id or 0)
    ).values("case_id")
    return ~Q(Exists(held)) & (Q(lead_agency_id=user.agency_id) | Q(pk__in=once_ours))


def allocation_queue_filter(user: AnyUser, *, now: dt.datetime | None = None) -> Q:
    """The same rule as a filter on ``Case``."""
    specs = allocating_specs(user)
    if not signed_in(user) or not specs:
        return Q(pk__in=[])
    today = _today(now)
    waiting = Q(pk__in=[])
    for spec in specs:
        waiting |= _queue_spec_q(user, spec, today)
    excluded = CaseExclusion.objects.filter(user_id=user.pk).values("case_id")
    return ~Q(phase=Phase.CLOSED) & waiting & ~Q(pk__in=excluded)


def allocation_refusal(actor: AnyUser, case: Case | None) -> Refusal | None:
    """Allocating ``case`` at all: only a manager in whose queue it waits (else hidden: a case
    outside one's queue is answered as missing, as is a missing case: None)."""
    if case is None:
        return Refusal(reason="missing", message=NOT_FOUND, hidden=True)
    decision = allocation_queue_decision(actor, case)
    if decision.allowed:
        return None
    return Refusal(reason=decision.reason, message=NOT_FOUND, hidden=True)


# --- Candidates -------------------------------------------------------------------------------

CANDIDATE_MESSAGES = {
    "not_managed": "You can only allocate to people you manage",
    "inactive": "{name}'s account is not active",
    "wrong_role": "{name} is not a {role}",
    "wrong_agency_kind": "{name} does not work in a {kind} agency",
    "excluded": "{name} is excluded from this case",
    "insufficient_vetting": "{name}'s vetting does not clear them for the {level} material on "
    "this case",
}


def case_highest_classification(case: Case | int) -> str | None:
    """The highest classification of the case's material still held (None: no material)."""

    case_id = case if isinstance(case, int) else case.pk
    levels = set(
        MaterialItem.objects.filter(case_id=case_id, destroyed_at__isnull=True)
        .values_list("classification", flat=True)
        .distinct()
    )
    if not levels:
        return None
    return max(levels, key=lambda level: CLASSIFICATION_RANK.get(level, -1))


def _clears(level: str | None, vetting: tuple[str, dt.date] | None, today: dt.date) -> bool:
    if level is None:
        return True
    if vetting is None:
        return False
    vetting_level, expires_on = vetting
    effective = vetting_level
    if expires_on < today and vetting_level != VettingLevel.NONE:
        effective = VettingLevel.BPSS
    clearance = VETTING_CLEARANCE.get(effective)
    return clearance is not None and CLASSIFICATION_RANK[clearance] >= CLASSIFICATION_RANK[level]


def allocation_candidate_decision(
    actor: AnyUser,
    case: Case,
    candidate: User,
    spec: RoleSpec,
    *,
    level: str | None = None,
    now: dt.datetime | None = None,
) -> Decision:
    """May ``actor`` allocate ``case`` to ``candidate`` in ``spec``'s lead role? ``level``: the
    case's highest classification (``case_highest_classification``), when already known."""
    if not signed_in(actor):
        return gate_decision(actor)
    today = _today(now)
    if candidate.pk == actor.pk or not manages(actor, candidate, today=today):
        return Decision(False, "not_managed")
    if not candidate.is_active:
        return Decision(False, "inactive")
    if not candidate.has_role(spec.role):
        return Decision(False, "wrong_role")
    kind = (
        Agency.objects.filter(pk=int(candidate.agency_id or 0))
        .values_list("kind", flat=True)
        .first()
    )
    if kind != spec.agency_kind:
        return Decision(False, "wrong_agency_kind")
    if CaseExclusion.objects.filter(case_id=case.pk, user_id=candidate.pk).exists():
        return Decision(False, "excluded")
    needed = level if level is not None else case_highest_classification(case)
    vetting = (
        Vetting.objects.filter(user_id=candidate.pk).values_list("level", "expires_on").first()
    )
    if not _clears(needed, vetting, today):
        return Decision(False, "insufficient_vetting")
    return Decision(True, "candidate")


def _cleared_q(level: str | None, today: dt.date) -> Q:
    if level is None:
        return Q()
    needed = CLASSIFICATION_RANK[level]
    current_levels = [
        code
        for code, clearance in VETTING_CLEARANCE.items()
        if clearance is not None and CLASSIFICATION_RANK[clearance] >= needed
    ]
    cleared = Q(vetting__level__in=current_levels, vetting__expires_on__gte=today)
    fallback = VETTING_CLEARANCE[VettingLevel.BPSS]
    if fallback is not None and CLASSIFICATION_RANK[fallback] >= needed:
        cleared |= Q(vetting__expires_on__lt=today) & ~Q(vetting__level=VettingLevel.NONE)
    return cleared


def allocation_candidate_filter(
    actor: AnyUser,
    case: Case,
    spec: RoleSpec,
    *,
    level: str | None = None,
    now: dt.datetime | None = None,
) -> Q:
    """The same rule as a filter on ``User``: everyone ``actor`` may allocate ``case`` to."""
    if not signed_in(actor):
        return Q(pk__in=[])
    today = _today(now)
    needed = level if level is not None else case_highest_classification(case)
    excluded = CaseExclusion.objects.filter(case_id=case.pk).values("user_id")
    return (
        Q(pk__in=managed_user_ids(actor, today=today))
        & ~Q(pk=actor.pk)
        & Q(is_active=True, role_assignments__role=spec.role, agency__kind=spec.agency_kind)
        & ~Q(pk__in=excluded)
        & _cleared_q(needed, today)
    )


def candidate_message(reason: str, candidate: User, spec: RoleSpec, level: str | None) -> str:
    """What the error summary says when ``candidate`` may not hold the case."""

    return CANDIDATE_MESSAGES.get(reason, "You cannot allocate this case to {name}").format(
        name=str(candidate),
        role=Role(spec.role).label,
        kind=AgencyKind(spec.agency_kind).label.lower(),
        level=level or "",
    )


# --- An allocation and its handover ------------------------------------------------------------


def allocation_see_decision(user: AnyUser, allocation: Allocation | None) -> Decision:
    """An allocation (and its handover checklist) is seen by the manager who made it, the person
    who received it, and whoever manages that person now."""
    if not signed_in(user):
        return gate_decision(user)
    if allocation is None:
        return Decision(False, "missing")
    if user.pk in (allocation.allocated_by_id, allocation.allocated_to_id):
        return Decision(True, "party")
    if manages(user, allocation.allocated_to_id):
        return Decision(True, "manager")
    return Decision(False, "not_party")


def allocation_see_refusal(user: AnyUser, allocation: Allocation | None) -> Refusal | None:
    decision = allocation_see_decision(user, allocation)
    if decision.allowed:
        return None
    return Refusal(reason=decision.reason, message=NOT_FOUND, hidden=True)


HANDOVER_REFUSED = "Only the case's new lead can tick off the handover checklist"


def handover_complete_refusal(user: AnyUser, action: HandoverAction) -> Refusal | None:
    """Only the person the case was allocated to ticks off its handover actions."""
    seen = allocation_see_refusal(user, action.allocation)
    if seen is not None:
        return seen
    assert isinstance(user, User)
    if user.pk != action.allocation.allocated_to_id:
        return Refusal(reason="not_new_lead", message=HANDOVER_REFUSED)
    return None


CAPACITY_SET_REFUSED = "Only the person's manager can change their capacity"


def capacity_set_refusal(actor: AnyUser, subject: User) -> Refusal | None:
    """A person's capacity record is set by whoever manages them (hidden, as for nobody, when
    the actor may not even see their caseload; 403 for the person themselves)."""
    seen = caseload_refusal(actor, subject)
    if seen is not None:
        return seen
    assert isinstance(actor, User)
    if actor.pk == subject.pk:
        return Refusal(reason="own_capacity", message=CAPACITY_SET_REFUSED)
    return None


def may_hold_or_manage_caseloads(user: AnyUser) -> bool:
    """The navigation's "Caseload" entry: people in a caseload role of the weights file, the
    managers who allocate them, and those who see the capacity figures."""
    if not signed_in(user):
        return False
    weights = weights_current()
    return bool(
        user.has_role(*weights.roles)
        or weights.specs_allocated_by(user.role_codes)
        or capacity_refusal(user) is None
    )
