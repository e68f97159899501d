"""Reads of caseloads and capacity, scoped to the acting user by ``jointcase.access.workforce``
(a caseload the viewer may not see is refused as missing, with a DENY entry).

- ``caseload_for``: one person's cases with their weights, load and capacity (themselves, or
  someone they manage).
- ``team_caseload_for``: each person a manager manages: load, capacity, % used, cases and
  overdue supervision contacts.
- ``capacity_for``: aggregates per agency (practitioners, load, capacity, % used, how many over
  capacity) for national roles and regional leads: never a case or a person's name.

Loads and capacities are read from the stored figures (``workforce.figures``: their staleness
rule is there); a figure older than today carries its ``as_of``, which the pages show.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count
from django.http import HttpRequest
from django.utils import timezone

from jointcase.access.acting import permission_require
from jointcase.access.management import managed_user_ids
from jointcase.access.policy import case_filter
from jointcase.access.workforce import (
    capacity_agency_filter,
    capacity_refusal,
    caseload_refusal,
    team_caseload_refusal,
)
from jointcase.accounts.models import RoleAssignment, User
from jointcase.agencies.models import Agency, AgencyKind
from jointcase.cases.models import Case, CaseRole, Cohort, Phase
from jointcase.risk.models.assessments import RoshLevel
from jointcase.supervision.models import Contact
from jointcase.workforce.caseload import Load, case_weights, held_rows, share
from jointcase.workforce.figures import WITH_FIGURE, figure_of, figure_sums_by, figures_for
from jointcase.workforce.models import HandoverAction
from jointcase.workforce.weights import weights_current


def overdue_contacts_of(user_ids: list[int], *, now: dt.datetime | None = None) -> dict[int, int]:
    """How many supervision contacts each user holds that were planned before now and have
    neither an outcome nor a cancellation."""
    instant = now or timezone.now()
    rows = (
        Contact.objects.filter(
            practitioner_id__in=user_ids,
            planned_for__lt=instant,
            outcome="",
            cancelled_at__isnull=True,
        )
        .values("practitioner_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["practitioner_id"]: row["n"] for row in rows}


def _label(choices: Any, value: Any, empty: str) -> str:
    if value in (None, ""):
        return empty
    return str(choices(value).label) if value in choices.values else str(value)


def caseload_subject(viewer: User, subject_id: int | None, request: HttpRequest | None) -> User:
    """The person whose caseload ``viewer`` asks about (themselves when ``subject_id`` is None);
    refused as missing (a DENY entry, then 404) unless they may see it."""
    if subject_id is None or subject_id == viewer.pk:
        return viewer
    subject = User.objects.filter(pk=subject_id).first()
    permission_require(
        actor=viewer,
        refusal=caseload_refusal(viewer, subject if subject is not None else subject_id),
        action="workforce.caseload_view",
        object_type="user",
        object_id=subject_id,
        request=request,
    )
    assert subject is not None
    return subject


def caseload_for(
    viewer: User, subject_id: int | None = None, *, request: HttpRequest | None = None
) -> Load:
    """``subject``'s load and capacity with their cases (weights, the facts behind them, and
    whether ``viewer`` may open the case: the case rule decides, not this page)."""
    subject = caseload_subject(viewer, subject_id, request)
    today = timezone.localdate()
    weights = weights_current()
    load = figure_of(subject)
    held = list(
        held_rows([subject.pk], today)
        .select_related("case")
        .order_by("case__reference")
        .values_list("case_id", "role", "case__public_id", "case__reference", "start")
    )
    facts = case_weights({row[0] for row in held}, today=today)
    openable = set(
        Case.objects.filter(case_filter(viewer), pk__in=[row[0] for row in held]).values_list(
            "pk", flat=True
        )
    )
    handover: dict[int, int] = defaultdict(int)
    for case_id in HandoverAction.objects.filter(
        allocation__case_id__in=[row[0] for row in held],
        allocation__allocated_to_id=subject.pk,
        done_at__isnull=True,
    ).values_list("allocation__case_id", flat=True):
        handover[case_id] += 1
    load.rows = [
        {
            "public_id": public_id,
            "reference": reference,
            "role": _label(CaseRole, role, ""),
            "phase": _label(Phase, facts[case_id]["phase"], ""),
            "cohort": _label(Cohort, facts[case_id]["cohort"], ""),
            "rosh": _label(RoshLevel, facts[case_id]["rosh"], "Not assessed"),
            "mappa": f"Level {facts[case_id]['mappa']}" if facts[case_id]["mappa"] else "None",
            "weight": (facts[case_id]["weight"] * share(weights, role)).quantize(Decimal("0.1")),
            "since": start,
            "openable": case_id in openable,
            "handover_open": handover.get(case_id, 0),
        }
        for case_id, role, public_id, reference, start in held
    ]
    load.overdue_contacts = overdue_contacts_of([subject.pk]).get(subject.pk, 0)
    return load


def team_caseload_for(manager: User, *, request: HttpRequest | None = None) -> list[Load]:
    """Each person ``manager`` currently manages, most used first (refused, 403, unless they
    are a manager of case workers)."""
    permission_require(
        actor=manager,
        refusal=team_caseload_refusal(manager),
        action="workforce.team_caseload_view",
        object_type="workforce",
        object_id="team",
        request=request,
    )
    # The ids first: asked as one list, the people and their figures are read by index.
    managed = list(managed_user_ids(manager).values_list("pk", flat=True))
    people = list(
        User.objects.filter(pk__in=managed)
        .select_related("caseload_figure")
        .only(*WITH_FIGURE)
        .order_by("last_name", "first_name", "pk")
    )
    loads = figures_for(people)
    overdue = overdue_contacts_of([p.pk for p in people])
    for load in loads.values():
        load.overdue_contacts = overdue.get(load.user.pk, 0)
    return sorted(
        loads.values(),
        key=lambda load: (-(load.percent_used or 0), load.user.last_name, load.user.pk),
    )


@dataclass
class AgencyCapacity:
    """One agency's figures: aggregates only."""

    agency: str
    region: str
    kind: str
    practitioners: int
    load: Decimal
    capacity: Decimal
    over_capacity: int
    #: The oldest stored figure summed (the day it holds for, when it was computed).
    as_of: dt.date | None = None
    computed_at: dt.datetime | None = None

    @property
    def percent_used(self) -> int | None:
        if not self.capacity:
            return None
        return round(100 * self.load / self.capacity)


def capacity_for(user: User, *, request: HttpRequest | None = None) -> list[AgencyCapacity]:
    """The capacity figures per agency ``user`` may see (403 for anyone else)."""
    permission_require(
        actor=user,
        refusal=capacity_refusal(user),
        action="workforce.capacity_view",
        object_type="workforce",
        object_id="capacity",
        request=request,
    )
    weights = weights_current()
    agencies = {
        agency.pk: agency
        for agency in Agency.objects.filter(capacity_agency_filter(user)).select_related("parent")
    }
    holders = User.objects.filter(
        is_active=True,
        agency_id__in=list(agencies),
        pk__in=RoleAssignment.objects.filter(role__in=sorted(weights.roles)).values("user_id"),
    )
    rows = []
    for agency_id, sums in figure_sums_by(holders, "agency_id").items():
        agency = agencies[int(agency_id)]
        rows.append(
            AgencyCapacity(
                agency=agency.name,
                region=agency.parent.name if agency.parent else agency.name,
                kind=AgencyKind(agency.kind).label if agency.kind in AgencyKind.values else "",
                practitioners=sums.people,
                load=sums.load,
                capacity=sums.capacity,
                over_capacity=sums.over_capacity,
                as_of=sums.oldest_as_of,
                computed_at=sums.oldest_computed_at,
            )
        )
    return sorted(rows, key=lambda row: (row.region, row.agency))


def capacity_totals(rows: list[AgencyCapacity]) -> AgencyCapacity:
    return AgencyCapacity(
        agency="All",
        region="",
        kind="",
        practitioners=sum(r.practitioners for r in rows),
        load=sum((r.load for r in rows), Decimal(0)),
        capacity=sum((r.capacity for r in rows), Decimal(0)),
        over_capacity=sum(r.over_capacity for r in rows),
        as_of=min((r.as_of for r in rows if r.as_of is not None), default=None),
        computed_at=min((r.computed_at for r in rows if r.computed_at is not None), default=None),
    )
