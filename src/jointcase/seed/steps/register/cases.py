"""The case row and its own history: opening, MAPPA registrations, handover or exit, closure
and the phase its facts give.
"""

from __future__ import annotations

import datetime as dt

from jointcase.agencies.models import AgencyKind
from jointcase.cases.models import (
    Case,
    Cohort,
    ExitKind,
    MappaRegistration,
    NsdExit,
    Phase,
    TimelineKind,
)
from jointcase.cases.phases import CaseFacts, phase_for
from jointcase.seed.steps.register.seeder import Batch, NewCase, RegisterSeeder
from jointcase.seed.steps.register.vocabulary import ONWARD_PLAN, at, days


def open_case(seeder: RegisterSeeder, batch: Batch, new: NewCase) -> None:
    """Reserve the case row (written last, once its phase is known) and time-line it."""
    plan, opened, lead_agency = new.plan, new.opened, new.lead_agency
    new.case = seeder.tables[Case].reserve()
    new.values = dict(
        person_id=new.person,
        reference=f"JC-{plan.index + 1:06d}",
        cohort=plan.cohort,
        ideology=plan.ideology,
        lead_agency=lead_agency,
        opened_at=opened,
        created_by_id=new.lead_user,
        created_at=at(opened),
        updated_at=at(seeder.today),
        phase=Phase.CUSTODY,
        phase_changed_at=at(seeder.today),
    )
    seeder.timeline(
        batch,
        new.case,
        opened,
        TimelineKind.CASE,
        "Case opened",
        lead_agency,
        f"{Cohort(plan.cohort).label}; lead agency {lead_agency.name}",
        new.lead_user,
    )


def add_mappa(seeder: RegisterSeeder, batch: Batch, new: NewCase) -> None:
    """MAPPA history: one to three registrations, the last one current."""
    rng, today = seeder.rng, seeder.today
    category = (
        "M4"
        if new.plan.cohort in (Cohort.TACT, Cohort.TACT_CONNECTED, Cohort.TERRORIST_RISK)
        else rng.choice(["M2", "M3"])
    )
    start = new.opened
    registrations = rng.randint(1, 3)
    for number in range(registrations):
        level = rng.choice([1, 2, 2, 3]) if number < registrations - 1 else rng.choice([2, 3, 3])
        end: dt.date | None = start + days(rng.randint(120, 500))
        if number == registrations - 1 or end is None or end >= today:
            end = None
        closing = end is None and new.plan.target == Phase.CLOSED
        if closing:
            # A closed case's MAPPA management ended with its licence: no review ahead.
            end = max(start, min(today, new.plan.licence_end))
        review = today + days(rng.randint(10, 180)) if end is None else end
        batch.case_rows.append(
            seeder.add(MappaRegistration)(
                case_id=new.case,
                category=category,
                level=level,
                review_date=review,
                valid_from=start,
                valid_to=end,
            )
        )
        seeder.timeline(
            batch,
            new.case,
            start,
            TimelineKind.MAPPA,
            f"MAPPA category {category[1]} level {level}",
            new.lead_agency,
        )
        if end is None or closing:
            break
        start = end + days(1)


def add_exit(seeder: RegisterSeeder, batch: Batch, new: NewCase) -> None:
    """A handover or exit from NSD after licence, and the case's closure."""
    rng, today, pools, plan = seeder.rng, seeder.today, seeder.pools, new.plan
    target, licence_end = plan.target, plan.licence_end
    if (
        target in (Phase.POST_LICENCE, Phase.CLOSED)
        and not plan.persona_case
        and rng.random() < 0.7
    ):
        handover = rng.choice(pools.ctus + pools.regions)
        day = min(today, licence_end + days(rng.randint(0, 20)))
        kind = ExitKind.HANDOVER if handover.kind == AgencyKind.POLICE else ExitKind.EXIT
        batch.later_rows.append(
            seeder.add(NsdExit)(
                case_id=new.case,
                kind=kind,
                exited_on=day,
                to_agency_id=handover.pk,
                recorded_by_id=new.lead_user,
                created_at=at(day),
                onward_plan=ONWARD_PLAN,
            )
        )
        seeder.timeline(
            batch,
            new.case,
            day,
            TimelineKind.EXIT,
            f"Handover to {handover.name}",
            new.lead_agency,
        )
        new.values["lead_agency"] = handover
        new.handover = handover
    if target == Phase.CLOSED:
        closed_at = max(new.opened, min(today, licence_end + days(rng.randint(30, 400))))
        new.values["closed_at"] = closed_at
        new.closed_at = closed_at
        seeder.timeline(
            batch,
            new.case,
            closed_at,
            TimelineKind.CASE,
            "Case closed",
            new.values["lead_agency"],
        )


def case_phase(seeder: RegisterSeeder, batch: Batch, new: NewCase) -> None:
    """The case row itself, in the phase its facts give."""
    plan, today = new.plan, seeder.today
    no_sentence = plan.no_sentence
    in_custody = plan.target in (Phase.CUSTODY, Phase.PRE_RELEASE, Phase.RECALLED)
    facts = CaseFacts(
        closed_at=new.closed_at,
        sentence_type=None if no_sentence else plan.stype,
        expected_release=None if no_sentence else plan.release,
        released_on=None if no_sentence else plan.released,
        licence_ends=None if no_sentence else plan.licence_end,
        recalled_on=new.recall_day if not no_sentence else None,
        in_custody_placement=in_custody and not no_sentence,
    )
    new.values["phase"] = phase_for(facts, today)
    seeder.tables[Case](id=new.case, **new.values)
    seeder.timeline(
        batch,
        new.case,
        today - days(seeder.rng.randint(0, 20)),
        TimelineKind.PHASE,
        f"Phase: {Phase(new.values['phase']).label}",
        new.lead_agency,
    )
