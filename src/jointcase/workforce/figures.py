"""Stored caseload figures: each person's load and capacity, kept so that the caseload pages read
one row per person instead of weighing every case they hold on every request (below the
services and the selectors, which both use it; no access decision here: callers scope who they
ask about).

The figure is what ``workforce.caseload.loads_of`` (the live computation) gives for the person
on the day it was computed (``as_of``), with the weights file version it was weighed with.

Staleness rule (docs/workforce.md, docs/operations.md "Caseload figures"):

- Kept current by the events that change what a load depends on, in the transaction of the
  event, for the people concerned only: a case-team member added or ended (an allocation, a
  reallocation), a case opened, its phase or cohort changed, a MAPPA registration recorded, a
  risk assessment countersigned (completed), a person's roles changed, a capacity recorded
  (``workforce.receivers``; the services of cases, risk and agencies send the signals and never
  import workforce). The person's figure row is locked while it is recomputed, so two events
  at once leave the later, complete, figure.
- Recomputed in full by the nightly run (``jointcase caseload refresh``, the worker's daily
  chain at 02:30, after the phase re-evaluation): what the passing of a day changes (a
  membership, a MAPPA registration or a capacity record that starts or ends on a date), and
  anything written in bulk (the seed, imports) without the services.
- A figure weighed with another weights file, or missing (a new person), is computed when a
  page asks for it, and stored.
- A figure older than today (the nightly run has not yet run today, or failed) is still shown,
  with the time it was computed ("as of").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, DecimalField, F, Min, Q, QuerySet, Sum
from django.utils import timezone

from jointcase.access.policy import current_q
from jointcase.accounts.models import User
from jointcase.cases.models import CaseTeamMember
from jointcase.workforce.caseload import Capacity, Facts, Load, all_case_facts, loads_of
from jointcase.workforce.models import CaseloadFigure
from jointcase.workforce.weights import Weights, weights_current

#: People recomputed per transaction by the full run.
REFRESH_BATCH = 500
_STORED = (
    "caseload_role",
    "load",
    "lead_cases",
    "co_worked_cases",
    "capacity",
    "hours_fraction",
    "other_duties_reduction",
    "other_duties",
    "capacity_from",
    "as_of",
    "computed_at",
    "weights_version",
)


#: What a page needs to read a person with their figure (``select_related`` + ``only``).
WITH_FIGURE = (
    "username",
    "first_name",
    "last_name",
    "agency_id",
    "caseload_figure__user_id",
    *(f"caseload_figure__{name}" for name in _STORED),
)


def _figure_of(load: Load, day: dt.date, now: dt.datetime, version: int) -> CaseloadFigure:
    record = load.record or Capacity(Decimal(1), Decimal(0))
    return CaseloadFigure(
        user_id=load.user.pk,
        caseload_role=load.spec.role if load.spec else "",
        load=load.load,
        lead_cases=load.lead_cases,
        co_worked_cases=load.cases - load.lead_cases,
        capacity=load.capacity,
        hours_fraction=record.hours_fraction,
        other_duties_reduction=record.other_duties_reduction,
        other_duties=record.other_duties,
        capacity_from=record.effective_from,
        as_of=day,
        computed_at=now,
        weights_version=version,
    )


def figures_refresh(
    user_ids: Iterable[int],
    *,
    today: dt.date | None = None,
    facts: Facts | None = None,
    unless_since: dt.datetime | None = None,
) -> int:
    """Recompute and store the figures of ``user_ids`` (in the caller's transaction when there
    is one). Their figure rows are locked first, in id order, so a concurrent refresh of the
    same people waits and then counts what this one wrote. ``facts``: the cases' facts read
    beforehand by the full run, which passes ``unless_since`` (its start) so a figure an event
    recomputed meanwhile is left as it is. Returns how many were stored."""
    ids = sorted(set(user_ids))
    if not ids:
        return 0
    day = today or timezone.localdate()
    weights = weights_current()
    with transaction.atomic():
        CaseloadFigure.objects.bulk_create(
            [CaseloadFigure(user_id=pk, as_of=day) for pk in ids], ignore_conflicts=True
        )
        locked = CaseloadFigure.objects.select_for_update().filter(user_id__in=ids)
        if unless_since is not None:
            newer = set(
                locked.filter(computed_at__gte=unless_since, weights_version=weights.version)
                .order_by("user_id")
                .values_list("user_id", flat=True)
            )
            ids = [pk for pk in ids if pk not in newer]
        list(locked.order_by("user_id").values_list("pk", flat=True))
        users = list(User.objects.filter(pk__in=ids).prefetch_related("role_assignments"))
        for user in users:
            user._role_codes = frozenset(r.role for r in user.role_assignments.all())
        now = timezone.now()
        figures = [
            _figure_of(load, day, now, weights.version)
            for load in loads_of(users, today=day, facts=facts).values()
        ]
        CaseloadFigure.objects.bulk_create(
            figures,
            update_conflicts=True,
            unique_fields=["user"],
            update_fields=list(_STORED),
        )
    return len(figures)


def figures_refresh_all(
    *,
    today: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
    batch: int = REFRESH_BATCH,
) -> int:
    """The full run: every person's figure, set-based (every case's facts read once, then
    ``batch`` people per transaction; ``progress`` is told how many are done of how many
    after each). Returns how many were stored."""
    day = today or timezone.localdate()
    started = timezone.now()
    facts = all_case_facts(day)
    ids = list(User.objects.order_by("pk").values_list("pk", flat=True))
    done = 0
    for start in range(0, len(ids), batch):
        done += figures_refresh(
            ids[start : start + batch], today=day, facts=facts, unless_since=started
        )
        if progress is not None:
            progress(min(start + batch, len(ids)), len(ids))
    return done


def case_holder_ids(case_ids: Iterable[int], today: dt.date | None = None) -> set[int]:
    """The people a change to these cases may move the load of: anyone on their teams today
    in a case role the weights file counts (whatever the case's phase, so a closing case
    leaves its holders' loads)."""
    weights = weights_current()
    roles = sorted(weights.lead_case_roles | weights.co_working_case_roles)
    return set(
        CaseTeamMember.objects.filter(
            current_q(today or timezone.localdate()),
            case_id__in=list(case_ids),
            role__in=roles,
            user__isnull=False,
        ).values_list("user_id", flat=True)
    )


def figure_load(user: User, figure: CaseloadFigure, weights: Weights) -> Load:
    """A stored figure as the ``Load`` the pages show."""
    return Load(
        user=user,
        spec=weights.roles.get(figure.caseload_role),
        capacity=figure.capacity,
        load=figure.load,
        cases=figure.cases,
        lead_cases=figure.lead_cases,
        record=Capacity(
            figure.hours_fraction,
            figure.other_duties_reduction,
            figure.other_duties,
            figure.capacity_from,
        ),
        as_of=figure.as_of,
        computed_at=figure.computed_at,
    )


def _current(user_ids: list[int], version: int) -> dict[int, CaseloadFigure]:
    return {
        figure.user_id: figure
        for figure in CaseloadFigure.objects.filter(user_id__in=user_ids, weights_version=version)
    }


def _cached(user: User, version: int) -> CaseloadFigure | None:
    """The user's figure when the query that read them joined it (``select_related``) and it
    is current; else None."""
    relation = CaseloadFigure.user.field.remote_field
    if not relation.is_cached(user):
        return None
    figure = relation.get_cached_value(user)
    if isinstance(figure, CaseloadFigure) and figure.weights_version == version:
        return figure
    return None


def figures_for(users: list[User]) -> dict[int, Load]:
    """Each user's stored figure (read with them when their query selected
    ``caseload_figure``); one missing, or weighed with another weights file, is computed now
    and stored."""
    weights = weights_current()
    found: dict[int, CaseloadFigure] = {}
    for user in users:
        figure = _cached(user, weights.version)
        if figure is not None:
            found[user.pk] = figure
    unread = [user.pk for user in users if user.pk not in found]
    if unread:
        found.update(_current(unread, weights.version))
    missing = [user.pk for user in users if user.pk not in found]
    if missing:
        figures_refresh(missing)
        found.update(_current(missing, weights.version))
    return {user.pk: figure_load(user, found[user.pk], weights) for user in users}


def figure_of(user: User) -> Load:
    return figures_for([user])[user.pk]


def stale_since(loads: Iterable[Load], today: dt.date | None = None) -> dt.datetime | None:
    """When the oldest of these figures was computed, if any holds for a day before today
    (the page says "as of"); None when all are today's."""
    day = today or timezone.localdate()
    old = [load.computed_at for load in loads if load.as_of is not None and load.as_of < day]
    return min((at for at in old if at is not None), default=None)


@dataclass
class FigureSums:
    """The stored figures of a group of people, summed (aggregates only)."""

    people: int
    load: Decimal
    capacity: Decimal
    over_capacity: int
    oldest_as_of: dt.date | None
    oldest_computed_at: dt.datetime | None


def _sum_field() -> DecimalField[Any, Any]:
    return DecimalField(max_digits=14, decimal_places=1)


def _sums(people: QuerySet[User], key: str, version: int) -> list[dict[str, Any]]:
    return list(
        people.order_by()
        .values(key)
        .annotate(
            n=Count("pk"),
            fresh=Count("pk", filter=Q(caseload_figure__weights_version=version)),
            load=Sum("caseload_figure__load", output_field=_sum_field()),
            capacity=Sum("caseload_figure__capacity", output_field=_sum_field()),
            over=Count("pk", filter=Q(caseload_figure__load__gt=F("caseload_figure__capacity"))),
            as_of=Min("caseload_figure__as_of"),
            computed_at=Min("caseload_figure__computed_at"),
        )
    )


def figure_sums_by(people: QuerySet[User], key: str) -> dict[Any, FigureSums]:
    """The stored figures of ``people`` summed per value of ``key`` (a ``User`` field), in the
    database; when anyone lacks a current figure, theirs is computed and the sums read again."""
    version = weights_current().version
    rows = _sums(people, key, version)
    if any(row["fresh"] != row["n"] for row in rows):
        missing = people.exclude(caseload_figure__weights_version=version).values_list("pk")
        figures_refresh(pk for (pk,) in missing)
        rows = _sums(people, key, version)
    return {
        row[key]: FigureSums(
            people=row["n"],
            load=Decimal(row["load"] or 0).quantize(Decimal("0.1")),
            capacity=Decimal(row["capacity"] or 0).quantize(Decimal("0.1")),
            over_capacity=row["over"],
            oldest_as_of=row["as_of"],
            oldest_computed_at=row["computed_at"],
        )
        for row in rows
    }
