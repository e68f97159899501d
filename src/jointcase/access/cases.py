"""Who may act on a case and on a person's record (docs/design.md: ``access`` decides who may see
*and* who may act; services ask it themselves, so no service can be called unchecked).

Each rule is a ``Decision`` (with the reason the DENY audit entry records) and a ``*_refusal``
in the shape every app uses (``jointcase.access.acting.Refusal``); services wear ``acts_on``,
which asks the refusal before the service and its transaction run (``permission_require``: a
DENY entry that stays, then ``NotPermitted``, nothing written):

- ``case_write_decision``: changing a case's facts (key facts, MAPPA, custody, sentence,
  licence, recall, exit): whoever may see the case's content (``policy.case_decision``: the
  case team, directly or through a team, or a live grant; never an excluded user, a national
  role or an inactive one).
- ``case_team_manage_decision``: the facts access is decided on (the case team, exclusions,
  grants): the lead NSD practitioner or the senior operational lead currently on the case
  team in person. Until a case has ever had such a member (a case just opened), the user who
  opened it may name them. While a case waits in a manager's allocation queue (no active
  lead in a role they allocate: ``access.workforce.allocation_queue_decision``), that
  manager manages its team too, so allocating it goes through the cases service like any
  other team change. Nobody else.
- ``person_write_decision`` / ``case_open_decision``: a person's record, and opening a case on
  them: whoever may see the person (``policy.person_decision``).

``Refusal.hidden`` says whether the actor may not even see the object, so pages and the API
answer 404 (as for a missing object) rather than 403.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from django.db.models import Q
from django.utils import timezone

from jointcase.access.acting import Refusal, permission_require
from jointcase.access.policy import (
    AnyUser,
    Decision,
    case_decision,
    gate_decision,
    person_decision,
    signed_in,
)
from jointcase.access.roles import CASE_MANAGER_ROLES
from jointcase.access.workforce import allocation_queue_decision
from jointcase.cases.models import Case, CaseExclusion, CaseTeamMember

if TYPE_CHECKING:
    from django.http import HttpRequest

    from jointcase.accounts.models import User
    from jointcase.people.models import Person

P = ParamSpec("P")
T = TypeVar("T")

#: Reasons for refusing someone who may see the object (403); any other reason hides it (404).
VISIBLE_REFUSALS = frozenset({"not_team_manager"})

#: What a refused actor is told (only when the refusal is not hidden: a hidden one is a 404).
REFUSED_MESSAGE = "You cannot do this on this case"

#: A refusal function: ``None`` when ``user`` may act on the object, else why not.
RefusalRule = Callable[[AnyUser, Any], "Refusal | None"]


def _current_rows(case_id: int, today: dt.date) -> Q:
    return Q(case_id=case_id, start__lte=today) & (Q(end__isnull=True) | Q(end__gte=today))


def case_roles_of(user: User, case: Case | int, *, today: dt.date | None = None) -> set[str]:
    """The roles ``user`` currently holds on the case team in person."""
    case_id = case if isinstance(case, int) else case.pk
    day = today or timezone.localdate()
    return set(
        CaseTeamMember.objects.filter(_current_rows(case_id, day), user_id=user.pk).values_list(
            "role", flat=True
        )
    )


def case_write_decision(
    user: AnyUser, case: Case | int, *, now: dt.datetime | None = None
) -> Decision:
    """May ``user`` change the facts of ``case``? Exactly when they may see its content."""
    return case_decision(user, case, now=now)


def case_team_manage_decision(
    user: AnyUser, case: Case | int, *, now: dt.datetime | None = None
) -> Decision:
    """May ``user`` change who has access to ``case`` (team, exclusions, grants)?"""
    if not signed_in(user):
        return gate_decision(user)
    case_id = case if isinstance(case, int) else case.pk
    day = timezone.localdate(now) if now is not None else timezone.localdate()
    if CaseExclusion.objects.filter(case_id=case_id, user_id=user.pk).exists():
        return Decision(False, "excluded")
    seen = case_decision(user, case_id, now=now)
    if seen.allowed and case_roles_of(user, case_id, today=day) & CASE_MANAGER_ROLES:
        return Decision(True, "team_manager")
    ever_managed = CaseTeamMember.objects.filter(
        case_id=case_id, user__isnull=False, role__in=CASE_MANAGER_ROLES
    ).exists()
    opened_by = Case.objects.filter(pk=case_id).values_list("created_by_id", flat=True).first()
    if not ever_managed and opened_by is not None and opened_by == user.pk:
        return Decision(True, "opened_the_case")
    waiting = case if isinstance(case, Case) else Case.objects.filter(pk=case_id).first()
    if waiting is not None and allocation_queue_decision(user, waiting, now=now).allowed:
        return Decision(True, "allocating_manager")
    if seen.allowed:
        return Decision(False, "not_team_manager")
    return seen


def person_write_decision(
    user: AnyUser, person: Person | int, *, now: dt.datetime | None = None
) -> Decision:
    """May ``user`` change the record of ``person``? Exactly when they may see it."""
    return person_decision(user, person, now=now)


def case_open_decision(
    user: AnyUser, person: Person | int, *, now: dt.datetime | None = None
) -> Decision:
    """May ``user`` open a case on ``person``? When they may see the person."""
    return person_decision(user, person, now=now)


def refusal_of(decision: Decision) -> Refusal | None:
    """The ``Refusal`` for a refused ``decision`` (hidden unless the actor may see the object)."""
    if decision.allowed:
        return None
    return Refusal(
        reason=decision.reason,
        message=REFUSED_MESSAGE,
        hidden=decision.reason not in VISIBLE_REFUSALS,
    )


def case_write_refusal(user: AnyUser, case: Case | int) -> Refusal | None:
    """Why ``user`` may not change the facts of ``case`` (``case_write_decision``), or None."""
    return refusal_of(case_write_decision(user, case))


def case_team_manage_refusal(user: AnyUser, case: Case | int) -> Refusal | None:
    """Why ``user`` may not manage the team, exclusions and grants of ``case``, or None."""
    return refusal_of(case_team_manage_decision(user, case))


def person_write_refusal(user: AnyUser, person: Person | int) -> Refusal | None:
    """Why ``user`` may not change the record of ``person``, or None."""
    return refusal_of(person_write_decision(user, person))


def case_open_refusal(user: AnyUser, person: Person | int) -> Refusal | None:
    """Why ``user`` may not open a case on ``person``, or None."""
    return refusal_of(case_open_decision(user, person))


def acts_on(
    refusal: RefusalRule, subject: Callable[[dict[str, Any]], Any], action: str
) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Ask ``refusal(actor, subject(kwargs))`` before the service (and its transaction) runs.

    A refusal is audited (``permission_require``: a DENY entry on the case or the person,
    which stays) and raised as ``NotPermitted``; the service never runs."""

    def wrap(service: Callable[P, T]) -> Callable[P, T]:
        @functools.wraps(service)
        def checked(*args: P.args, **kwargs: P.kwargs) -> T:
            named: dict[str, Any] = kwargs  # services take keyword arguments only
            actor: User | None = named.get("actor")
            request: HttpRequest | None = named.get("request")
            target = subject(named)
            permission_require(
                actor=actor,
                refusal=refusal(actor, target),
                action=action,
                object_type="case" if isinstance(target, Case) else "person",
                object_id=target.pk,
                request=request,
            )
            return service(*args, **kwargs)

        return checked

    return wrap
