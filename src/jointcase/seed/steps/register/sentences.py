"""The sentence, the notification requirement (CTA 2008 Part 4) and the licence with its
conditions.
"""

from __future__ import annotations

from typing import Any

from jointcase.cases.dates import add_years, notification_schedule
from jointcase.cases.models import (
    NOTIFIABLE_COHORTS,
    Licence,
    LicenceCondition,
    NotificationRequirement,
    Sentence,
    SentenceType,
    TimelineKind,
)
from jointcase.seed.steps.register.seeder import Batch, NewCase, RegisterSeeder
from jointcase.seed.steps.register.vocabulary import OTHER_OFFENCES, TERRORISM_OFFENCES, at, days


def add_sentence(seeder: RegisterSeeder, batch: Batch, new: NewCase) -> int:
    rng, plan = seeder.rng, new.plan
    stype, release = plan.stype, plan.release
    notifiable = plan.cohort in NOTIFIABLE_COHORTS
    sentence = seeder.add(Sentence)(
        case_id=new.case,
        type=stype,
        offence=rng.choice(TERRORISM_OFFENCES if notifiable else OTHER_OFFENCES),
        conviction_date=plan.conviction_date,
        sentence_date=plan.sentence_date,
        length_days=plan.length,
        extended_licence_days=plan.extended,
        remand_days=plan.remand,
        crd=release if stype in (SentenceType.SDS, SentenceType.SDS_PLUS) else None,
        ped=release if stype in (SentenceType.EDS, SentenceType.SOPC) else None,
        ard=release if stype == SentenceType.SERIOUS_TERRORISM else None,
        led=plan.licence_end,
        sed=plan.total_end,
        tused=plan.licence_end + days(365)
        if stype == SentenceType.SDS and plan.length < 730
        else None,
        prrd=None,
        released_on=plan.released,
        created_at=at(min(plan.sentence_date, seeder.today)),
    )
    batch.case_rows.append(sentence)
    seeder.timeline(
        batch,
        new.case,
        plan.sentence_date,
        TimelineKind.SENTENCE,
        f"Sentenced: {SentenceType(stype).label}",
        new.lead_agency,
        seeder.tables[Sentence].last("offence"),
    )
    return sentence


def add_notification_requirement(
    seeder: RegisterSeeder, batch: Batch, new: NewCase, sentence: int
) -> Any:
    """The notification requirement (CTA 2008 Part 4) and its annual notifications so far."""
    rng, today, plan = seeder.rng, seeder.today, new.plan
    released = plan.released
    dates: dict[str, Any] = dict(
        date_of_birth=new.born,
        conviction_date=plan.conviction_date,
        sentence_date=plan.sentence_date,
        length_days=plan.length + plan.extended,
        released_on=released,
    )
    schedule = notification_schedule(notifiable_cohort=plan.cohort in NOTIFIABLE_COHORTS, **dates)
    last_notified = None
    if schedule.applies and released is not None:
        last_notified = released + days(rng.randint(0, 3))
        while True:
            following = add_years(last_notified, 1) - days(rng.randint(0, 10))
            if following > today:
                break
            last_notified = following
        schedule = notification_schedule(
            notifiable_cohort=True, last_notified_on=last_notified, **dates
        )
    batch.requirements.append(
        seeder.add(NotificationRequirement)(
            case_id=new.case,
            sentence_id=sentence,
            applies=schedule.applies,
            reason=schedule.reason[:300],
            period_years=schedule.period_years,
            starts_on=schedule.starts_on,
            ends_on=schedule.ends_on,
            initial_due_on=schedule.initial_due_on,
            initial_notified_on=released + days(rng.randint(0, 3))
            if last_notified and released
            else None,
            last_notified_on=last_notified,
            next_annual_due_on=schedule.next_annual_due_on,
        )
    )
    return schedule


def add_licence(
    seeder: RegisterSeeder, batch: Batch, new: NewCase, sentence: int, schedule: Any
) -> None:
    """Release on licence: the licence, its conditions and the initial notification."""
    rng, plan, case = seeder.rng, new.plan, new.case
    released, licence_end = plan.released, plan.licence_end
    assert released is not None
    prisons_used = new.prisons_used
    seeder.timeline(
        batch,
        case,
        released,
        TimelineKind.SENTENCE,
        "Released from custody on licence",
        prisons_used[0][0] if prisons_used else None,
    )
    licence = seeder.add(Licence)(
        case_id=case, sentence_id=sentence, starts_on=released, expires_on=licence_end
    )
    batch.licences.append(licence)
    seeder.timeline(
        batch,
        case,
        released,
        TimelineKind.LICENCE,
        "Licence issued",
        new.lead_agency,
        f"{released:%d %B %Y} to {licence_end:%d %B %Y}",
    )
    chosen = [seeder.conditions[0], *rng.sample(seeder.conditions[1:], rng.randint(2, 6))]
    for spec in chosen:
        batch.conditions.append(
            seeder.add(LicenceCondition)(
                licence_id=licence,
                code=spec.code,
                parameters=condition_parameters(seeder, spec, plan.index),
                review_frequency=spec.review_frequency,
                added_on=released,
            )
        )
    if schedule.applies:
        seeder.timeline(
            batch,
            case,
            released + days(2),
            TimelineKind.NOTIFICATION,
            "Initial notification made",
            rng.choice(seeder.pools.ctus),
        )


def condition_parameters(seeder: RegisterSeeder, spec: Any, index: int) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for parameter in spec.parameters:
        if not parameter.required and seeder.rng.random() < 0.5:
            continue
        if parameter.type == "time":
            values[parameter.name] = "19:00" if parameter.name == "from_time" else "07:00"
        elif parameter.type == "boolean":
            values[parameter.name] = seeder.rng.random() < 0.5
        elif parameter.type == "choice":
            values[parameter.name] = seeder.rng.choice(parameter.choices)
        elif parameter.type == "date":
            values[parameter.name] = (seeder.today + days(seeder.rng.randint(30, 400))).isoformat()
        elif parameter.type == "integer":
            values[parameter.name] = seeder.rng.randint(1, 10)
        elif parameter.name == "phone_number":
            values[parameter.name] = seeder.rng.choice(seeder.pools.phones)
        else:
            values[parameter.name] = seeder.rng.choice(
                [
                    "As shown on the attached map",
                    "Town centre",
                    "Named individuals in the restricted annex",
                    "Mondays and Thursdays, 10:00",
                    "Central mosque (approved)",
                ]
            )
    return values
