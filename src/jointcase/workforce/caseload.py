"""Weights, loads and capacity, computed (below the services and the selectors, which both
need them; no access decision here: callers scope who they ask about).

- A case's weight comes from the weights file (``weights.Weights.case_weight``) applied to its
  phase, cohort, current MAPPA level and the overall RoSH of its latest completed assessment
  (the highest cell of its RoSH matrix, as ``risk.selectors.assessments.rosh_matrix`` reads
  it). Read here straight from the rows, in the database, because a weight is a workload
  figure shown to managers who need not see the assessment itself.
- A person's load: the sum of the weights of the open cases they currently hold in person in
  a lead case role, plus ``co_working_fraction`` of those they co-work.
- Capacity: the cap of their caseload role x contracted hours x (1 - other duties), from their
  latest ``CapacityRecord`` in force, else the file's defaults.

Loads are counted in the database: the held rows grouped by holder, role and the four facts a
weight depends on (MAPPA level and RoSH read per case by indexed subqueries, so no list of case
ids travels), then weighed and summed in Python, one combination at a time.

This is the live computation: the pages read the stored figures it produces
(``workforce.figures``, where the rule that keeps them current is written down); the
allocation service and the full recompute call it directly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Case as CaseWhen
from django.db.models import (
    CharField,
    Count,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from jointcase.access.policy import current_q
from jointcase.accounts.models import Role, User
from jointcase.cases.models import Case, CaseTeamMember, MappaRegistration, Phase
from jointcase.risk.models.assessments import (
    ROSH_RANK,
    Assessment,
    AssessmentStatus,
    RoshRating,
)
from jointcase.workforce.models import CapacityRecord
from jointcase.workforce.weights import RoleSpec, Weights, weights_current

TENTH = Decimal("0.1")


def one_place(value: Decimal) -> Decimal:
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


def _current_mappa_of(case_ref: Any, today: dt.date) -> Subquery:
    """The level of the current MAPPA registration (the latest started) of ``case_ref``."""
    registrations = (
        MappaRegistration.objects.filter(case_id=case_ref, valid_from__lte=today)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .order_by("-valid_from", "-pk")
        .values("level")[:1]
    )
    return Subquery(registrations, output_field=IntegerField())


def _overall_rosh_of(case_ref: Any) -> Subquery:
    """The overall RoSH of ``case_ref``: the highest known level in the RoSH matrix of its
    latest completed assessment (None: none completed, or no known level in it)."""
    latest = (
        Assessment.objects.filter(case_id=case_ref, status=AssessmentStatus.COMPLETED)
        .order_by("-completed_at", "-pk")
        .values("pk")[:1]
    )
    rank_of = CaseWhen(
        *(When(level=level, then=Value(rank)) for level, rank in ROSH_RANK.items()),
        default=Value(-1),
        output_field=IntegerField(),
    )
    cells = (
        RoshRating.objects.filter(assessment_id=Subquery(latest), level__in=list(ROSH_RANK))
        .annotate(rank=rank_of)
        .order_by("-rank")
        .values("level")[:1]
    )
    return Subquery(cells, output_field=CharField())


def case_facts(case_ids: Iterable[int], today: dt.date) -> dict[int, tuple[int | None, str | None]]:
    """Each case's current MAPPA level and overall RoSH (None: not registered, not assessed),
    in one query (the subqueries ``loads_of`` counts by)."""
    ids = sorted(set(case_ids))
    if not ids:
        return {}
    found = {
        pk: (mappa, rosh)
        for pk, mappa, rosh in Case.objects.filter(pk__in=ids)
        .annotate(
            mappa=_current_mappa_of(OuterRef("pk"), today),
            rosh=_overall_rosh_of(OuterRef(OuterRef("pk"))),
        )
        .values_list("pk", "mappa", "rosh")
    }
    return {case_id: found.get(case_id, (None, None)) for case_id in ids}


def held_rows(user_ids: Iterable[int] | QuerySet[Any], today: dt.date) -> QuerySet[CaseTeamMember]:
    """The case-team rows through which the users carry a load today: in person, in a lead or
    co-working case role of the file, on a case not closed."""
    weights = weights_current()
    roles = sorted(weights.lead_case_roles | weights.co_working_case_roles)
    return CaseTeamMember.objects.filter(
        current_q(today), user_id__in=user_ids, role__in=roles
    ).exclude(case__phase=Phase.CLOSED)


def share(weights: Weights, role: str) -> Decimal:
    """The share of a case's weight its holder in ``role`` carries."""
    return Decimal(1) if role in weights.lead_case_roles else weights.co_working_fraction


@dataclass
class Capacity:
    hours_fraction: Decimal
    other_duties_reduction: Decimal
    other_duties: str = ""
    effective_from: dt.date | None = None

    def of(self, spec: RoleSpec | None) -> Decimal:
        if spec is None:
            return Decimal(0)
        return one_place(spec.cap * self.hours_fraction * (1 - self.other_duties_reduction))


def capacities_of(user_ids: Iterable[int], today: dt.date) -> dict[int, Capacity]:
    """Each user's capacity record in force today (the file's defaults when none)."""
    weights = weights_current()
    ids = list(user_ids)
    found: dict[int, Capacity] = {}
    for user_id, hours, reduction, duties, start in (
        CapacityRecord.objects.filter(user_id__in=ids, effective_from__lte=today)
        .order_by("user_id", "-effective_from", "-pk")
        .values_list(
            "user_id", "hours_fraction", "other_duties_reduction", "other_duties", "effective_from"
        )
    ):
        found.setdefault(user_id, Capacity(hours, reduction, duties, start))
    default = Capacity(weights.default_hours_fraction, Decimal(0))
    return {user_id: found.get(user_id, default) for user_id in ids}


@dataclass
class Load:
    """One person's load against their capacity."""

    user: User
    spec: RoleSpec | None
    capacity: Decimal
    load: Decimal = Decimal(0)
    cases: int = 0
    overdue_contacts: int = 0
    record: Capacity | None = None
    rows: list[dict[str, Any]] = field(default_factory=list)
    #: Of ``cases``, those held in a lead case role (the rest are co-worked).
    lead_cases: int = 0
    #: When read from a stored figure: the day it holds for and when it was computed.
    as_of: dt.date | None = None
    computed_at: dt.datetime | None = None

    @property
    def room(self) -> Decimal:
        return self.capacity - self.load

    @property
    def percent_used(self) -> int | None:
        if not self.capacity:
            return None
        return int((100 * self.load / self.capacity).quantize(Decimal(1), rounding=ROUND_HALF_UP))

    @property
    def over_capacity(self) -> bool:
        return self.load > self.capacity

    @property
    def role_label(self) -> str:

        return Role(self.spec.role).label if self.spec else "No caseload role"


#: Each case's current MAPPA level and overall RoSH (None: not registered, not assessed).
Facts = dict[int, tuple[int | None, str | None]]


def all_case_facts(today: dt.date) -> Facts:
    """Every case's current MAPPA level and overall RoSH, set-based (the full recompute):
    the registrations in force, the latest completed assessment of each case and the
    highest RoSH rank of each completed assessment, each one ordered read; the same choices
    as the per-case subqueries ``loads_of`` otherwise counts by."""
    mappa: dict[int, int] = {}
    for case_id, level in (
        MappaRegistration.objects.filter(valid_from__lte=today)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .order_by("case_id", "-valid_from", "-pk")
        .values_list("case_id", "level")
    ):
        mappa.setdefault(case_id, level)
    latest: dict[int, int] = {}
    for case_id, pk in (
        Assessment.objects.filter(status=AssessmentStatus.COMPLETED)
        .order_by("case_id", "-completed_at", "-pk")
        .values_list("case_id", "pk")
    ):
        latest.setdefault(case_id, pk)
    rank_of = CaseWhen(
        *(When(level=level, then=Value(rank)) for level, rank in ROSH_RANK.items()),
        default=Value(-1),
        output_field=IntegerField(),
    )
    level_of = {rank: level for level, rank in ROSH_RANK.items()}
    top = dict(
        RoshRating.objects.filter(
            assessment__status=AssessmentStatus.COMPLETED, level__in=list(ROSH_RANK)
        )
        .values("assessment_id")
        .annotate(top=Max(rank_of))
        .order_by()
        .values_list("assessment_id", "top")
    )
    facts: Facts = {case_id: (level, None) for case_id, level in mappa.items()}
    for case_id, assessment_id in latest.items():
        rank = top.get(assessment_id)
        facts[case_id] = (mappa.get(case_id), level_of.get(rank) if rank is not None else None)
    return facts


def _held_counts(
    user_ids: list[int], day: dt.date, facts: Facts | None
) -> Iterable[tuple[Any, ...]]:
    """(holder, role, phase, cohort, MAPPA level, RoSH, rows held) of the users' held rows."""
    held = held_rows(user_ids, day)
    if facts is not None:
        return (
            (user_id, role, phase, cohort, *facts.get(case_id, (None, None)), 1)
            for user_id, role, case_id, phase, cohort in held.values_list(
                "user_id", "role", "case_id", "case__phase", "case__cohort"
            )
        )
    # Counted in the database: one row per (holder, role and the four facts a weight depends
    # on), the facts read per held case by indexed subqueries, so no list of case ids
    # travels and a national page reads a few thousand rows, not one per case.
    return (
        held.annotate(
            mappa=_current_mappa_of(OuterRef("case_id"), day),
            rosh=_overall_rosh_of(OuterRef(OuterRef("case_id"))),
        )
        .values("user_id", "role", "case__phase", "case__cohort", "mappa", "rosh")
        .annotate(held=Count("pk"))
        .order_by()
        .values_list("user_id", "role", "case__phase", "case__cohort", "mappa", "rosh", "held")
    )


def loads_of(
    users: list[User], *, today: dt.date | None = None, facts: Facts | None = None
) -> dict[int, Load]:
    """The load and capacity of each of ``users`` (grouped in the database; with ``facts``,
    from ``all_case_facts`` of the same day instead of per-case subqueries)."""
    day = today or timezone.localdate()
    weights = weights_current()
    capacities = capacities_of([u.pk for u in users], day)
    loads: dict[int, Load] = {}
    for user in users:
        spec = weights.spec_for_user_roles(user.role_codes)
        record = capacities[user.pk]
        loads[user.pk] = Load(user=user, spec=spec, capacity=record.of(spec), record=record)
    if not users:
        return loads
    # A case's weight depends on four small vocabularies: each combination is computed once.
    weight_of: dict[tuple[Any, ...], Decimal] = {}
    leads = weights.lead_case_roles
    for user_id, role, phase, cohort, mappa, rosh, held in _held_counts(
        [u.pk for u in users], day, facts
    ):
        key = (phase, cohort, mappa, rosh, role)
        weight = weight_of.get(key)
        if weight is None:
            weight = share(weights, role) * weights.case_weight(
                phase=phase, rosh=rosh, mappa_level=mappa, cohort=cohort
            )
            weight_of[key] = weight
        load = loads[user_id]
        load.load += weight * held
        load.cases += held
        if role in leads:
            load.lead_cases += held
    for load in loads.values():
        load.load = one_place(load.load)
    return loads


def load_of(user: User, *, today: dt.date | None = None) -> Load:
    return loads_of([user], today=today)[user.pk]


def case_weights(
    case_ids: Iterable[int], *, today: dt.date | None = None
) -> dict[int, dict[str, Any]]:
    """Each case's weight and the facts it comes from (phase, cohort, MAPPA level, RoSH)."""

    day = today or timezone.localdate()
    weights = weights_current()
    rows = list(Case.objects.filter(pk__in=list(case_ids)).values("pk", "phase", "cohort"))
    facts = case_facts((row["pk"] for row in rows), day)
    result = {}
    for row in rows:
        mappa, rosh = facts[row["pk"]]
        weight = weights.case_weight(
            phase=row["phase"], rosh=rosh, mappa_level=mappa, cohort=row["cohort"]
        )
        result[row["pk"]] = {**row, "mappa": mappa, "rosh": rosh, "weight": one_place(weight)}
    return result
