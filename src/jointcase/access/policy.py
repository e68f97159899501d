"""The case-level need-to-know rule (docs/design.md "The security model"): the one place it is decided.

A user sees a case's content only
- as a current case-team member, directly or through a team they currently belong to (the
  case-team membership itself being current), or
- by an unexpired, unrevoked explicit grant, or
- as the current manager of someone who is currently on the case team in person (their line
  manager, or the manager of a team they currently belong to: ``access.management``), so
  supervisors oversee their teams' work;
an exclusion beats everything; national roles see aggregates only unless they have such a
relationship themselves; inactive (and anonymous) users see nothing.

One rule, two forms. The rule is the table ``CLAUSES`` below. Each clause has
- ``holds``: a Python predicate over the facts of one user and one case (``CaseFacts``), used
  by the single-object decision ``case_decision``, and
- ``case_ids``: the same relation as a database subquery of case ids, used by the queryset
  filter ``case_filter`` / ``cases_visible_to`` (``IN (SELECT ...)``: evaluated once by the
  database, never a list of ids in Python).
Both forms combine the clauses the same way (any deny clause wins; else any allow clause;
else deny), and tests/access/test_policy_agrees.py proves on generated worlds that they agree
for every user and case.

Dates: case-team and team memberships are inclusive date ranges compared with the local date
of ``now``; grants are instants (``starts_at`` inclusive, ``expires_at`` exclusive).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias, TypeGuard

from django.contrib.auth.models import AnonymousUser
from django.db.models import DateField, Exists, OuterRef, Q, QuerySet, Value
from django.utils import timezone

from jointcase.access.management import managed_user_ids
from jointcase.access.roles import NATIONAL_ROLES
from jointcase.accounts.models import User
from jointcase.agencies.models import TeamMembership
from jointcase.cases.models import Case, CaseAccessGrant, CaseExclusion, CaseTeamMember
from jointcase.people.models import Person as PersonModel

if TYPE_CHECKING:
    from jointcase.people.models import Person


#: Whoever a rule is asked about: a user, ``AnonymousUser`` (a page's ``request.user`` before
#: sign-in) or None (no one). Only a ``signed_in`` user can be allowed anything.
AnyUser: TypeAlias = User | AnonymousUser | None


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str

    def __bool__(self) -> bool:
        return self.allowed


@dataclass(frozen=True)
class Moment:
    now: dt.datetime
    today: dt.date


def moment(now: dt.datetime | None = None) -> Moment:
    instant = now or timezone.now()
    return Moment(instant, timezone.localdate(instant))


def _current(start: dt.date | None, end: dt.date | None, today: dt.date) -> bool:
    return (start is None or start <= today) and (end is None or end >= today)


def current_q(today: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}start__lte": today}) & (
        Q(**{f"{prefix}end__isnull": True}) | Q(**{f"{prefix}end__gte": today})
    )


@dataclass(frozen=True)
class CaseFacts:
    """Everything the rule looks at for one user and one case (rows as plain tuples)."""

    excluded: bool
    #: (start, end) of the user's own rows on the case team.
    direct: tuple[tuple[dt.date, dt.date | None], ...]
    #: (team_id, start, end) of the case team's team rows.
    team_rows: tuple[tuple[int, dt.date, dt.date | None], ...]
    #: team_id -> (start, end) rows of the user's memberships of those teams.
    user_teams: dict[int, tuple[tuple[dt.date, dt.date | None], ...]] = field(default_factory=dict)
    #: (starts_at, expires_at, revoked_at) of the user's grants on the case.
    grants: tuple[tuple[dt.datetime, dt.datetime, dt.datetime | None], ...] = ()
    #: (start, end, managed_from, managed_to) of the case-team rows of people the user
    #: manages: the row's dates, and the dates of the management relationship (None, None for
    #: a line report; the team membership's dates for a member of a team the user manages).
    managed: tuple[tuple[dt.date, dt.date | None, dt.date | None, dt.date | None], ...] = ()


# --- The clauses ---------------------------------------------------------------------------


def _excluded_holds(facts: CaseFacts, at: Moment) -> bool:
    return facts.excluded


def _excluded_ids(user: User, at: Moment) -> QuerySet[Any]:
    return CaseExclusion.objects.filter(user_id=user.pk).values("case_id")


def _case_team_holds(facts: CaseFacts, at: Moment) -> bool:
    return any(_current(start, end, at.today) for start, end in facts.direct)


def _case_team_ids(user: User, at: Moment) -> QuerySet[Any]:
    return CaseTeamMember.objects.filter(current_q(at.today), user_id=user.pk).values("case_id")


def _team_member_holds(facts: CaseFacts, at: Moment) -> bool:
    return any(
        _current(start, end, at.today)
        and any(
            _current(m_start, m_end, at.today)
            for m_start, m_end in facts.user_teams.get(team_id, ())
        )
        for team_id, start, end in facts.team_rows
    )


def _team_member_ids(user: User, at: Moment) -> QuerySet[Any]:
    teams = TeamMembership.objects.filter(current_q(at.today), user_id=user.pk).values("team_id")
    return CaseTeamMember.objects.filter(current_q(at.today), team_id__in=teams).values("case_id")


def _grant_holds(facts: CaseFacts, at: Moment) -> bool:
    return any(
        starts <= at.now < expires and revoked is None for starts, expires, revoked in facts.grants
    )


def _grant_ids(user: User, at: Moment) -> QuerySet[Any]:
    return CaseAccessGrant.objects.filter(
        user_id=user.pk, starts_at__lte=at.now, expires_at__gt=at.now, revoked_at__isnull=True
    ).values("case_id")


def _managed_holds(facts: CaseFacts, at: Moment) -> bool:
    return any(
        _current(start, end, at.today) and _current(managed_from, managed_to, at.today)
        for start, end, managed_from, managed_to in facts.managed
    )


#: The people a manager manages are read once and listed in the filter when at most this many
#: (a line manager's reports, a team's members); a larger set stays a subquery.
MANAGED_INLINE = 200


def _managed_ids(user: User, at: Moment) -> QuerySet[Any]:
    """The cases of the people ``user`` manages. Most users manage nobody: the people are read
    first (one indexed query), so for them the clause is empty and leaves the filter (the
    union's arm is dropped), and for a manager it is a short list of ids, not the relation's
    nested subquery built and compiled into every filter."""
    managed = managed_user_ids(user, today=at.today)
    listed = list(managed.values_list("pk", flat=True)[: MANAGED_INLINE + 1])
    if not listed:
        return CaseTeamMember.objects.none().values("case_id")
    people: Any = listed if len(listed) <= MANAGED_INLINE else managed
    return CaseTeamMember.objects.filter(current_q(at.today), user_id__in=people).values("case_id")


@dataclass(frozen=True)
class Clause:
    reason: str
    allows: bool  # False: a deny clause (beats every allow clause)
    holds: Callable[[CaseFacts, Moment], bool]
    case_ids: Callable[[User, Moment], QuerySet[Any]]


CLAUSES: tuple[Clause, ...] = (
    Clause("excluded", False, _excluded_holds, _excluded_ids),
    Clause("case_team", True, _case_team_holds, _case_team_ids),
    Clause("team_member", True, _team_member_holds, _team_member_ids),
    Clause("grant", True, _grant_holds, _grant_ids),
    Clause("managed_by_me", True, _managed_holds, _managed_ids),
)
DENY_CLAUSES = tuple(clause for clause in CLAUSES if not clause.allows)
ALLOW_CLAUSES = tuple(clause for clause in CLAUSES if clause.allows)


def signed_in(user: AnyUser) -> TypeGuard[User]:
    """An authenticated, active user: the only kind any rule may allow anything."""
    return user is not None and user.is_authenticated and user.is_active


def gate_decision(user: AnyUser) -> Decision:
    """Why ``user``, who is not ``signed_in``, sees nothing (the reason for the audit)."""
    if user is not None and user.is_authenticated:
        return Decision(False, "inactive_user")
    return Decision(False, "anonymous")


def user_gate(user: AnyUser) -> Decision | None:
    """Users who see nothing at all, whatever the case (None: ``user`` is ``signed_in``)."""
    return None if signed_in(user) else gate_decision(user)


def _no_relationship(user: User) -> Decision:
    if user.has_role(*NATIONAL_ROLES):
        return Decision(False, "national_role_aggregates_only")
    return Decision(False, "not_on_case")


#: A case-team row as ``case_facts_for`` reads it: (user_id, team_id, agency_id, start, end).
TeamRow = tuple[int | None, int | None, int | None, dt.date, dt.date | None]


def case_team_rows(case_id: int) -> list[TeamRow]:
    """Every case-team row of ``case_id`` (a case team is a handful of rows): what
    ``case_facts_for`` and the material rule's case context both need, read once."""
    return list(
        CaseTeamMember.objects.filter(case_id=case_id).values_list(
            "user_id", "team_id", "agency_id", "start", "end"
        )
    )


def case_facts_for(user: User, case_id: int, *, team: list[TeamRow] | None = None) -> CaseFacts:
    """The facts of one user and one case: four small indexed queries (three when the case's
    ``team`` rows from ``case_team_rows`` are given)."""
    excluded = CaseExclusion.objects.filter(case_id=case_id, user_id=user.pk).exists()
    members: list[tuple[Any, Any, dt.date, dt.date | None]]
    if team is None:
        members = list(
            CaseTeamMember.objects.filter(case_id=case_id).values_list(
                "user_id", "team_id", "start", "end"
            )
        )
    else:
        members = [(user_id, team_id, start, end) for user_id, team_id, _agency, start, end in team]
    direct = tuple((start, end) for user_id, _team, start, end in members if user_id == user.pk)
    team_rows = tuple((team, start, end) for _user, team, start, end in members if team is not None)
    user_teams: dict[int, list[tuple[dt.date, dt.date | None]]] = {}
    if team_rows:
        for team_id, start, end in TeamMembership.objects.filter(
            user_id=user.pk, team_id__in={row[0] for row in team_rows}
        ).values_list("team_id", "start", "end"):
            user_teams.setdefault(team_id, []).append((start, end))
    grants = tuple(
        CaseAccessGrant.objects.filter(case_id=case_id, user_id=user.pk).values_list(
            "starts_at", "expires_at", "revoked_at"
        )
    )
    others = {user_id for user_id, _team, _s, _e in members if user_id not in (None, user.pk)}
    relations = _management_of(user, others) if others else {}
    managed = tuple(
        (start, end, managed_from, managed_to)
        for user_id, _team, start, end in members
        for managed_from, managed_to in relations.get(user_id, ())
    )
    return CaseFacts(
        excluded=excluded,
        direct=direct,
        team_rows=team_rows,
        user_teams={key: tuple(rows) for key, rows in user_teams.items()},
        grants=grants,
        managed=managed,
    )


def _management_of(
    manager: User, user_ids: Collection[int]
) -> dict[int, list[tuple[dt.date | None, dt.date | None]]]:
    """For those of ``user_ids`` whom ``manager`` manages on some day: the (from, to) windows
    of that management (None, None for a line report; a team membership's dates for a member
    of a team ``manager`` manages). One query (a UNION of both relations)."""
    no_date = Value(None, output_field=DateField())
    reports = (
        User.objects.filter(pk__in=user_ids, line_manager_id=manager.pk)
        .annotate(managed_from=no_date, managed_to=no_date)
        .order_by()
        .values_list("pk", "managed_from", "managed_to")
    )
    members = (
        TeamMembership.objects.filter(user_id__in=user_ids, team__manager_id=manager.pk)
        .order_by()
        .values_list("user_id", "start", "end")
    )
    windows: dict[int, list[tuple[dt.date | None, dt.date | None]]] = {}
    for user_id, managed_from, managed_to in reports.union(members, all=True):
        windows.setdefault(user_id, []).append((managed_from, managed_to))
    return windows


def decide(user: AnyUser, facts: CaseFacts, at: Moment) -> Decision:
    """The rule applied to facts already gathered (the object form)."""
    if not signed_in(user):
        return gate_decision(user)
    for clause in DENY_CLAUSES:
        if clause.holds(facts, at):
            return Decision(False, clause.reason)
    for clause in ALLOW_CLAUSES:
        if clause.holds(facts, at):
            return Decision(True, clause.reason)
    return _no_relationship(user)


def case_decision(user: AnyUser, case: Case | int, *, now: dt.datetime | None = None) -> Decision:
    """May ``user`` see the content of ``case`` now? With the reason (for the audit entry)."""
    if not signed_in(user):
        return gate_decision(user)
    case_id = case if isinstance(case, int) else case.pk
    return decide(user, case_facts_for(user, case_id), moment(now))


def case_filter(
    user: AnyUser,
    *,
    now: dt.datetime | None = None,
    via: Collection[str] | None = None,
    per_case: bool = False,
) -> Q:
    """The same rule as a filter on ``Case`` (the queryset form).

    ``via`` narrows the allow clauses to the named reasons (``("case_team",)`` is "my cases":
    cases the user sees because they are on the team in person); the deny clauses always apply,
    so the result is always a subset of what the full rule allows.

    ``per_case=True`` asks each clause of each case row in turn (an indexed ``EXISTS`` per
    clause) instead of listing every case the user may see first: the same answer, for a query
    already narrowed to a few cases (a manager may see tens of thousands).
    """
    if not signed_in(user):
        return Q(pk__in=[])
    at = moment(now)
    if per_case:
        return _case_filter_per_case(user, at, via)
    # One IN over the UNION of the allow clauses' case ids: the database computes the (small)
    # set once and looks the cases up by key, instead of testing every case against each clause.
    allowed_ids: QuerySet[Any] | None = None
    for clause in ALLOW_CLAUSES:
        if via is None or clause.reason in via:
            ids = clause.case_ids(user, at).order_by()
            allowed_ids = ids if allowed_ids is None else allowed_ids.union(ids)
    if allowed_ids is None:
        return Q(pk__in=[])
    allowed = Q(pk__in=allowed_ids)
    for clause in DENY_CLAUSES:
        allowed &= ~Q(pk__in=clause.case_ids(user, at).order_by())
    return allowed


def _case_filter_per_case(user: User, at: Moment, via: Collection[str] | None) -> Q:
    def holds(clause: Clause) -> Q:
        return Q(Exists(clause.case_ids(user, at).order_by().filter(case_id=OuterRef("pk"))))

    allowed = Q(pk__in=[])
    for clause in ALLOW_CLAUSES:
        if via is None or clause.reason in via:
            allowed |= holds(clause)
    for clause in DENY_CLAUSES:
        allowed &= ~holds(clause)
    return allowed


def cases_visible_to(user: AnyUser, *, now: dt.datetime | None = None) -> QuerySet[Case]:
    if not signed_in(user):
        return Case.objects.none()
    return Case.objects.filter(case_filter(user, now=now))


def cases_visible_among(
    user: AnyUser, case_ids: Collection[int], *, now: dt.datetime | None = None
) -> QuerySet[Case]:
    """The cases of ``case_ids`` that ``user`` may see: the rule asked of those few cases only
    (``per_case``), never listing every case the user may see (tens of thousands for a
    manager) to pick a handful from it."""
    if not signed_in(user):
        return Case.objects.none()
    return Case.objects.filter(case_filter(user, now=now, per_case=True), pk__in=case_ids)


# --- Persons -------------------------------------------------------------------------------


def person_decision(
    user: AnyUser, person: Person | int, *, now: dt.datetime | None = None
) -> Decision:
    """A person is visible iff one of their cases is, or the user recorded them and no case
    exists yet (so a new nominal can be completed before a case is opened)."""
    if not signed_in(user):
        return gate_decision(user)

    person_id = person if isinstance(person, int) else person.pk
    case_ids = list(Case.objects.filter(person_id=person_id).values_list("pk", flat=True))
    at = moment(now)
    last: Decision | None = None
    for case_id in case_ids:
        decision = decide(user, case_facts_for(user, case_id), at)
        if decision.allowed:
            return decision
        if last is None or decision.reason == "excluded":
            last = decision
    if not case_ids:
        created_by = (
            PersonModel.objects.filter(pk=person_id).values_list("created_by_id", flat=True).first()
        )
        if created_by is not None and created_by == user.pk:
            return Decision(True, "creator")
        return Decision(False, "no_case")
    assert last is not None
    return last


def person_filter(user: AnyUser, *, now: dt.datetime | None = None) -> Q:
    if not signed_in(user):
        return Q(pk__in=[])

    through_cases = Case.objects.filter(case_filter(user, now=now)).order_by().values("person_id")
    created_without_case = (
        PersonModel.objects.filter(created_by_id=user.pk)
        .filter(~Exists(Case.objects.filter(person_id=OuterRef("pk"))))
        .order_by()
        .values("pk")
    )
    return Q(pk__in=through_cases.union(created_without_case))


def persons_visible_to(user: AnyUser, *, now: dt.datetime | None = None) -> QuerySet[Person]:

    if not signed_in(user):
        return PersonModel.objects.none()
    return PersonModel.objects.filter(person_filter(user, now=now))


def is_national_role(user: AnyUser) -> bool:
    """National roles may read aggregates over every case (never content)."""
    return signed_in(user) and user.has_role(*NATIONAL_ROLES)
