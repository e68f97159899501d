"""Seed step: capacity records for the people who hold caseloads, a few of them part-time or
with other duties and some over capacity, and cases waiting for allocation in the queue of the
demo's NSD senior operational lead (synthetic).

- Capacity: about one in five practitioners part-time (0.5 to 0.8 of full time), one in ten
  with other duties (a reduction of 0.1 to 0.3); the most loaded practitioners in each agency
  (about one in twenty, at least one) get hours that put them above capacity.
- The queue: at demo scale, three open cases of ``nsd-north`` whose lead NSD practitioner (not
  the practitioner persona) left yesterday, so they wait with "Lead left the case" and are
  reallocated with a handover checklist; the other scales do the same for about one in two
  hundred NSD cases, spread over the NSD divisions.
- An overdue supervision contact for two of the people ``nsd.lead`` manages (when the
  supervision step has not already given them one), for the team caseload page.
- Last, everyone's stored caseload figure (``workforce.figures``), as the nightly run computes
  it: the pages read those.

Rows are written in bulk (no service calls: no audit or timeline entries for seeded history).
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone

from jointcase.access.management import managed_user_ids
from jointcase.accounts.models import RoleAssignment, User
from jointcase.agencies.models import Agency
from jointcase.cases.models import CaseRole, CaseTeamMember, Phase
from jointcase.supervision.models import Contact, ContactKind
from jointcase.workforce.caseload import loads_of
from jointcase.workforce.figures import figures_refresh_all
from jointcase.workforce.models import CapacityRecord
from jointcase.workforce.weights import weights_current

logger = logging.getLogger(__name__)
DEMO_WAITING = 3
WAITING_SHARE = 200
PROTECTED_USERNAMES = ("nsd.practitioner", "ctnm.officer")


def _holders() -> list[User]:
    roles = sorted(weights_current().roles)
    people = list(
        User.objects.filter(
            is_active=True, pk__in=RoleAssignment.objects.filter(role__in=roles).values("user_id")
        ).prefetch_related("role_assignments")
    )
    for person in people:
        person._role_codes = frozenset(r.role for r in person.role_assignments.all())
    return people


def _capacities(context: Any, people: list[User]) -> int:
    rng = context.rng
    start = context.today - dt.timedelta(days=180)
    records = []
    for person in people:
        draw = rng.random()
        if draw < 0.2:
            hours = Decimal(rng.choice(["0.50", "0.60", "0.80"]))
            records.append(CapacityRecord(user=person, hours_fraction=hours, effective_from=start))
        elif draw < 0.3:
            records.append(
                CapacityRecord(
                    user=person,
                    other_duties_reduction=Decimal(rng.choice(["0.10", "0.20", "0.30"])),
                    other_duties=rng.choice(
                        ["Training lead", "Court work", "Union representative"]
                    ),
                    effective_from=start,
                )
            )
    CapacityRecord.objects.bulk_create(records, batch_size=5000)
    loads = loads_of(people, today=context.today)
    by_agency: dict[int, list[Any]] = {}
    for load in loads.values():
        if load.cases and load.user.username not in PROTECTED_USERNAMES:
            by_agency.setdefault(int(load.user.agency_id or 0), []).append(load)
    over = []
    for agency_loads in by_agency.values():
        agency_loads.sort(key=lambda load: -load.load)
        for load in agency_loads[: max(1, len(agency_loads) // 20)]:
            if load.spec is None:
                continue
            # Hours that leave capacity at about three quarters of the load (never below 0.1).
            hours = max(Decimal("0.10"), (load.load * Decimal("0.75") / load.spec.cap))
            hours = min(Decimal("1.00"), hours.quantize(Decimal("0.01")))
            if load.spec.cap * hours < load.load:
                over.append(
                    CapacityRecord(
                        user=load.user,
                        hours_fraction=hours,
                        effective_from=context.today - dt.timedelta(days=30),
                    )
                )
    CapacityRecord.objects.bulk_create(over, batch_size=5000)
    return len(records) + len(over)


def _waiting(context: Any) -> int:
    """End the lead row of a few open NSD cases yesterday: they wait for reallocation."""
    yesterday = context.today - dt.timedelta(days=1)
    demo = context.scale.name == "demo"
    agencies = (
        Agency.objects.filter(code="nsd-north")
        if demo
        else Agency.objects.filter(kind="PROBATION", children__isnull=True, users__isnull=False)
    ).distinct()
    rows = (
        CaseTeamMember.objects.filter(
            Q(end__isnull=True) | Q(end__gte=context.today),
            role=CaseRole.LEAD_NSD_PRACTITIONER,
            user__isnull=False,
            start__lt=yesterday,
            case__lead_agency__in=agencies,
        )
        .exclude(case__phase=Phase.CLOSED)
        .exclude(user__username__in=PROTECTED_USERNAMES)
        .order_by("case_id")
        .values_list("pk", "case_id")
    )
    picked: list[int] = []
    seen: set[int] = set()
    every = 1 if demo else WAITING_SHARE
    for index, (pk, case_id) in enumerate(rows.iterator(chunk_size=20_000)):
        if case_id in seen or index % every:
            continue
        seen.add(case_id)
        picked.append(pk)
        if demo and len(picked) >= DEMO_WAITING:
            break
    CaseTeamMember.objects.filter(pk__in=picked).update(end=yesterday)
    # Any other current lead row of those cases ends too, so that they really wait.
    CaseTeamMember.objects.filter(
        Q(end__isnull=True) | Q(end__gte=context.today),
        case_id__in=seen,
        role=CaseRole.LEAD_NSD_PRACTITIONER,
    ).update(end=yesterday)
    return len(seen)


def _overdue_contacts(context: Any) -> int:
    lead = User.objects.filter(username="nsd.lead").first()
    if lead is None:
        return 0
    now = timezone.now()
    made = 0
    for person in User.objects.filter(pk__in=managed_user_ids(lead)).order_by("pk")[:2]:
        row = (
            CaseTeamMember.objects.filter(
                Q(end__isnull=True) | Q(end__gte=context.today), user=person
            )
            .select_related("case")
            .first()
        )
        if row is None or person.agency_id is None:
            continue
        overdue = Contact.objects.filter(
            practitioner=person, planned_for__lt=now, outcome="", cancelled_at__isnull=True
        )
        if overdue.exists():
            continue
        Contact.objects.create(
            case=row.case,
            kind=ContactKind.HOME_VISIT,
            practitioner=person,
            agency_id=person.agency_id,
            originator_id=person.agency_id,
            planned_for=now - dt.timedelta(days=3),
        )
        made += 1
    return made


def seed_workforce(context: Any) -> None:
    people = _holders()
    records = _capacities(context, people)
    waiting = _waiting(context)
    contacts = _overdue_contacts(context)
    figures = figures_refresh_all(today=context.today)
    logger.info(
        "workforce: %s capacity records, %s cases waiting, %s overdue contacts, %s figures",
        records,
        waiting,
        contacts,
        figures,
    )
