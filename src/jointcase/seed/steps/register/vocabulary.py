"""The register's mixes (phases, cohorts, ideologies), nicknames, offences and the small
date helpers every register step shares.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from jointcase.cases.models import Cohort, Ideology, Phase

PHASE_CYCLE = (
    Phase.CUSTODY,
    Phase.PRE_RELEASE,
    Phase.LICENCE,
    Phase.POST_LICENCE,
    Phase.RECALLED,
    Phase.CLOSED,
)


PHASE_MIX = (
    (Phase.CUSTODY, 35),
    (Phase.PRE_RELEASE, 8),
    (Phase.LICENCE, 25),
    (Phase.POST_LICENCE, 17),
    (Phase.RECALLED, 5),
    (Phase.CLOSED, 10),
)


COHORT_MIX = (
    (Cohort.TACT, 50),
    (Cohort.TACT_CONNECTED, 20),
    (Cohort.TERRORIST_RISK, 20),
    (Cohort.CPPC, 5),
    (Cohort.SOC, 5),
)


IDEOLOGY_MIX = (
    (Ideology.ISLAMIST, 55),
    (Ideology.EXTREME_RIGHT_WING, 25),
    (Ideology.LASIT, 5),
    (Ideology.MIXED_UNCLEAR, 12),
    (Ideology.OTHER, 3),
)


NICKNAMES = {
    "William": "Bill",
    "Robert": "Bob",
    "James": "Jim",
    "Michael": "Mick",
    "Thomas": "Tom",
    "Daniel": "Danny",
    "Richard": "Rick",
    "Joseph": "Joe",
    "Christopher": "Chris",
    "Matthew": "Matt",
    "Anthony": "Tony",
    "Edward": "Ted",
    "Elizabeth": "Liz",
    "Margaret": "Peggy",
    "Katherine": "Kate",
    "Jennifer": "Jenny",
    "Samuel": "Sam",
    "Benjamin": "Ben",
    "Alexander": "Alex",
    "Jonathan": "Jon",
    "Nicholas": "Nick",
    "Stephen": "Steve",
    "Andrew": "Andy",
    "David": "Dave",
    "Peter": "Pete",
    "Rebecca": "Becky",
    "Susan": "Sue",
    "Patricia": "Pat",
    "Victoria": "Vicky",
    "Charlotte": "Lottie",
    "Jessica": "Jess",
    "Harry": "Hal",
    "Henry": "Harry",
    "Frederick": "Fred",
    "Timothy": "Tim",
    "Gregory": "Greg",
    "Lawrence": "Larry",
    "Kenneth": "Ken",
    "Raymond": "Ray",
    "Terence": "Terry",
    "Leonard": "Len",
    "Ronald": "Ron",
    "Donald": "Don",
    "Gerald": "Gerry",
    "Abigail": "Abby",
    "Deborah": "Debbie",
    "Kimberley": "Kim",
    "Natalie": "Nat",
}


PERSONA_LEAD_CASES = range(10)


PERSONA_CTNM_CASES = range(6)


#: Offences drawn for the notifiable (terrorism) cohorts and for the others.
TERRORISM_OFFENCES = (
    "Preparation of terrorist acts (s.5 TA 2006)",
    "Dissemination of terrorist publications (s.2 TA 2006)",
    "Collection of information useful to a terrorist (s.58 TA 2000)",
    "Membership of a proscribed organisation (s.11 TA 2000)",
    "Encouragement of terrorism (s.1 TA 2006)",
    "Possession of an offensive weapon (terrorist connection)",
)


OTHER_OFFENCES = (
    "Conspiracy to supply controlled drugs",
    "Wounding with intent",
    "Firearms possession with intent",
    "Making threats to kill",
)


RECALL_REASONS = (
    "Breach of licence: unapproved contact",
    "Non-compliance with curfew",
    "Possession of an unapproved device",
    "Escalating risk",
)


ONWARD_PLAN = (
    "Continue management of notification requirements; quarterly review "
    "with the CTNM team; share any change of address within 3 days."
)


def weighted(rng: Any, mix: tuple[tuple[str, int], ...]) -> str:
    return str(rng.choices([value for value, _ in mix], weights=[w for _, w in mix])[0])


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC)
