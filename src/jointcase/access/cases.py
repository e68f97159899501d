"""Who may act on a case and on a person's record (DESIGN.md: ``access`` decides who may see
*and* who may act; services ask it themselves, so no service can be called unchecked).

Three decisions, each a ``Decision`` with the reason the DENY audit entry records:

- ``case_write_decision``: changing a case's facts (key facts, MAPPA, custody, sentence,
  licence, recall, exit): whoever may see the case's content (``policy.case_decision``: the
  case team, directly or through a team, or a live grant; never an excluded user, a national
  role or an inactive one).
- ``case_team_manage_decision``: the facts access is decided on (the case team, exclusions,
  grants): the lead NSD practitioner or the senior operational lead currently on the case
  team in person. Until a case has ever had such a member (a case just opened), the user who
  opened it may name them; after that, nobody else.
- ``person_write_decision`` / ``case_open_decision``: a person's record, and opening a case on
  them: whoever may see the person (``policy.person_decision``).

``hidden`` says whether the actor may not even see the object, so pages and the API answer
404 (as for a missing object) rather than 403.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone

from jointcase.access.policy import Decision, case_decision, person_decision, user_gate
from jointcase.cases.models import Case, CaseExclusion, CaseRole, CaseTeamMember

if TYPE_CHECKING:
    from jointcase.people.models import Person

#: Case roles whose holders manage the case's team, exclusions and grants.
TEAM_MANAGER_ROLES = frozenset({CaseRole.LEAD_NSD_PRACTITIONER, CaseRole.SENIOR_OPERATIONAL_LEAD})

#: Reasons for refusing someone who may see the object (403); any other reason hides it (404).
VISIBLE_REFUSALS = frozenset({"not_team_manager"})


class ActionRefused(PermissionDenied):
    """The actor may not do this. ``hidden``: they may not see the object either (answer 404)."""

    def __init__(self, decision: Decision) -> None:
        super().__init__("You cannot do this on this case")
        self.decision = decision
        self.hidden = decision.reason not in VISIBLE_REFUSALS


def _current_rows(case_id: int, today: dt.date) -> Q:
    return Q(case_id=case_id, start__lte=today) & (Q(end__isnull=True) | Q(end__gte=today))


def case_roles_of(user: Any, case: Case | int, *, today: dt.date | None = None) -> set[str]:
    """The roles ``user`` currently holds on the case team in person."""
    case_id = case if isinstance(case, int) else case.pk
    day = today or timezone.localdate()
    return set(
        CaseTeamMember.objects.filter(_current_rows(case_id, day), user_id=user.pk).values_list(
            "role", flat=True
        )
    )


def case_write_decision(user: Any, case: Case | int, *, now: dt.datetime | None = None) -> Decision:
    """May ``user`` change the facts of ``case``? Exactly when they may see its content."""
    return case_decision(user, case, now=now)


def case_team_manage_decision(
    user: Any, case: Case | int, *, now: dt.datetime | None = None
) -> Decision:
    """May ``user`` change who has access to ``case`` (team, exclusions, grants)?"""
    gate = user_gate(user)
    if gate is not None:
        return gate
    case_id = case if isinstance(case, int) else case.pk
    day = timezone.localdate(now) if now is not None else timezone.localdate()
    if CaseExclusion.objects.filter(case_id=case_id, user_id=user.pk).exists():
        return Decision(False, "excluded")
    seen = case_decision(user, case_id, now=now)
    if seen.allowed and case_roles_of(user, case_id, today=day) & TEAM_MANAGER_ROLES:
        return Decision(True, "team_manager")
    ever_managed = CaseTeamMember.objects.filter(
        case_id=case_id, user__isnull=False, role__in=TEAM_MANAGER_ROLES
    ).exists()
    opened_by = Case.objects.filter(pk=case_id).values_list("created_by_id", flat=True).first()
    if not ever_managed and opened_by is not None and opened_by == user.pk:
        return Decision(True, "opened_the_case")
    if seen.allowed:
        return Decision(False, "not_team_manager")
    return seen


def person_write_decision(
    user: Any, person: Person | int, *, now: dt.datetime | None = None
) -> Decision:
    """May ``user`` change the record of ``person``? Exactly when they may see it."""
    return person_decision(user, person, now=now)


def case_open_decision(
    user: Any, person: Person | int, *, now: dt.datetime | None = None
) -> Decision:
    """May ``user`` open a case on ``person``? When they may see the person."""
    return person_decision(user, person, now=now)
