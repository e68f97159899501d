"""The material rule (docs/design.md "The security model", "Decision"): the one place deciding who
may see a labelled object on a case: material items, and any other labelled thing (minutes
sections...) through ``label_decision`` / ``label_filter``.

Allow iff
- the object is within the deployment's system high (``settings.SYSTEM_HIGH``);
- the user is not excluded from the case (an exclusion beats grants and break-glass);
- clearance (from vetting: BPSS/CTC -> OFFICIAL incl. OFFICIAL-SENSITIVE, SC -> SECRET,
  DV -> TOP SECRET; expired vetting -> OFFICIAL; no vetting -> nothing) >= classification;
- every caveat of the label is among the user's current caveat authorisations;
- releasability matches: the user's agency is the originator, or one of ``releasable_to``, or
  ``releasable_to`` is empty and the agency has a current member on the case team, or the user
  holds a live ``MaterialGrant`` on the item (a grant releases the item to that one person,
  never to their agency, and never extends clearance, caveats, system high or an exclusion);
- a tearline not yet approved is seen only by users of the originator agency;
- need-to-know: the case-level rule of ``jointcase.access.policy`` (reused, not re-written),
  or an unexpired ``MaterialGrant`` for that item, or an active break-glass on the case.

Acting is narrower than seeing: ``material_write_access`` lets only the case relationship
write (never break-glass or an item grant), and ``label_widening`` says which label changes
could let someone new read (the originator's alone).

One rule, two forms: each clause below has ``holds`` (Python, over facts gathered once) and
``q`` (the same relation inside the database). ``material_decision`` walks the clauses in
order and returns the first failing clause's reason; ``material_filter`` ANDs the clauses' Q
objects. tests/material/test_policy_agrees.py proves on generated worlds that they agree.

The user's side (clearance, caveats, agency) is computed once per user per request
(``user_facts``, cached on the user instance, which lives for one request).

On ``MaterialItem`` the caveat and releasability clauses' Q forms test the label summary
columns ``has_caveats`` and ``releasability_restricted`` (kept equal to the sets by
``jointcase.material.signals`` and the seed, checked by ``jointcase.material.integrity``):
a label without caveats, or without a releasable-to list, is decided on the column and only
the other rows are probed in the join tables. Models without the columns (minutes sections)
use the join probes alone.

Across a user's cases (``material_visible_to(user)`` without ``case``: "the latest material
on my cases"), the need-to-know cases are read once (``need_to_know_cases``, thousands for a
member of a busy team) and bound as one array parameter (``IdIn``), the agency-on-the-case
relation is read for those cases alone, and the label probes stay correlated index lookups
(``_probe``), so the database can walk the newest items and stop at a page, as it does for
the same query without the label clauses. PostgreSQL chooses that walk itself; SQLite is
told to, for a caller paging the newest items (``newest_page``) over a large share of the
cases (``IdIn``, ``NEWEST_FIRST_SHARE``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection
from django.db.models import (
    BooleanField,
    Exists,
    Expression,
    ExpressionWrapper,
    F,
    Model,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.expressions import Combinable

from jointcase.access.labels import CLASSIFICATION_RANK, Classification
from jointcase.access.policy import (
    ALLOW_CLAUSES,
    DENY_CLAUSES,
    AnyUser,
    CaseFacts,
    Decision,
    Moment,
    case_facts_for,
    case_filter,
    case_team_rows,
    current_q,
    decide,
    gate_decision,
    moment,
    signed_in,
    user_gate,
)
from jointcase.agencies.models import CaveatAuthorisation, Vetting, VettingLevel
from jointcase.cases.models import Case, CaseTeamMember
from jointcase.lib.models import many_to_many, through_of
from jointcase.material.models import BreakGlass, MaterialGrant, MaterialItem, TearlineStatus

if TYPE_CHECKING:
    from jointcase.accounts.models import User
    from jointcase.material.models import MaterialItem

#: Clearance given by each vetting level (docs/design.md "Users").
VETTING_CLEARANCE: dict[str, str | None] = {
    VettingLevel.NONE: None,
    VettingLevel.BPSS: Classification.OFFICIAL_SENSITIVE,
    VettingLevel.CTC: Classification.OFFICIAL_SENSITIVE,
    VettingLevel.SC: Classification.SECRET,
    VettingLevel.DV: Classification.TOP_SECRET,
}
_LEVELS_BY_RANK = sorted(CLASSIFICATION_RANK, key=CLASSIFICATION_RANK.__getitem__)
_NO_RANK = -1


def system_high() -> str:
    """The highest classification this deployment may hold (setting, default SECRET)."""
    value = str(getattr(settings, "SYSTEM_HIGH", Classification.SECRET) or Classification.SECRET)
    return value if value in CLASSIFICATION_RANK else Classification.SECRET


def system_high_rank() -> int:
    return CLASSIFICATION_RANK[system_high()]


def classifications_held() -> list[str]:
    """The classifications this deployment may hold, lowest first: up to its system high."""
    high = system_high_rank()
    return [level for level, rank in CLASSIFICATION_RANK.items() if rank <= high]


def above_system_high(classification: str) -> bool:
    """May this deployment NOT hold ``classification``? The write-side twin of the
    "above_system_high" clause: services refuse (or record as a reference) what this says."""
    return CLASSIFICATION_RANK.get(classification, _NO_RANK) > system_high_rank()


def levels_up_to(rank: int) -> list[str]:
    return [level for level in _LEVELS_BY_RANK if CLASSIFICATION_RANK[level] <= rank]


# --- Facts ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UserFacts:
    """The user's side of every decision, gathered once per request (``gate`` is the
    refusal for a user who is not signed in, and then nothing else is gathered)."""

    user: AnyUser
    gate: Decision | None
    agency_id: int | None
    clearance_rank: int
    caveat_ids: frozenset[int]

    @property
    def clearance(self) -> str | None:
        return _LEVELS_BY_RANK[self.clearance_rank] if self.clearance_rank >= 0 else None


#: Where a request's clearance ceiling is noted on the acting user's instance (which lives for
#: one request): an API token issued with a ceiling acts at most at that classification.
_CEILING = "_jc_clearance_ceiling"


def clearance_ceiling_set(user: AnyUser, ceiling: str) -> None:
    """Cap what ``user`` (this instance, for this request) is cleared to at ``ceiling`` (a
    classification; empty: no cap). Every decision and every filter that reads the user's
    clearance reads it through ``clearance_for``, so both forms of the rule apply the cap."""
    if user is None:
        return
    if ceiling:
        user.__dict__[_CEILING] = ceiling
    else:
        user.__dict__.pop(_CEILING, None)
    user_facts_forget(user)


def clearance_lower(first: str | None, second: str | None) -> str | None:
    """The lower of two classifications (None, no clearance at all, is the lowest)."""
    if first is None or second is None:
        return None
    return first if CLASSIFICATION_RANK[first] <= CLASSIFICATION_RANK[second] else second


def clearance_ceiling_refusal(issuer: AnyUser, ceiling: str) -> str | None:
    """Why ``issuer`` may not give a token the clearance ceiling ``ceiling``, or None: it must
    be a classification, at most the issuer's own clearance (an operator at the console,
    ``issuer=None``, may set any)."""
    if ceiling not in CLASSIFICATION_RANK:
        return f"Choose the ceiling from: {', '.join(_LEVELS_BY_RANK)}"
    if issuer is None:
        return None
    own = clearance_for(issuer)
    if own is None or CLASSIFICATION_RANK[ceiling] > CLASSIFICATION_RANK[own]:
        return f"The ceiling cannot be above your own clearance ({own or 'none'})"
    return None


def clearance_for(user: AnyUser, *, on: dt.date | None = None) -> str | None:
    """The classification ``user`` is cleared to (None without vetting), at most the ceiling
    of the request's API token (``clearance_ceiling_set``)."""
    pk = getattr(user, "pk", None)
    vetting = Vetting.objects.filter(user_id=pk).first() if pk is not None else None
    if vetting is None:
        return None
    cleared = VETTING_CLEARANCE.get(vetting.effective_level(on))
    ceiling = getattr(user, "__dict__", {}).get(_CEILING)
    return clearance_lower(cleared, ceiling) if ceiling else cleared


#: Where ``user_facts`` caches a user's facts on the instance (which lives for one request).
_FACTS_CACHE = "_jc_material_facts"


def user_facts(user: AnyUser, *, now: dt.datetime | None = None) -> UserFacts:
    """Clearance, caveats and agency of ``user`` (two queries, once per user per request)."""
    if not signed_in(user):
        return UserFacts(user, gate_decision(user), None, _NO_RANK, frozenset())
    at = moment(now)
    cached = user.__dict__.get(_FACTS_CACHE)
    if cached is not None and cached[0] == at.today:
        facts: UserFacts = cached[1]
        return facts
    clearance = clearance_for(user, on=at.today)
    caveats = frozenset(
        CaveatAuthorisation.objects.current(at.today)
        .filter(user_id=user.pk)
        .values_list("caveat_id", flat=True)
    )
    facts = UserFacts(
        user=user,
        gate=None,
        agency_id=user.agency_id,
        clearance_rank=CLASSIFICATION_RANK[clearance] if clearance else _NO_RANK,
        caveat_ids=caveats,
    )
    user.__dict__[_FACTS_CACHE] = (at.today, facts)
    return facts


def user_facts_forget(user: AnyUser) -> None:
    """Drop the cached facts (after changing the user's vetting or caveats in the same request)."""
    if user is not None:
        user.__dict__.pop(_FACTS_CACHE, None)


def _signed(facts: UserFacts) -> User:
    """The signed-in user of ``facts``: a filter is only built past the gate, and a database
    clause about "the user's rows" has no meaning for anyone else."""
    user = facts.user
    if facts.gate is not None or not signed_in(user):
        raise ValueError("the material filter is built only for a signed-in user")
    return user


@dataclass(frozen=True)
class LabelFields:
    """A label by ids: what the rule needs from any labelled object."""

    classification: str
    caveat_ids: frozenset[int] = frozenset()
    releasable_ids: frozenset[int] = frozenset()
    originator_id: int | None = None
    #: Originator control (no onward sharing or re-labelling without the originator).
    orcon: bool = False


def _ids(values: Any) -> frozenset[int]:
    if values is None:
        return frozenset()
    if hasattr(values, "all"):
        values = values.all()
    return frozenset(v if isinstance(v, int) else v.pk for v in values)


def label_fields_of(obj: Any) -> LabelFields:
    """The label of ``obj`` (``classification``, ``caveats``, ``releasable_to``, ``originator``)."""
    return LabelFields(
        classification=str(obj.classification),
        caveat_ids=_ids(getattr(obj, "caveats", None)),
        releasable_ids=_ids(getattr(obj, "releasable_to", None)),
        originator_id=getattr(obj, "originator_id", None),
        orcon=bool(getattr(obj, "orcon", False)),
    )


@dataclass(frozen=True, slots=True)
class ObjectFacts:
    """The object's side: its label, its case, and the user's grants on it."""

    case_id: int
    rank: int
    caveat_ids: frozenset[int]
    releasable_ids: frozenset[int]
    originator_id: int | None
    draft_tearline: bool = False
    #: (starts_at, expires_at) of the user's MaterialGrants on this object.
    grants: tuple[tuple[dt.datetime, dt.datetime], ...] = ()


@dataclass(frozen=True, slots=True)
class CaseContext:
    """The case's side, for one user: the case-level facts of ``access.policy``, the agencies
    with a current case-team member, and the user's break-glass windows on the case."""

    case: CaseFacts
    agencies: frozenset[int]
    break_glass: tuple[tuple[dt.datetime, dt.datetime], ...] = ()
    #: The case these facts are about (None: the reach check's context, about no case).
    case_id: int | None = None


def case_context_for(user: User, case_id: int, *, now: dt.datetime | None = None) -> CaseContext:

    at = moment(now)
    team = case_team_rows(case_id)  # read once: the agencies here, the case facts below
    agencies = frozenset(
        agency
        for _user, _team, agency, start, end in team
        if agency is not None and start <= at.today and (end is None or end >= at.today)
    )
    windows = tuple(
        BreakGlass.objects.filter(user_id=user.pk, case_id=case_id).values_list(
            "starts_at", "expires_at"
        )
    )
    return CaseContext(case_facts_for(user, case_id, team=team), agencies, windows, case_id)


def case_context_decision(
    user: User, case_id: int, *, now: dt.datetime | None = None
) -> tuple[Decision, CaseContext]:
    """The case rule's decision (``access.policy.case_decision``) for ``user`` on ``case_id``,
    with the ``CaseContext`` whose case facts decided it: a page that opens the case and then
    lists its labelled records passes the context to their filters (``label_filter``'s
    ``context``) instead of gathering the same facts again."""
    gate = user_gate(user)
    context = case_context_for(user, case_id, now=now) if gate is None else _NO_CASE
    return gate or decide(user, context.case, moment(now)), context


# --- The clauses ---------------------------------------------------------------------------

Holds = Callable[[UserFacts, ObjectFacts, CaseContext, Moment, int], bool]
ToQ = Callable[["QContext"], Q]


@dataclass(frozen=True)
class QContext:
    """What the Q forms need: the user facts, the moment, the model's columns."""

    user: UserFacts
    at: Moment
    system_high_rank: int
    model: type[Model]
    case_field: str
    is_material: bool
    #: When the filter is for one case's list: that case's id and facts (each case-level
    #: relation is then a known truth value, decided exactly as the single-object form does).
    case_id: int | None = None
    case: CaseContext | None = None
    #: The caller pages the newest items across cases, narrowed by nothing else
    #: (``material_visible_to``'s ``newest_page``).
    newest_page: bool = False
    #: Relations read once while building one filter and shared by its clauses (the user's
    #: need-to-know cases, their live item grants).
    memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def has_summary(self, column: str) -> bool:
        """Does the model keep the label summary ``column`` (MaterialItem's ``has_caveats``
        and ``releasability_restricted``, kept equal to its sets)?"""
        return any(f.name == column for f in self.model._meta.concrete_fields)

    def case_rows(self, through: Any, own: str) -> QuerySet[Any]:
        """The rows of a label join table (``through``) for the items on ``case_id``."""
        return through.objects.filter(
            **{f"{own.removesuffix('_id')}__{self.case_field}_id": self.case_id}
        )

    def through(self, field_name: str) -> tuple[Any, str, str]:
        m2m = many_to_many(self.model, field_name)
        return (
            through_of(self.model, field_name),
            f"{m2m.m2m_field_name()}_id",
            f"{m2m.m2m_reverse_field_name()}_id",
        )


def _none() -> Q:
    return Q(pk__in=[])


#: A relation of at most this many ids is read once and inlined as a literal list (a user has
#: a handful of exclusions, grants, break-glass windows); a larger one stays a subquery
#: evaluated by the database.
INLINE_IDS = 200
#: The same for the user's need-to-know cases, which may be many more (a team's member sees
#: every case the team is on: thousands at national scale). Read once, the list gives the
#: database the true size of the set, so it can choose between walking the newest items and
#: looking up each case; as a subquery it guesses, and at a million items guesses badly.
INLINE_CASE_IDS = 5000
#: On SQLite, a page of the newest material across the user's need-to-know cases
#: (``material_visible_to(..., newest_page=True)``) walks the newest-first index when those
#: cases are at least this share of all cases (below it, each case's items are looked up and
#: sorted). Walking, a page of 50 costs about 50 / share index entries (10,000 at the
#: threshold: a few milliseconds) whatever the size of the world; looking up, it costs every
#: item on the user's cases: at a million items and thousands of cases, tens of milliseconds.
NEWEST_FIRST_SHARE = 0.005


class IdIn(Expression):
    """``column IN ids`` with the ids bound as ONE parameter: an array on PostgreSQL, a JSON
    list read by ``json_each`` on SQLite. A user's need-to-know cases run to thousands; as
    thousands of placeholders, the driver's parsing of the statement alone took longer than
    the database's answer. PostgreSQL still sees the values (the driver binds them on the
    client), so it plans with the set's true size, and weighs a page's LIMIT against walking
    an index in the page's order.

    SQLite does neither: it looks up every listed case's items and sorts them all, even for a
    page of 50 newest items when the cases hold tens of thousands. With ``newest_first`` (the
    filter's judgement that the ids are a large share of all cases, for a caller paging the
    newest items: ``NEWEST_FIRST_SHARE``), a statement that is such a page (newest first, with
    a LIMIT) marks the column with a unary ``+``, SQLite's documented way of keeping a term
    off an index: the planner then walks the newest-first index (``material_created_case``,
    which carries the case, so membership is tested before any row is read) and stops at the
    page. Any other statement (a count, a lookup by id) keeps the plain form and its index."""

    conditional = True

    def __init__(self, column: str, ids: list[int], *, newest_first: bool = False) -> None:
        super().__init__(output_field=BooleanField())
        self.column: Any = F(column)
        self.ids = ids
        self.newest_first = newest_first

    def get_source_expressions(self) -> list[Any]:
        return [self.column]

    def set_source_expressions(self, exprs: Sequence[Combinable | Expression]) -> None:
        (self.column,) = exprs

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        # ``column`` is the compiled column reference (quoted by Django), never user input.
        column, params = compiler.compile(self.column)
        if connection.vendor == "postgresql":
            return f"{column} = ANY(%s::bigint[])", [*params, self.ids]
        if connection.vendor == "sqlite":
            if self.newest_first and _newest_page(compiler.query):
                column = f"+{column}"
            sql = f"{column} IN (SELECT value FROM json_each(%s))"  # noqa: S608
            return sql, [*params, json.dumps(self.ids)]
        placeholders = ", ".join(["%s"] * len(self.ids))
        return f"{column} IN ({placeholders})", [*params, *self.ids]


def _newest_page(query: Any) -> bool:
    """Is ``query`` a page of the newest rows (ordered by ``-created_at`` first, with a LIMIT)?"""
    if query.high_mark is None:
        return False
    ordering: Sequence[Any] = query.order_by or (
        query.get_meta().ordering if query.default_ordering else ()
    )
    return len(ordering) > 0 and ordering[0] == "-created_at"


def _probe(rows: QuerySet[Any], summary: str) -> Exists:
    """``EXISTS (rows)`` for the items whose label summary column ``summary`` is true (the
    only items the clause probes the join table for; the column is restated inside).

    Restating the outer column keeps the probe a correlated index lookup made for the few
    items that reach it. Without it, PostgreSQL may instead read every matching label row
    of every item into a hash before the first item: it counts the clause as run for each
    row of the scan, not knowing that a page of 50 stops the scan after a few thousand
    rows, of which only those on the user's cases get this far."""
    return Exists(rows.filter(ExpressionWrapper(OuterRef(summary), output_field=BooleanField())))


def _ids_or_subquery(queryset: QuerySet[Any], limit: int | None = None) -> Any:
    """The ids ``queryset`` selects, read once per request when at most ``limit`` (default
    ``INLINE_IDS``), else the subquery."""
    limit = INLINE_IDS if limit is None else limit
    ids = [
        next(iter(row.values())) if isinstance(row, dict) else row for row in queryset[: limit + 1]
    ]
    return ids if len(ids) <= limit else queryset


def _system_high_holds(u: UserFacts, o: ObjectFacts, c: CaseContext, at: Moment, sh: int) -> bool:
    return o.rank <= sh


def _system_high_q(ctx: QContext) -> Q:
    if ctx.user.clearance_rank <= ctx.system_high_rank:
        return Q()  # implied by the clearance clause (ANDed with it): one IN list, not two
    return Q(classification__in=levels_up_to(ctx.system_high_rank))


def _not_excluded_holds(u: UserFacts, o: ObjectFacts, c: CaseContext, at: Moment, sh: int) -> bool:
    return not any(clause.holds(c.case, at) for clause in DENY_CLAUSES)


def _not_excluded_q(ctx: QContext) -> Q:
    if ctx.case is not None:
        excluded = any(clause.holds(ctx.case.case, ctx.at) for clause in DENY_CLAUSES)
        return _none() if excluded else Q()
    allowed = Q()
    denied: set[int] | None = set()
    for clause in DENY_CLAUSES:
        ids = _ids_or_subquery(clause.case_ids(_signed(ctx.user), ctx.at))
        if isinstance(ids, list) and denied is not None:
            denied.update(ids)
        else:
            denied = None
        if not isinstance(ids, list) or ids:
            allowed &= ~Q(**{f"{ctx.case_field}_id__in": ids})
    ctx.memo["denied"] = denied  # read once: need-to-know leaves these cases out too
    return allowed


def _clearance_holds(u: UserFacts, o: ObjectFacts, c: CaseContext, at: Moment, sh: int) -> bool:
    return o.rank <= u.clearance_rank


def _clearance_q(ctx: QContext) -> Q:
    levels = levels_up_to(ctx.user.clearance_rank)
    return Q(classification__in=levels) if levels else _none()


def _caveats_holds(u: UserFacts, o: ObjectFacts, c: CaseContext, at: Moment, sh: int) -> bool:
    return o.caveat_ids <= u.caveat_ids


def _caveats_q(ctx: QContext) -> Q:
    through, own, caveat = ctx.through("caveats")
    summary = ctx.has_summary("has_caveats")
    if summary and not ctx.user.caveat_ids:
        return Q(has_caveats=False)  # holding no caveat: only labels without caveats pass
    held = list(ctx.user.caveat_ids)
    if summary and ctx.case_id is not None:
        # One case's list: the few items on it carrying a caveat the user does not hold,
        # read once (usually none), so the list query has no probe of the join at all.
        blocked = _ids_or_subquery(
            ctx.case_rows(through, own)
            .exclude(**{f"{caveat}__in": held})
            .order_by()
            .values_list(own, flat=True)
            .distinct()
        )
        if isinstance(blocked, list) and not blocked:
            return Q()
        return Q(has_caveats=False) | ~Q(pk__in=blocked)
    # The caveats the user does not hold, as a subquery on the (small) caveat table inside the
    # same statement: a label row is then matched by the index on its caveat, and the database
    # never reads every label row of every item to find the (usually no) missing ones.
    caveats = through._meta.get_field(caveat.removesuffix("_id")).related_model
    not_held = caveats.objects.exclude(pk__in=held).order_by().values("pk")
    missing = through.objects.filter(**{own: OuterRef("pk"), f"{caveat}__in": not_held})
    if summary:  # a label without caveats passes on the column, with no probe of the join
        return Q(has_caveats=False) | ~Q(_probe(missing, "has_caveats"))
    return ~Q(Exists(missing))


def _releasable_holds(u: UserFacts, o: ObjectFacts, c: CaseContext, at: Moment, sh: int) -> bool:
    if _active(o.grants, at):
        return True  # the user's own grant releases the item to them (never to their agency)
    agency = u.agency_id
    if agency is None:
        return False
    if agency == o.originator_id or agency in o.releasable_ids:
        return True
    return not o.releasable_ids and agency in c.agencies


def _own_grants_q(ctx: QContext) -> Q | None:
    """The items the user holds a live ``MaterialGrant`` on (material only; None when there
    are none): released to that one user, whatever the list says."""
    if not ctx.is_material:
        return None

    if ctx.case_id is None:
        ids = _live_grant_ids(ctx)
    else:
        ids = _ids_or_subquery(
            MaterialGrant.objects.filter(
                user_id=_signed(ctx.user).pk,
                starts_at__lte=ctx.at.now,
                expires_at__gt=ctx.at.now,
                item__case_id=ctx.case_id,
            )
            .order_by()
            .values_list("item_id", flat=True)
        )
    return Q(pk__in=ids) if not isinstance(ids, list) or ids else None


def _releasable_q(ctx: QContext) -> Q:
    granted, by_agency = _own_grants_q(ctx), _releasable_to_agency_q(ctx)
    return by_agency if granted is None else granted | by_agency


def _releasable_to_agency_q(ctx: QContext) -> Q:
    agency = ctx.user.agency_id
    if agency is None:
        return _none()
    through, own, target = ctx.through("releasable_to")
    listed: Q = Q(Exists(through.objects.filter(**{own: OuterRef("pk"), target: agency})))
    unrestricted: Q
    if ctx.has_summary("releasability_restricted"):
        # The column says whether the list is empty: an unrestricted item is decided without
        # probing the join, and only restricted items are looked up in it.
        unrestricted = Q(releasability_restricted=False)
        listed = Q(releasability_restricted=True) & Q(
            _probe(
                through.objects.filter(**{own: OuterRef("pk"), target: agency}),
                "releasability_restricted",
            )
        )
    else:
        unrestricted = ~Q(Exists(through.objects.filter(**{own: OuterRef("pk")})))
    if ctx.case is not None:
        if ctx.has_summary("releasability_restricted") and ctx.case_id is not None:
            # One case's list: its items released to the user's agency, read once.
            ids = _ids_or_subquery(
                ctx.case_rows(through, own)
                .filter(**{target: agency})
                .order_by()
                .values_list(own, flat=True)
            )
            listed = Q(pk__in=ids) if not isinstance(ids, list) or ids else _none()
        if agency in ctx.case.agencies:
            return unrestricted | Q(originator_id=agency) | listed
        return Q(originator_id=agency) | listed
    agency_cases = (
        CaseTeamMember.objects.filter(current_q(ctx.at.today), agency_id=agency)
        .order_by()
        .values_list("case_id", flat=True)
    )
    cases = need_to_know_cases(ctx) if ctx.is_material else None
    if cases is not None and _walks_newest_first(ctx, cases):
        # A page walked newest first stops after a few thousand index entries, of which only
        # the few dozen on the user's cases reach this clause: probing the case team of those
        # few is cheaper than reading the agency's place on each of the thousands of cases.
        agency_on_case = Q(Exists(agency_cases.filter(case_id=OuterRef(f"{ctx.case_field}_id"))))
        return Q(originator_id=agency) | listed | (unrestricted & agency_on_case)
    if cases is not None:
        # An item reaches the user only on a need-to-know case or by their own item grant
        # (which releases it whatever its list), so whether the agency is on the case matters
        # only on the need-to-know cases, looked up there alone (read once). The filter names
        # the few without the agency (usually none), not the many with it: the database would
        # take a second list of the user's cases for a condition independent of the first,
        # count the rows as rare and plan for a few where there are thousands.
        on = set(agency_cases.filter(IdIn("case_id", cases))) if cases else set()
        off = [case for case in cases if case not in on]
        agency_on_case = ~Q(IdIn(f"{ctx.case_field}_id", off)) if off else Q()
        return Q(originator_id=agency) | listed | (unrestricted & agency_on_case)
    on_case = _ids_or_subquery(agency_cases.distinct())
    if isinstance(on_case, list):
        agency_on_case = Q(**{f"{ctx.case_field}_id__in": on_case})
    else:
        # An agency on many cases: probe the case team of each unrestricted row (an index
        # lookup) rather than hashing every case the agency is on for each query.
        agency_on_case = Q(Exists(agency_cases.filter(case_id=OuterRef(f"{ctx.case_field}_id"))))
    return Q(originator_id=agency) | listed | (unrestricted & agency_on_case)


def _tearline_holds(u: UserFacts, o: ObjectFacts, c: CaseContext, at: Moment, sh: int) -> bool:
    return not o.draft_tearline or (u.agency_id is not None and u.agency_id == o.originator_id)


def _tearline_q(ctx: QContext) -> Q:
    if not ctx.is_material:
        return Q()

    q = Q(parent__isnull=True) | Q(tearline_status=TearlineStatus.APPROVED)
    if ctx.user.agency_id is not None:
        q |= Q(originator_id=ctx.user.agency_id)
    return q


@dataclass(frozen=True)
class Clause:
    """A requirement: the object is allowed only if every clause holds."""

    reason: str  # the reason given when the clause does not hold
    holds: Holds
    q: ToQ


#: The requirements in the order their reasons are reported. Need-to-know comes last (below).
CLAUSES: tuple[Clause, ...] = (
    Clause("above_system_high", _system_high_holds, _system_high_q),
    Clause("excluded", _not_excluded_holds, _not_excluded_q),
    Clause("clearance", _clearance_holds, _clearance_q),
    Clause("caveats", _caveats_holds, _caveats_q),
    Clause("not_releasable", _releasable_holds, _releasable_q),
    Clause("draft_tearline", _tearline_holds, _tearline_q),
)


#: The clauses about the user's own reach (clearance and caveats): no relationship, grant or
#: break-glass ever extends them.
REACH_CLAUSES = tuple(clause for clause in CLAUSES if clause.reason in ("clearance", "caveats"))
#: The case side for a reach check (those clauses never look at the case).
_NO_CASE = CaseContext(CaseFacts(excluded=False, direct=(), team_rows=()), frozenset())


def within_reach(
    user: AnyUser,
    *,
    classification: str,
    caveat_ids: Iterable[int],
    now: dt.datetime | None = None,
) -> Decision:
    """Could ``user`` ever read a label of this classification and these caveats, whatever
    their relationships? The reach clauses of the rule, for writers (no one writes what they
    could not read) and for approvers (no grant goes to someone who could not use it)."""
    facts = user_facts(user, now=now)
    if facts.gate is not None:
        return facts.gate
    obj = ObjectFacts(
        case_id=0,
        rank=CLASSIFICATION_RANK.get(classification, 99),
        caveat_ids=frozenset(caveat_ids),
        releasable_ids=frozenset(),
        originator_id=None,
    )
    at, sh_rank = moment(now), system_high_rank()
    for clause in REACH_CLAUSES:
        if not clause.holds(facts, obj, _NO_CASE, at, sh_rank):
            return Decision(False, clause.reason)
    return Decision(True, "within_reach")


def _active(windows: Iterable[tuple[dt.datetime, dt.datetime]], at: Moment) -> bool:
    return any(starts <= at.now < expires for starts, expires in windows)


def _need_to_know(u: UserFacts, o: ObjectFacts, c: CaseContext, at: Moment) -> Decision:
    """The case rule of ``access.policy``, or a grant on the object, or break-glass."""
    through_case = decide(u.user, c.case, at)
    if through_case.allowed:
        return through_case
    if _active(o.grants, at):
        return Decision(True, "material_grant")
    if _active(c.break_glass, at):
        return Decision(True, "break_glass")
    return through_case


def _live_grant_ids(ctx: QContext) -> Any:
    """The items the user holds a live ``MaterialGrant`` on, across cases (read once per
    filter: both the releasability and the need-to-know clauses ask)."""

    if "grants" not in ctx.memo:
        at = ctx.at
        ctx.memo["grants"] = _ids_or_subquery(
            MaterialGrant.objects.filter(
                user_id=_signed(ctx.user).pk, starts_at__lte=at.now, expires_at__gt=at.now
            )
            .order_by()
            .values_list("item_id", flat=True)
        )
    return ctx.memo["grants"]


def need_to_know_cases(ctx: QContext) -> list[int] | None:
    """The cases on which the user has need-to-know now, across cases: those the case rule
    of ``access.policy`` allows (its allow clauses' cases less its deny clauses' cases) and
    those of an active break-glass. Read once per filter, as a sorted list; None when there
    are more than ``INLINE_CASE_IDS`` (the filter then keeps the rule as subqueries).

    The allow clauses' case ids are read directly (a UNION of their indexed subqueries),
    not through ``Case``: the same set as ``case_filter`` without a join to every case."""

    if "cases" not in ctx.memo:
        user, at = _signed(ctx.user), ctx.at
        reached: QuerySet[Any] = (
            BreakGlass.objects.filter(user_id=user.pk, starts_at__lte=at.now, expires_at__gt=at.now)
            .order_by()
            .values("case_id")
        )
        for clause in ALLOW_CLAUSES:
            reached = reached.union(clause.case_ids(user, at).order_by())
        glass_and_rule = _ids_or_subquery(
            reached.order_by().values_list("case_id", flat=True), INLINE_CASE_IDS
        )
        if isinstance(glass_and_rule, list):
            # Break-glass never opens an excluded case either: every deny clause beats both.
            denied: set[int] | None = ctx.memo.get("denied")
            if denied is None:
                denied = set()
                for clause in DENY_CLAUSES:
                    denied.update(row["case_id"] for row in clause.case_ids(user, at))
            ctx.memo["cases"] = sorted(set(glass_and_rule) - denied)
        else:
            ctx.memo["cases"] = None
    cases: list[int] | None = ctx.memo["cases"]
    return cases


def _walks_newest_first(ctx: QContext, cases: list[int]) -> bool:
    """Should the caller's page of the newest material on ``cases`` walk the newest-first
    index on SQLite (``IdIn``)? When the cases are at least ``NEWEST_FIRST_SHARE`` of all
    cases (one count, read once per filter, and only on SQLite, which counts a table from its
    smallest index in microseconds)."""
    if "walk" not in ctx.memo:
        ctx.memo["walk"] = (
            ctx.newest_page
            and ctx.is_material
            and bool(cases)
            and connection.vendor == "sqlite"
            and len(cases) >= NEWEST_FIRST_SHARE * Case.objects.count()
        )
    walk: bool = ctx.memo["walk"]
    return walk


def need_to_know_q(ctx: QContext) -> Q:

    user, at = _signed(ctx.user), ctx.at
    if ctx.case is not None:
        if decide(user, ctx.case.case, at).allowed or _active(ctx.case.break_glass, at):
            return Q()
        if not ctx.is_material or ctx.case_id is None:
            return _none()
        grants = MaterialGrant.objects.filter(
            user_id=user.pk, starts_at__lte=at.now, expires_at__gt=at.now, item__case_id=ctx.case_id
        ).values_list("item_id", flat=True)
        return Q(pk__in=list(grants))
    field_in = f"{ctx.case_field}_id__in"
    cases = need_to_know_cases(ctx)
    if cases is not None:
        walk = _walks_newest_first(ctx, cases)
        q = Q(IdIn(f"{ctx.case_field}_id", cases, newest_first=walk)) if cases else _none()
    else:
        through_case = Case.objects.filter(case_filter(user, now=at.now)).values_list("pk")
        glass = (
            BreakGlass.objects.filter(user_id=user.pk, starts_at__lte=at.now, expires_at__gt=at.now)
            .order_by()
            .values_list("case_id", flat=True)
        )
        q = Q(**{field_in: through_case}) | Q(**{field_in: glass})
    if ctx.is_material:
        grants = _live_grant_ids(ctx)
        if not isinstance(grants, list) or grants:
            q |= Q(pk__in=grants)
    return q


def decide_object(
    user: UserFacts, obj: ObjectFacts, case: CaseContext, at: Moment, sh_rank: int
) -> Decision:
    """The rule applied to facts already gathered (the object form; no queries)."""
    if user.gate is not None:
        return user.gate
    for clause in CLAUSES:
        if not clause.holds(user, obj, case, at, sh_rank):
            return Decision(False, clause.reason)
    return _need_to_know(user, obj, case, at)


def _filter(
    user: AnyUser,
    *,
    model: type[Model],
    case_field: str,
    is_material: bool,
    now: dt.datetime | None,
    case: Case | int | None = None,
    newest_page: bool = False,
    context: CaseContext | None = None,
) -> Q:
    if not signed_in(user):
        return _none()
    facts = user_facts(user, now=now)
    case_id = case if isinstance(case, int) or case is None else case.pk
    if context is None and case_id is not None:
        context = case_context_for(user, case_id, now=now)
    elif context is not None and context.case_id != case_id:
        raise ValueError("a CaseContext scopes a filter on its own case only")
    ctx = QContext(
        facts,
        moment(now),
        system_high_rank(),
        model,
        case_field,
        is_material,
        case_id,
        context if case_id is not None else None,
        newest_page=newest_page,
    )
    combined = Q(**{f"{case_field}_id": case_id}) if case_id is not None else Q()
    for clause in CLAUSES:
        combined &= clause.q(ctx)
    return combined & need_to_know_q(ctx)


# --- Material items ------------------------------------------------------------------------


def item_facts(
    item: MaterialItem, *, user: AnyUser = None, now: dt.datetime | None = None
) -> ObjectFacts:
    """The item's label and the user's unexpired-or-not grants on it (caveats/releasable_to
    read through any prefetch)."""

    grants: tuple[tuple[dt.datetime, dt.datetime], ...] = ()
    user_id = getattr(user, "pk", None)
    if user_id is not None:
        grants = tuple(
            MaterialGrant.objects.filter(item_id=item.pk, user_id=user_id).values_list(
                "starts_at", "expires_at"
            )
        )
    return ObjectFacts(
        case_id=item.case_id,
        rank=CLASSIFICATION_RANK.get(item.classification, 99),
        caveat_ids=_ids(item.caveats),
        releasable_ids=_ids(item.releasable_to),
        originator_id=item.originator_id,
        draft_tearline=item.parent_id is not None
        and item.tearline_status != TearlineStatus.APPROVED,
        grants=grants,
    )


def material_decision(
    user: AnyUser, item: MaterialItem, *, now: dt.datetime | None = None
) -> Decision:
    """May ``user`` see ``item`` now? With the reason (for the audit entry)."""
    if not signed_in(user):
        return gate_decision(user)
    facts = user_facts(user, now=now)
    at = moment(now)
    return decide_object(
        facts,
        item_facts(item, user=user, now=now),
        case_context_for(user, item.case_id, now=now),
        at,
        system_high_rank(),
    )


def material_filter(
    user: AnyUser,
    *,
    now: dt.datetime | None = None,
    case: Case | int | None = None,
    newest_page: bool = False,
) -> Q:
    """The same rule as a filter on ``MaterialItem`` (the queryset form). With ``case``, only
    that case's items, its case-level facts read once (the case's material tab).
    ``newest_page``: see ``material_visible_to``."""

    return _filter(
        user,
        model=MaterialItem,
        case_field="case",
        is_material=True,
        now=now,
        case=case,
        newest_page=newest_page,
    )


def material_visible_to(
    user: AnyUser,
    *,
    now: dt.datetime | None = None,
    case: Case | int | None = None,
    newest_page: bool = False,
) -> QuerySet[MaterialItem]:
    """The items ``user`` may see now (on ``case`` alone, with it).

    ``newest_page``: the caller reads a page of the newest items across cases ("the latest
    material on my cases": ordered by ``-created_at``, sliced, and narrowed by nothing else).
    The answer is the same; only the plan may change: for a user whose cases are a large
    share of all cases, the page walks the newest items and stops (``IdIn``), where a list
    narrowed further (a rare kind, words of a title) would walk far for few matches."""

    if not signed_in(user):
        return MaterialItem.objects.none()
    return MaterialItem.objects.filter(
        material_filter(user, now=now, case=case, newest_page=newest_page)
    )


def material_case_access(
    user: AnyUser, case: Case | int, *, now: dt.datetime | None = None
) -> Decision:
    """May ``user`` open the material tab of ``case``: the case rule, or an active
    break-glass on it (never through an exclusion)."""
    if not signed_in(user):
        return gate_decision(user)
    case_id = case if isinstance(case, int) else case.pk
    ctx = case_context_for(user, case_id, now=now)
    at = moment(now)
    if any(clause.holds(ctx.case, at) for clause in DENY_CLAUSES):
        return Decision(False, "excluded")
    through_case = decide(user, ctx.case, at)
    if through_case.allowed:
        return through_case
    if _active(ctx.break_glass, at):
        return Decision(True, "break_glass")
    return through_case


# --- Any labelled object on a case ---------------------------------------------------------


def label_decision(
    user: AnyUser, label: LabelFields, case: Case | int, *, now: dt.datetime | None = None
) -> Decision:
    """The rule for any labelled object on ``case`` (minutes sections, field groups...)."""
    if not signed_in(user):
        return gate_decision(user)
    facts = user_facts(user, now=now)
    case_id = case if isinstance(case, int) else case.pk
    obj = ObjectFacts(
        case_id=case_id,
        rank=CLASSIFICATION_RANK.get(label.classification, 99),
        caveat_ids=frozenset(label.caveat_ids),
        releasable_ids=frozenset(label.releasable_ids),
        originator_id=label.originator_id,
    )
    return decide_object(
        facts, obj, case_context_for(user, case_id, now=now), moment(now), system_high_rank()
    )


def label_filter(
    user: AnyUser,
    *,
    model: type[Model],
    case_field: str = "case",
    now: dt.datetime | None = None,
    case: Case | int | None = None,
    context: CaseContext | None = None,
) -> Q:
    """``label_decision`` as a Q on ``model`` (columns ``classification``, M2M ``caveats``
    to agencies.Caveat, M2M ``releasable_to`` to agencies.Agency, FK ``originator``, FK
    ``<case_field>`` to cases.Case). With ``case``: that case's rows only, and ``context``
    may give that case's ``case_context_for(user, case)`` when the caller already read it
    (at the same moment ``now``)."""
    return _filter(
        user,
        model=model,
        case_field=case_field,
        is_material=False,
        now=now,
        case=case,
        context=context,
    )


# --- Who may act on a case's material ------------------------------------------------------


def material_write_access(
    user: AnyUser, case: Case | int, *, now: dt.datetime | None = None
) -> Decision:
    """May ``user`` change anything on ``case``'s material (add, label, tearline, files, share
    requests and decisions, retention, destroy, revoke)? Only through the case relationship of
    ``access.policy`` (case team, team, case grant). Break-glass is emergency *read* access
    and an item grant releases one item to read: neither lets anyone write."""
    if not signed_in(user):
        return gate_decision(user)
    case_id = case if isinstance(case, int) else case.pk
    ctx = case_context_for(user, case_id, now=now)
    at = moment(now)
    through_case = decide(user, ctx.case, at)
    if through_case.allowed or through_case.reason == "excluded":
        return through_case
    if _active(ctx.break_glass, at):
        return Decision(False, "break_glass_read_only")
    return Decision(False, "read_only")


# --- Label changes: narrowing and widening --------------------------------------------------


def case_agencies(case: Case | int, *, now: dt.datetime | None = None) -> frozenset[int]:
    """The agencies with a current member on the case team: what an empty ``releasable_to``
    ("every agency on the case") releases to now (with the originator)."""
    case_id = case if isinstance(case, int) else case.pk
    today = moment(now).today
    return frozenset(
        CaseTeamMember.objects.filter(current_q(today), case_id=case_id, agency_id__isnull=False)
        .order_by()
        .values_list("agency_id", flat=True)
        .distinct()
    )


def released_agencies(
    label: LabelFields, case: Case | int, *, now: dt.datetime | None = None
) -> frozenset[int]:
    """The agencies ``label`` releases to on ``case`` now: the list (and the originator), or,
    for an empty list, every agency with a current member on the case (and the originator)."""
    listed = label.releasable_ids or case_agencies(case, now=now)
    origin = frozenset({label.originator_id}) if label.originator_id is not None else frozenset()
    return listed | origin


def label_widening(
    old: LabelFields, new: LabelFields, case: Case | int, *, now: dt.datetime | None = None
) -> str | None:
    """Why changing ``old`` to ``new`` could let someone read who could not before (None when
    the change only narrows). Such a change is the originator's alone.

    Narrowing is: a classification no lower, every old caveat kept, ORCON kept, and a
    releasability that reaches no agency the old one did not. "Every agency on the case" (an
    empty list) means the agencies with a current member on the case, so an explicit list
    naming an agency not on the case now widens; and an explicit list made empty widens
    (it follows the case team, which may grow)."""
    if CLASSIFICATION_RANK.get(new.classification, 99) < CLASSIFICATION_RANK.get(
        old.classification, 99
    ):
        return "lower_classification"
    if not old.caveat_ids <= new.caveat_ids:
        return "caveat_removed"
    if old.orcon and not new.orcon:
        return "orcon_removed"
    if old.releasable_ids and not new.releasable_ids:
        return "wider_releasability"
    if not released_agencies(new, case, now=now) <= released_agencies(old, case, now=now):
        return "wider_releasability"
    return None
