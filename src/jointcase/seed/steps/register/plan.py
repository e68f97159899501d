"""The plan a case is built around: dates first (release, licence end), then the sentence
that produces them.
"""

from __future__ import annotations

import datetime as dt

from jointcase.cases.models import NOTIFIABLE_COHORTS, Cohort, Phase, SentenceType
from jointcase.seed.steps.register.seeder import CasePlan, RegisterSeeder
from jointcase.seed.steps.register.vocabulary import (
    COHORT_MIX,
    IDEOLOGY_MIX,
    PERSONA_LEAD_CASES,
    PHASE_CYCLE,
    PHASE_MIX,
    days,
    weighted,
)


def target_phase(seeder: RegisterSeeder, index: int) -> str:
    if index < 60:
        return PHASE_CYCLE[index % 6]
    return weighted(seeder.rng, PHASE_MIX)


def case_plan(seeder: RegisterSeeder, index: int) -> CasePlan:
    """Dates first (release R, licence end L), then the sentence that produces them."""
    rng, today = seeder.rng, seeder.today
    target = target_phase(seeder, index)
    persona_case = index in PERSONA_LEAD_CASES
    cohort = Cohort.TACT if persona_case and index < 4 else weighted(rng, COHORT_MIX)
    ideology = weighted(rng, IDEOLOGY_MIX)
    sentenced_by: dict[str, tuple[dt.date | None, dt.date | None]] = {
        Phase.CUSTODY: (None, today + days(rng.randint(200, 3000))),
        Phase.PRE_RELEASE: (None, today + days(rng.randint(5, 170))),
        Phase.LICENCE: (today - days(rng.randint(30, 900)), None),
        Phase.RECALLED: (today - days(rng.randint(120, 900)), None),
        Phase.POST_LICENCE: (today - days(rng.randint(1500, 4000)), None),
        Phase.CLOSED: (today - days(rng.randint(1500, 4000)), None),
    }
    released, expected = sentenced_by[target]
    release = released or expected
    assert release is not None
    licence_end = licence_end_draw(seeder, target, release)
    custody_days = rng.randint(300, 3200)
    sentence_date = release - days(custody_days)
    conviction_date = sentence_date - days(rng.randint(0, 120))
    remand = rng.randint(0, 300)
    no_sentence = (
        cohort == Cohort.TERRORIST_RISK and target == Phase.POST_LICENCE and rng.random() < 0.3
    )
    stype, length = sentence_type(seeder, cohort, custody_days + remand)
    return CasePlan(
        index=index,
        target=target,
        persona_case=persona_case,
        cohort=cohort,
        ideology=ideology,
        released=released,
        release=release,
        licence_end=licence_end,
        sentence_date=sentence_date,
        conviction_date=conviction_date,
        remand=remand,
        no_sentence=no_sentence,
        stype=stype,
        length=length,
        extended=max(0, (licence_end - sentence_date).days - length),
        total_end=max(licence_end, sentence_date + days(length)),
    )


def licence_end_draw(seeder: RegisterSeeder, target: str, release: dt.date) -> dt.date:
    rng, today = seeder.rng, seeder.today
    if target in (Phase.LICENCE, Phase.RECALLED):
        return today + days(rng.randint(60, 2500))
    if target in (Phase.POST_LICENCE, Phase.CLOSED):
        licence_end = min(
            release + days(rng.randint(300, 1500)), today - days(rng.randint(30, 400))
        )
        return max(licence_end, release + days(30))
    return release + days(rng.randint(365, 2500))


def sentence_type(seeder: RegisterSeeder, cohort: str, served: int) -> tuple[str, int]:
    """The sentence type and length (days) for ``served`` days in custody and on remand."""
    rng = seeder.rng
    stype = SentenceType.SDS
    if cohort in NOTIFIABLE_COHORTS:
        stype = rng.choice(
            [
                SentenceType.SDS,
                SentenceType.SOPC,
                SentenceType.EDS,
                SentenceType.EDS,
                SentenceType.SDS_PLUS,
            ]
        )
    elif cohort == Cohort.SOC:
        stype = rng.choice([SentenceType.SDS, SentenceType.SDS_PLUS])
    length = 2 * served if stype == SentenceType.SDS else served * 3 // 2
    if cohort == Cohort.TACT and length >= 14 * 365 and rng.random() < 0.5:
        stype = SentenceType.SERIOUS_TERRORISM
    return stype, length
