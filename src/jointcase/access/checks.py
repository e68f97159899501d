"""The required-checks rule: who may see a check, whose checks they are, and who may act on
them (one rule, two forms: decision and filter, built on ``access.policy``, the case rule, and
``access.material``, the label rule, never re-written here).

- A check (and a recorded change of circumstance) is case content at the case's baseline: it
  is visible exactly when its case is (``policy.case_decision`` / ``policy.case_filter``).
  ``check_decision`` and ``check_filter`` are the two forms; tests/risk/test_checks_policy_agrees.py
  proves they agree on generated worlds.
- A check is *mine* when I currently hold its responsible role on its case team, in person or
  through a team I currently belong to (``check_responsible_decision`` / ``check_responsible_filter``,
  also property-tested). Only its responsible role completes it.
- Its due date moves (with a reason) by its responsible role, the case's seniors and managers
  (``CASE_SENIOR_ROLES``, ``CASE_MANAGER_ROLES``) or a manager of an agency on the case team.
- Evidence linked to a check is a material item of the same case that the actor may see
  (``material.material_decision``): nobody links, and so reveals, what they cannot read.
- The compliance figures are aggregates: seniors see them over the cases they may see,
  national roles over every case (aggregates only, never the checks themselves).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from jointcase.access.acting import Refusal
from jointcase.access.cases import case_write_refusal
from jointcase.access.material import material_decision
from jointcase.access.policy import (
    AnyUser,
    Decision,
    case_decision,
    case_filter,
    current_q,
    gate_decision,
    is_national_role,
    signed_in,
    user_gate,
)
from jointcase.access.roles import (
    CASE_MANAGER_ROLES,
    CASE_SENIOR_ROLES,
    MANAGER_ROLES,
    SENIOR_ROLES,
)
from jointcase.accounts.models import User
from jointcase.agencies.models import TeamMembership
from jointcase.cases.models import Case, CaseRole, CaseTeamMember
from jointcase.risk.models.checks import CheckStatus, RequiredCheck

if TYPE_CHECKING:
    from jointcase.material.models import MaterialItem

NOT_FOUND = "Not found"
NOT_RESPONSIBLE = "Only the {role} on the case team can complete this check"
ALREADY_COMPLETED = "This check has already been completed"
DUE_MOVE_REFUSED = (
    "Only the check's responsible role, the case's senior leads or a manager can move its due date"
)
COMPLIANCE_REFUSED = "Only senior leads and national roles can see the compliance figures"


def _today(now: dt.datetime | None) -> dt.date:
    return timezone.localdate(now) if now is not None else timezone.localdate()


# --- Seeing a check -------------------------------------------------------------------------


def check_decision(
    user: AnyUser, check: RequiredCheck, *, now: dt.datetime | None = None
) -> Decision:
    """May ``user`` see ``check``? Exactly when they may see its case's content."""
    return case_decision(user, check.case_id, now=now)


def check_filter(user: AnyUser, *, now: dt.datetime | None = None) -> Q:
    """The same rule as a filter on ``RequiredCheck`` (or any model with a ``case`` key)."""
    if user_gate(user) is not None:
        return Q(pk__in=[])
    return Q(case_id__in=Case.objects.filter(case_filter(user, now=now)).values("pk"))


def checks_visible_to(user: AnyUser, *, now: dt.datetime | None = None) -> QuerySet[RequiredCheck]:
    if user_gate(user) is not None:
        return RequiredCheck.objects.none()
    return RequiredCheck.objects.filter(check_filter(user, now=now))


def check_see_refusal(user: AnyUser, check: RequiredCheck) -> Refusal | None:
    """Hidden (404, as for a missing check) unless ``user`` may see ``check``."""
    decision = check_decision(user, check)
    if decision.allowed:
        return None
    return Refusal(reason=decision.reason, message=NOT_FOUND, hidden=True)


# --- Whose check it is ----------------------------------------------------------------------


def _holders_q(user: User, today: dt.date) -> Q:
    """Case-team rows through which ``user`` holds a role today: in person or by team."""
    teams = TeamMembership.objects.filter(current_q(today), user_id=user.pk).values("team_id")
    return current_q(today) & (Q(user_id=user.pk) | Q(team_id__in=teams))


def check_responsible_decision(
    user: AnyUser, check: RequiredCheck, *, now: dt.datetime | None = None
) -> Decision:
    """Is ``check`` one of ``user``'s own (they hold its responsible role on its case now)?"""
    seen = check_decision(user, check, now=now)
    if not seen.allowed:
        return seen
    if not signed_in(user):
        return gate_decision(user)
    holds = CaseTeamMember.objects.filter(
        _holders_q(user, _today(now)), case_id=check.case_id, role=check.responsible_role
    ).exists()
    return Decision(True, "responsible") if holds else Decision(False, "not_responsible")


def check_responsible_filter(user: AnyUser, *, now: dt.datetime | None = None) -> Q:
    """The same rule as a filter on ``RequiredCheck`` ("my checks")."""
    if not signed_in(user):
        return Q(pk__in=[])
    rows = CaseTeamMember.objects.filter(
        _holders_q(user, _today(now)),
        case_id=OuterRef("case_id"),
        role=OuterRef("responsible_role"),
    )
    return check_filter(user, now=now) & Q(Exists(rows))


def check_team_filter(user: AnyUser, *, now: dt.datetime | None = None) -> Q:
    """Checks of "my team": visible to ``user`` and held by someone who shares a team with
    them (or whom they manage). Never wider than ``check_filter``."""
    if not signed_in(user):
        return Q(pk__in=[])
    today = _today(now)
    my_teams = TeamMembership.objects.filter(current_q(today), user_id=user.pk).values("team_id")
    colleagues = TeamMembership.objects.filter(current_q(today), team_id__in=my_teams).values(
        "user_id"
    )
    managed = TeamMembership.objects.filter(current_q(today), team__manager_id=user.pk).values(
        "user_id"
    )
    rows = CaseTeamMember.objects.filter(
        current_q(today),
        case_id=OuterRef("case_id"),
        role=OuterRef("responsible_role"),
    ).filter(
        Q(user_id__in=colleagues)
        | Q(user_id__in=managed)
        | Q(team_id__in=my_teams)
        | Q(team__manager_id=user.pk)
    )
    return check_filter(user, now=now) & Q(Exists(rows))


def check_senior_ids(check: RequiredCheck, today: dt.date) -> QuerySet[Any]:
    """The users an overdue check finally escalates to: the senior leads on its case team now
    (``CASE_SENIOR_ROLES``, in person), as user ids for a subquery."""
    return CaseTeamMember.objects.filter(
        current_q(today),
        case_id=check.case_id,
        user__isnull=False,
        role__in=sorted(CASE_SENIOR_ROLES),
    ).values("user_id")


# --- Acting on a check ----------------------------------------------------------------------


def check_complete_refusal(user: AnyUser, check: RequiredCheck) -> Refusal | None:
    """Who may complete ``check``: only whoever holds its responsible role on the case now
    (hidden when they may not see it; 403 when they may but it is not theirs)."""
    hidden = check_see_refusal(user, check)
    if hidden is not None:
        return hidden
    if not signed_in(user):
        return Refusal(reason=gate_decision(user).reason, message=NOT_FOUND, hidden=True)
    if check.status != CheckStatus.OPEN:
        return Refusal(reason="already_completed", message=ALREADY_COMPLETED)
    if not check_responsible_decision(user, check).allowed:
        role = (
            CaseRole(check.responsible_role).label.lower()
            if check.responsible_role in (CaseRole.values)
            else "responsible role"
        )
        return Refusal(reason="not_responsible", message=NOT_RESPONSIBLE.format(role=role))
    return None


def check_due_move_refusal(user: AnyUser, check: RequiredCheck) -> Refusal | None:
    """Who may move the due date of ``check`` (always with a reason, recorded): its
    responsible role, the case's senior leads and managers on the team, or a manager
    (``MANAGER_ROLES``) of an agency on the case team. Nobody moves a completed check's date."""
    hidden = check_see_refusal(user, check)
    if hidden is not None:
        return hidden
    if not signed_in(user):
        return Refusal(reason=gate_decision(user).reason, message=NOT_FOUND, hidden=True)
    if check.status != CheckStatus.OPEN:
        return Refusal(reason="already_completed", message=ALREADY_COMPLETED)
    if check_responsible_decision(user, check).allowed:
        return None
    if _steers_case(user, check.case_id, timezone.localdate()):
        return None
    return Refusal(reason="not_responsible_or_manager", message=DUE_MOVE_REFUSED)


def _steers_case(user: User, case_id: int, today: dt.date) -> bool:
    """The case-level clauses of moving a due date: ``user`` is a senior lead or manager on the
    case team, or a manager (``MANAGER_ROLES``) of an agency on the case team."""
    steering = CaseTeamMember.objects.filter(
        _holders_q(user, today),
        case_id=case_id,
        role__in=sorted(CASE_SENIOR_ROLES | CASE_MANAGER_ROLES),
    ).exists()
    if steering:
        return True
    return (
        user.has_role(*MANAGER_ROLES)
        and user.agency_id is not None
        and CaseTeamMember.objects.filter(
            current_q(today), case_id=case_id, agency_id=user.agency_id
        ).exists()
    )


def checks_mine_and_movable(
    user: AnyUser, checks: Sequence[RequiredCheck]
) -> tuple[set[int], set[int]]:
    """``check_responsible_decision`` and ``check_due_move_refusal`` for a page of checks at
    once: the ids of the open checks that are ``user``'s own, and of those whose due date they
    may move. One query for visibility, one for responsibility, and the case-level clauses
    once per case, not once per row (tests/risk/test_checks_batch_agrees.py)."""
    open_ids = [c.pk for c in checks if c.status == CheckStatus.OPEN]
    if not signed_in(user) or not open_ids:
        return set(), set()
    today = timezone.localdate()
    rows = RequiredCheck.objects.filter(pk__in=open_ids)
    visible = set(rows.filter(check_filter(user)).values_list("pk", flat=True))
    mine = set(rows.filter(check_responsible_filter(user)).values_list("pk", flat=True))
    steers = {
        case_id: _steers_case(user, case_id, today)
        for case_id in {c.case_id for c in checks if c.pk in visible}
    }
    movable = {c.pk for c in checks if c.pk in visible and (c.pk in mine or steers.get(c.case_id))}
    return mine & visible, movable


def check_material_refusal(
    user: AnyUser, check: RequiredCheck, item: MaterialItem
) -> Refusal | None:
    """``user`` may link ``item`` as evidence on ``check`` only if it is an item of the same
    case that they may see (else hidden: the item is answered as missing)."""
    if item.case_id != check.case_id:
        return Refusal(reason="material_other_case", message=NOT_FOUND, hidden=True)
    decision = material_decision(user, item)
    if not decision.allowed:
        return Refusal(reason=decision.reason, message=NOT_FOUND, hidden=True)
    return None


def change_record_refusal(user: AnyUser, case: Case) -> Refusal | None:
    """Recording a change of circumstance on ``case``: whoever may change its facts."""
    return case_write_refusal(user, case)


# --- The compliance figures ------------------------------------------------------------------


def compliance_refusal(user: AnyUser) -> Refusal | None:
    """Seniors (``SENIOR_ROLES``) and national roles see the compliance figures."""
    if not signed_in(user):
        return Refusal(reason=gate_decision(user).reason, message=COMPLIANCE_REFUSED)
    if user.has_role(*SENIOR_ROLES) or is_national_role(user):
        return None
    return Refusal(reason="not_senior", message=COMPLIANCE_REFUSED)


def compliance_filter(user: AnyUser, *, now: dt.datetime | None = None) -> Q:
    """The checks the figures of ``user`` count: every check for a national role (aggregates
    only), the checks they may see for a senior, nothing for anyone else."""
    if compliance_refusal(user) is not None:
        return Q(pk__in=[])
    if is_national_role(user):
        return Q()
    return check_filter(user, now=now)
