"""The nominal register of the synthetic world: persons and their cases with full histories.

Deterministic for a given seed: all randomness comes from ``context.rng`` and name pools drawn
from the seeded Faker. Identifiers have real formats (CRN X123456, prison number A1234BC,
PNC ID with a real check letter) but are generated from the case number through bijections,
so they are unique without lookups. Rows are written with ``bulk_create`` in batches so that
the stress world (100,000 cases) builds in minutes.

Every phase appears: the first 60 cases cycle through the six phases; the rest follow a
realistic mix. The demo personas are placed as the issue describes (see ``_persona_plan``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max

from jointcase.accounts.models import Role, RoleAssignment, User
from jointcase.agencies.models import Agency, AgencyKind, Team, TeamMembership
from jointcase.cases.conditions import catalogue
from jointcase.cases.dates import add_years, notification_schedule
from jointcase.cases.models import (
    NOTIFIABLE_COHORTS,
    Case,
    CaseExclusion,
    CaseRole,
    CaseTeamMember,
    Cohort,
    CustodyPlacement,
    ExitKind,
    Ideology,
    Licence,
    LicenceCondition,
    MappaRegistration,
    NotificationRequirement,
    NsdExit,
    Phase,
    Recall,
    RecallType,
    SecurityCategory,
    Sentence,
    SentenceType,
    TimelineEvent,
    TimelineKind,
)
from jointcase.cases.phases import CaseFacts, phase_for
from jointcase.people.models import (
    Address,
    AddressKind,
    ContactDetail,
    ContactKind,
    DocumentKind,
    Gender,
    Identifier,
    IdentifierType,
    IdentityDocument,
    NameKind,
    Person,
    PersonName,
    PersonNameKey,
    Vehicle,
)
from jointcase.people.search import name_keys as person_name_keys
from jointcase.people.services import display_name_for
from jointcase.people.validators import name_normalise, pnc_id_make, postcode_clean

if TYPE_CHECKING:
    from jointcase.seed.context import SeedContext

BATCH = 2000
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


def _weighted(rng: Any, mix: tuple[tuple[str, int], ...]) -> str:
    return str(rng.choices([value for value, _ in mix], weights=[w for _, w in mix])[0])


def _days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC)


def _bijection(index: int, size: int, multiplier: int, offset: int) -> int:
    """A permutation of range(size) (``multiplier`` coprime with ``size``): unique values."""
    return (index * multiplier + offset) % size


def crn_for(index: int) -> str:
    value = _bijection(index, 26 * 1_000_000, 7_368_787, 104_729)
    return f"{chr(65 + value // 1_000_000)}{value % 1_000_000:06d}"


def prison_number_for(index: int) -> str:
    value = _bijection(index, 26 * 10_000 * 676, 9_999_991, 31_337)
    first, rest = divmod(value, 10_000 * 676)
    digits, letters = divmod(rest, 676)
    return f"{chr(65 + first)}{digits:04d}{chr(65 + letters // 26)}{chr(65 + letters % 26)}"


def pnc_for(index: int, year: int) -> str:
    return pnc_id_make(year, _bijection(index, 10_000_000, 7_654_321, 2_718_281))


def misspell(word: str, rng: Any) -> str:
    """A plausible typing or transcription error: doubled, dropped or swapped letters."""
    if len(word) < 4:
        return word + word[-1]
    position = rng.randint(1, len(word) - 2)
    kind = rng.randint(0, 3)
    if kind == 0:
        return word[:position] + word[position] + word[position:]
    if kind == 1:
        return word[:position] + word[position + 1 :]
    if kind == 2:
        return word[:position] + word[position + 1] + word[position] + word[position + 2 :]
    vowels = "aeiou"
    if word[position] in vowels:
        return (
            word[:position]
            + rng.choice([v for v in vowels if v != word[position]])
            + word[position + 1 :]
        )
    return word[:position] + word[position] + word[position:]


@dataclass
class Pools:
    """Name, place and staff pools, drawn once (fast, deterministic)."""

    male: list[str]
    female: list[str]
    family: list[str]
    streets: list[str]
    towns: list[str]
    postcodes: list[str]
    phones: list[str]
    makes: list[tuple[str, str]]
    colours: list[str]
    countries: list[str]
    #: agency id -> role -> [user ids] (personas excluded).
    staff: dict[int, dict[str, list[int]]]
    #: agency id -> [team ids]
    teams: dict[int, list[int]]
    nsd: list[Agency]
    ctus: list[Agency]
    prisons: list[Agency]
    regions: list[Agency]
    key_cache: dict[tuple[str, str], list[str]] = field(default_factory=dict)


def _pools(context: SeedContext) -> Pools:
    faker = context.faker
    size = 400 if context.scale.cases <= 100 else 1500
    postcodes: list[str] = []
    while len(postcodes) < size:
        with contextlib.suppress(ValidationError):  # Faker's rare odd postcode: draw another
            postcodes.append(postcode_clean(faker.postcode()))
    agencies: dict[str, Agency] = context.registry["agencies"]
    persona_ids = {user.pk for user in context.registry["personas"].values()}
    staff: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for user_id, agency_id, role in (
        RoleAssignment.objects.filter(user__is_active=True)
        .order_by("user_id", "role")
        .values_list("user_id", "user__agency_id", "role")
    ):
        if user_id not in persona_ids and agency_id is not None:
            staff[agency_id][role].append(user_id)
    teams: dict[int, list[int]] = defaultdict(list)
    for team_id, agency_id in Team.objects.order_by("pk").values_list("pk", "agency_id"):
        teams[agency_id].append(team_id)
    ordered = sorted(agencies.values(), key=lambda agency: agency.code)
    return Pools(
        male=[faker.first_name_male() for _ in range(size)] + list(NICKNAMES)[:30],
        female=[faker.first_name_female() for _ in range(size // 2)],
        family=[faker.last_name() for _ in range(size)],
        streets=[faker.street_address() for _ in range(size)],
        towns=[faker.city() for _ in range(size // 4)],
        postcodes=postcodes,
        phones=[f"07700 9{n:05d}" for n in range(0, 100_000, 997)],
        makes=[
            ("Ford", "Focus"),
            ("Vauxhall", "Corsa"),
            ("Volkswagen", "Golf"),
            ("Toyota", "Yaris"),
            ("BMW", "3 Series"),
            ("Nissan", "Qashqai"),
            ("Peugeot", "208"),
            ("Kia", "Sportage"),
        ],
        colours=["Black", "White", "Silver", "Grey", "Blue", "Red", "Green"],
        countries=["United Kingdom"] * 8 + ["Pakistan", "Somalia", "Ireland", "Poland", "Iraq"],
        staff=staff,
        teams=teams,
        nsd=[a for a in ordered if a.code.startswith("nsd-")],
        ctus=[a for a in ordered if a.code.startswith("ctu-")],
        prisons=[a for a in ordered if a.kind == AgencyKind.PRISON and a.code.startswith("hmp-")],
        regions=[a for a in ordered if a.code.startswith("probation-")],
    )


class Table:
    """Rows of one model, inserted with one ``executemany`` per flush.

    Primary keys are allocated here (the seed fills an empty world), so children can refer to
    parents without a round trip; ``flush`` converts dates for SQLite and JSON for both. This
    is what makes the stress world take minutes: no model instances, no per-value field
    preparation. PostgreSQL sequences are reset afterwards (``sequences_reset``).
    """

    def __init__(self, model: type[Any]) -> None:
        # Generated columns (``GeneratedField``) are the database's to compute, never inserted.
        fields = [f for f in model._meta.concrete_fields if not getattr(f, "generated", False)]
        self.model = model
        self.attnames = [f.attname for f in fields]
        self.index = {name: position for position, name in enumerate(self.attnames)}
        self.template = [None if f.primary_key else f.get_default() for f in fields]
        #: Unique columns with a callable default (a public id's ``uuid4``): a fresh value per
        #: row, never the template's one shared by every row.
        self.fresh = [
            (i, f.default)
            for i, f in enumerate(fields)
            if f.unique and not f.primary_key and callable(f.default)
        ]
        kinds = [f.get_internal_type() for f in fields]
        #: UUID columns (own or referenced): SQLite stores them as 32 hex digits.
        self.uuids = [
            i
            for i, f in enumerate(fields)
            if "UUIDField"
            in (kinds[i], f.target_field.get_internal_type() if f.is_relation else "")
        ]
        self.dates = [i for i, kind in enumerate(kinds) if kind == "DateField"]
        self.datetimes = [i for i, kind in enumerate(kinds) if kind == "DateTimeField"]
        self.json = [i for i, kind in enumerate(kinds) if kind == "JSONField"]
        quote = connection.ops.quote_name
        self.sql = (
            f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608 - names from the models
            f"({', '.join(quote(f.column) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))})"
        )
        self.copy_sql = (
            f"COPY {quote(model._meta.db_table)} "
            f"({', '.join(quote(f.column) for f in fields)}) FROM STDIN"
        )
        self.rows: list[list[Any]] = []
        #: Integer keys are allocated here; other keys (UUIDs) are given with each row.
        self.next_id = (
            (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
            if model._meta.pk.get_internal_type() in ("AutoField", "BigAutoField")
            else 0
        )

    def reserve(self) -> int:
        pk = self.next_id
        self.next_id += 1
        return pk

    def __call__(self, **values: Any) -> int:
        row = list(self.template)
        for column, default in self.fresh:
            row[column] = default()
        pk = values.pop("id", None) or self.reserve()
        row[0] = pk
        index = self.index
        for name, value in values.items():
            position = index.get(name)
            if position is None:  # a relation given as an instance: store its key
                position = index[f"{name}_id"]
                value = None if value is None else value.pk
            row[position] = value
        self.rows.append(row)
        return int(pk)

    def last(self, name: str) -> Any:
        return self.rows[-1][self.index[name]]

    def flush(self, cursor: Any) -> None:
        if not self.rows:
            return
        vendor = connection.vendor
        for row in self.rows:
            for i in self.json:
                row[i] = json.dumps(row[i])
            if vendor == "sqlite":
                for i in self.uuids:
                    if row[i] is not None:
                        row[i] = row[i].hex
                for i in self.dates:
                    if row[i] is not None:
                        row[i] = row[i].isoformat()
                for i in self.datetimes:
                    if row[i] is not None:
                        row[i] = row[i].astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
        if vendor == "postgresql":
            # COPY is several times faster than INSERT for bulk loads on PostgreSQL.
            with cursor.cursor.copy(self.copy_sql) as copy:
                for row in self.rows:
                    copy.write_row(row)
        else:
            cursor.executemany(self.sql, self.rows)
        self.rows = []


@dataclass
class Batch:
    """Ids of what one batch made (kept for readability; rows live in the tables)."""

    persons: list[int] = field(default_factory=list)
    names: list[int] = field(default_factory=list)
    person_rows: list[int] = field(default_factory=list)
    cases: list[int] = field(default_factory=list)
    case_rows: list[int] = field(default_factory=list)
    licences: list[int] = field(default_factory=list)
    conditions: list[int] = field(default_factory=list)
    requirements: list[int] = field(default_factory=list)
    later_rows: list[int] = field(default_factory=list)


#: Insertion order (parents first, although constraints are only checked at commit).
TABLE_MODELS: tuple[type[Any], ...] = (
    Person,
    PersonName,
    PersonNameKey,
    Identifier,
    Address,
    ContactDetail,
    Vehicle,
    IdentityDocument,
    Case,
    MappaRegistration,
    CustodyPlacement,
    Sentence,
    Licence,
    LicenceCondition,
    NotificationRequirement,
    Recall,
    NsdExit,
    CaseTeamMember,
    CaseExclusion,
    TimelineEvent,
)


@dataclass(frozen=True)
class CasePlan:
    """The dates and sentence one generated case is built around (drawn before anything else)."""

    index: int
    target: str
    persona_case: bool
    cohort: str
    ideology: str
    released: dt.date | None
    release: dt.date
    licence_end: dt.date
    sentence_date: dt.date
    conviction_date: dt.date
    remand: int
    no_sentence: bool
    stype: str
    length: int
    extended: int
    total_end: dt.date


@dataclass
class NewCase:
    """One generated person and case as ``RegisterSeeder.add_case`` builds them, step by step."""

    plan: CasePlan
    person: int
    given: str
    family: str
    born: dt.date
    lead_agency: Agency
    lead_user: int | None
    opened: dt.date
    case: int = 0
    values: dict[str, Any] = field(default_factory=dict)
    prisons_used: list[tuple[Agency, dt.date, dt.date | None]] = field(default_factory=list)
    recall_day: dt.date | None = None
    handover: Agency | None = None
    closed_at: dt.date | None = None


class RegisterSeeder:
    def __init__(self, context: SeedContext) -> None:
        self.context = context
        self.rng = context.rng
        self.today = context.today
        self.pools = _pools(context)
        self.personas: dict[str, User] = context.registry["personas"]
        self.agencies: dict[str, Agency] = context.registry["agencies"]
        self.frankland = self.agencies["hmp-frankland"]
        self.nsd_north = self.agencies["nsd-north"]
        self.conditions = list(catalogue().values())
        self.tables: dict[type[Any], Table] = {model: Table(model) for model in TABLE_MODELS}
        self.persona_teams = {
            username: TeamMembership.objects.filter(user=user)
            .values_list("team_id", flat=True)
            .first()
            for username, user in self.personas.items()
        }

    # --- helpers ---------------------------------------------------------------------------

    def add(self, model: type[Any]) -> Table:
        return self.tables[model]

    def name_keys(self, person_id: int, name_id: int, given: str, family: str) -> None:
        cache = self.pools.key_cache
        found = cache.get((given, family))
        if found is None:
            found = sorted({key[:120] for key in person_name_keys(given, family) if key})
            if len(cache) < 200_000:
                cache[(given, family)] = found
        table = self.tables[PersonNameKey]
        for key in found:
            table(person_id=person_id, name_id=name_id, key=key)

    def pick_staff(self, agency: Agency, role: str) -> int | None:
        users = self.pools.staff.get(agency.pk, {}).get(role)
        return self.rng.choice(users) if users else None

    def timeline(
        self,
        batch: Batch,
        case: int,
        day: dt.date,
        kind: str,
        title: str,
        agency: Agency | None = None,
        description: str = "",
        actor_id: int | None = None,
    ) -> None:
        if day > self.today:
            return
        batch.later_rows.append(
            self.add(TimelineEvent)(
                case_id=case,
                occurred_at=_at(day, 9 + self.rng.randint(0, 8)),
                kind=kind,
                title=title[:200],
                agency=agency,
                description=description,
                actor_id=actor_id,
                created_at=_at(day, 18),
            )
        )

    def member(
        self,
        batch: Batch,
        case: int,
        role: str,
        agency: Agency,
        start: dt.date,
        end: dt.date | None = None,
        user_id: int | None = None,
        team_id: int | None = None,
        label: str = "",
    ) -> None:
        if user_id is None and team_id is None:
            return
        if end is not None and end < start:
            end = start
        batch.later_rows.append(
            self.add(CaseTeamMember)(
                case_id=case,
                user_id=user_id,
                team_id=team_id,
                role=role,
                agency=agency,
                start=start,
                end=end,
                created_at=_at(min(start, self.today)),
            )
        )
        self.timeline(
            batch,
            case,
            start,
            TimelineKind.TEAM,
            f"{label or CaseRole(role).label} joined the case team",
            agency,
        )

    # --- one person and case ---------------------------------------------------------------

    def target_phase(self, index: int) -> str:
        if index < 60:
            return PHASE_CYCLE[index % 6]
        return _weighted(self.rng, PHASE_MIX)

    def add_case(self, batch: Batch, index: int) -> None:
        """One person and their case with its whole history, in the order the rng is drawn."""
        plan = self.case_plan(index)
        new = self.add_person(batch, plan)
        self.add_identifiers(batch, new)
        self.add_addresses(batch, new)
        self.add_contacts(batch, new)
        self.open_case(batch, new)
        self.add_mappa(batch, new)
        if not plan.no_sentence:
            self.add_custody(batch, new)
            sentence = self.add_sentence(batch, new)
            schedule = self.add_notification_requirement(batch, new, sentence)
            if plan.released is not None:
                self.add_licence(batch, new, sentence, schedule)
            if new.recall_day is not None:
                self.add_recall(batch, new)
        self.add_exit(batch, new)
        self.case_phase(batch, new)
        self.case_team(batch, new)

    def case_plan(self, index: int) -> CasePlan:
        """Dates first (release R, licence end L), then the sentence that produces them."""
        rng, today = self.rng, self.today
        target = self.target_phase(index)
        persona_case = index in PERSONA_LEAD_CASES
        cohort = Cohort.TACT if persona_case and index < 4 else _weighted(rng, COHORT_MIX)
        ideology = _weighted(rng, IDEOLOGY_MIX)
        sentenced_by: dict[str, tuple[dt.date | None, dt.date | None]] = {
            Phase.CUSTODY: (None, today + _days(rng.randint(200, 3000))),
            Phase.PRE_RELEASE: (None, today + _days(rng.randint(5, 170))),
            Phase.LICENCE: (today - _days(rng.randint(30, 900)), None),
            Phase.RECALLED: (today - _days(rng.randint(120, 900)), None),
            Phase.POST_LICENCE: (today - _days(rng.randint(1500, 4000)), None),
            Phase.CLOSED: (today - _days(rng.randint(1500, 4000)), None),
        }
        released, expected = sentenced_by[target]
        release = released or expected
        assert release is not None
        licence_end = self.licence_end(target, release)
        custody_days = rng.randint(300, 3200)
        sentence_date = release - _days(custody_days)
        conviction_date = sentence_date - _days(rng.randint(0, 120))
        remand = rng.randint(0, 300)
        no_sentence = (
            cohort == Cohort.TERRORIST_RISK and target == Phase.POST_LICENCE and rng.random() < 0.3
        )
        stype, length = self.sentence_type(cohort, custody_days + remand)
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
            total_end=max(licence_end, sentence_date + _days(length)),
        )

    def licence_end(self, target: str, release: dt.date) -> dt.date:
        rng, today = self.rng, self.today
        if target in (Phase.LICENCE, Phase.RECALLED):
            return today + _days(rng.randint(60, 2500))
        if target in (Phase.POST_LICENCE, Phase.CLOSED):
            licence_end = min(
                release + _days(rng.randint(300, 1500)), today - _days(rng.randint(30, 400))
            )
            return max(licence_end, release + _days(30))
        return release + _days(rng.randint(365, 2500))

    def sentence_type(self, cohort: str, served: int) -> tuple[str, int]:
        """The sentence type and length (days) for ``served`` days in custody and on remand."""
        rng = self.rng
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

    def add_person(self, batch: Batch, plan: CasePlan) -> NewCase:
        """The person, their lead agency and practitioner, and the day the case opens."""
        rng, today, pools = self.rng, self.today, self.pools
        index, persona_case = plan.index, plan.persona_case
        gender = Gender.MALE if rng.random() < 0.92 else Gender.FEMALE
        given = rng.choice(pools.male if gender == Gender.MALE else pools.female)
        middle = (
            rng.choice(pools.male if gender == Gender.MALE else pools.female)
            if rng.random() < 0.4
            else ""
        )
        family = rng.choice(pools.family)
        if persona_case and index == 0:
            given, middle, family = "Daniel", "", "Holloway"
        age_at_conviction = rng.randint(17, 55) if rng.random() < 0.97 else 16
        born = plan.conviction_date - _days(age_at_conviction * 365 + rng.randint(1, 360))
        lead_agency = self.nsd_north if persona_case else rng.choice(pools.nsd)
        lead_user = (
            self.personas["nsd.practitioner"].pk
            if persona_case
            else self.pick_staff(lead_agency, Role.NSD_PRACTITIONER)
        )
        opened = min(today, min(plan.sentence_date, plan.release) - _days(rng.randint(0, 90)))
        person = self.add(Person)(
            date_of_birth=born,
            gender=gender,
            nationality=rng.choice(pools.countries),
            display_name=display_name_for(" ".join(filter(None, [given, middle])), family),
            created_by_id=lead_user,
            created_at=_at(opened),
            updated_at=_at(opened),
        )
        batch.persons.append(person)
        new = NewCase(plan, person, given, family, born, lead_agency, lead_user, opened)
        self.add_names(batch, new, " ".join(filter(None, [given, middle])))
        return new

    def add_names(self, batch: Batch, new: NewCase, given_names: str) -> None:
        """The primary name, aliases (nicknames, misspellings, others) and a former name."""
        rng, today, pools = self.rng, self.today, self.pools
        given, family, born = new.given, new.family, new.born
        names: list[tuple[str, str, str, dt.date | None, dt.date | None]] = [
            (NameKind.PRIMARY, given_names, family, None, None)
        ]
        if new.plan.persona_case and new.plan.index == 0:
            names.append((NameKind.ALIAS, "Danny", "Hollowey", None, None))
        alias_count = rng.choice([0, 1, 1, 2, 3])
        for _ in range(alias_count):
            kind = rng.randint(0, 3)
            if kind == 0 and given in NICKNAMES:
                alias = (NICKNAMES[given], family)
            elif kind == 1:
                alias = (given, misspell(family, rng))
            elif kind == 2:
                alias = (misspell(given, rng), family)
            else:
                alias = (rng.choice(pools.male), rng.choice(pools.family))
            since = born + _days(rng.randint(16 * 365, 30 * 365))
            names.append((NameKind.ALIAS, alias[0], alias[1], min(since, today), None))
        if rng.random() < 0.1:  # a former primary name (changed by deed poll)
            names.append(
                (
                    NameKind.PRIMARY,
                    given,
                    rng.choice(pools.family),
                    born,
                    min(new.opened, today) - _days(400),
                )
            )
        for name_kind, first, last, name_from, name_to in names:
            batch.names.append(
                self.add(PersonName)(
                    person_id=new.person,
                    kind=name_kind,
                    given_names=first,
                    family_name=last,
                    valid_from=name_from,
                    valid_to=name_to,
                    name_normalised=name_normalise(first, last),
                    created_at=_at(new.opened),
                )
            )
            self.name_keys(new.person, batch.names[-1], first, last)

    def add_identifiers(self, batch: Batch, new: NewCase) -> None:
        rng, today, pools = self.rng, self.today, self.pools
        person, index = new.person, new.plan.index
        batch.person_rows.append(
            self.add(Identifier)(person_id=person, type=IdentifierType.CRN, value=crn_for(index))
        )
        if new.plan.stype != SentenceType.COMMUNITY_ORDER and not new.plan.no_sentence:
            batch.person_rows.append(
                self.add(Identifier)(
                    person_id=person,
                    type=IdentifierType.PRISON_NUMBER,
                    value=prison_number_for(index),
                )
            )
        batch.person_rows.append(
            self.add(Identifier)(
                person_id=person,
                type=IdentifierType.PNC_ID,
                value=pnc_for(
                    index, max(1990, min(new.born.year + 18 + rng.randint(0, 10), today.year))
                ),
            )
        )
        if rng.random() < 0.3:
            ctu = rng.choice(pools.ctus)
            batch.person_rows.append(
                self.add(Identifier)(
                    person_id=person,
                    type=IdentifierType.AGENCY_REFERENCE,
                    agency_id=ctu.pk,
                    value=f"{ctu.code.upper()}/{index:07d}",
                )
            )

    def add_addresses(self, batch: Batch, new: NewCase) -> None:
        """An old home, the current home; approved premises after release."""
        rng, today = self.rng, self.today
        person, released = new.person, new.plan.released
        first_home = new.born + _days(18 * 365)
        moved = max(first_home + _days(30), new.opened - _days(rng.randint(100, 1500)))
        batch.person_rows.append(
            self.address(person, AddressKind.HOME, first_home, moved - _days(1))
        )
        if released is not None and rng.random() < 0.6:
            ap_end = min(today, released + _days(rng.randint(60, 270)))
            batch.person_rows.append(
                self.address(person, AddressKind.APPROVED_PREMISES, released, ap_end)
            )
            batch.person_rows.append(
                self.address(person, AddressKind.HOME, ap_end + _days(1), None)
            )
        else:
            batch.person_rows.append(self.address(person, AddressKind.HOME, moved, None))
        if rng.random() < 0.2:
            batch.person_rows.append(self.address(person, AddressKind.OTHER_REGULAR, moved, None))

    def add_contacts(self, batch: Batch, new: NewCase) -> None:
        """A phone, perhaps an e-mail address, a vehicle and an identity document."""
        rng, today, pools = self.rng, self.today, self.pools
        person, index, opened = new.person, new.plan.index, new.opened
        batch.person_rows.append(
            self.add(ContactDetail)(
                person_id=person,
                kind=ContactKind.PHONE,
                value=rng.choice(pools.phones),
                valid_from=opened,
            )
        )
        if rng.random() < 0.5:
            batch.person_rows.append(
                self.add(ContactDetail)(
                    person_id=person,
                    kind=ContactKind.EMAIL,
                    valid_from=opened,
                    value=f"{name_normalise(new.given, '').replace(' ', '')}."
                    f"{name_normalise(new.family, '').replace(' ', '')}{index}@example.org",
                )
            )
        if rng.random() < 0.3:
            make, model = rng.choice(pools.makes)
            batch.person_rows.append(
                self.add(Vehicle)(
                    person_id=person,
                    registration=f"{chr(65 + index % 26)}{chr(65 + index // 26 % 26)}"
                    f"{rng.randint(51, 74)}{chr(65 + rng.randint(0, 25))}"
                    f"{chr(65 + rng.randint(0, 25))}"
                    f"{chr(65 + rng.randint(0, 25))}",
                    make=make,
                    model=model,
                    colour=rng.choice(pools.colours),
                    valid_from=opened,
                )
            )
        if rng.random() < 0.4:
            batch.person_rows.append(
                self.add(IdentityDocument)(
                    person_id=person,
                    kind=rng.choice(
                        [DocumentKind.PASSPORT, DocumentKind.PASSPORT, DocumentKind.DRIVING_LICENCE]
                    ),
                    number=f"{rng.randint(100_000_000, 999_999_999)}",
                    issuing_country="United Kingdom",
                    expires_on=today + _days(rng.randint(-400, 3000)),
                )
            )

    def open_case(self, batch: Batch, new: NewCase) -> None:
        """Reserve the case row (written last, once its phase is known) and time-line it."""
        plan, opened, lead_agency = new.plan, new.opened, new.lead_agency
        new.case = self.tables[Case].reserve()
        new.values = dict(
            person_id=new.person,
            reference=f"JC-{plan.index + 1:06d}",
            cohort=plan.cohort,
            ideology=plan.ideology,
            lead_agency=lead_agency,
            opened_at=opened,
            created_by_id=new.lead_user,
            created_at=_at(opened),
            updated_at=_at(self.today),
            phase=Phase.CUSTODY,
            phase_changed_at=_at(self.today),
        )
        self.timeline(
            batch,
            new.case,
            opened,
            TimelineKind.CASE,
            "Case opened",
            lead_agency,
            f"{Cohort(plan.cohort).label}; lead agency {lead_agency.name}",
            new.lead_user,
        )

    def add_mappa(self, batch: Batch, new: NewCase) -> None:
        """MAPPA history: one to three registrations, the last one current."""
        rng, today = self.rng, self.today
        category = (
            "M4"
            if new.plan.cohort in (Cohort.TACT, Cohort.TACT_CONNECTED, Cohort.TERRORIST_RISK)
            else rng.choice(["M2", "M3"])
        )
        start = new.opened
        registrations = rng.randint(1, 3)
        for number in range(registrations):
            level = (
                rng.choice([1, 2, 2, 3]) if number < registrations - 1 else rng.choice([2, 3, 3])
            )
            end: dt.date | None = start + _days(rng.randint(120, 500))
            if number == registrations - 1 or end is None or end >= today:
                end = None
            closing = end is None and new.plan.target == Phase.CLOSED
            if closing:
                # A closed case's MAPPA management ended with its licence: no review ahead.
                end = max(start, min(today, new.plan.licence_end))
            review = today + _days(rng.randint(10, 180)) if end is None else end
            batch.case_rows.append(
                self.add(MappaRegistration)(
                    case_id=new.case,
                    category=category,
                    level=level,
                    review_date=review,
                    valid_from=start,
                    valid_to=end,
                )
            )
            self.timeline(
                batch,
                new.case,
                start,
                TimelineKind.MAPPA,
                f"MAPPA category {category[1]} level {level}",
                new.lead_agency,
            )
            if end is None or closing:
                break
            start = end + _days(1)

    def add_custody(self, batch: Batch, new: NewCase) -> None:
        """Custody placements from sentence to release, and the recall placement if any."""
        self.add_placements(batch, new)
        rng, today, plan = self.rng, self.today, new.plan
        if plan.target != Phase.RECALLED:
            return
        released = plan.released
        recall_day = (
            released + _days(rng.randint(14, max(15, (today - released).days - 1)))
            if released
            else None
        )
        recall_day = min(recall_day or today, today)
        prison = self.frankland if plan.persona_case else rng.choice(self.pools.prisons)
        batch.case_rows.append(
            self.add(CustodyPlacement)(
                case_id=new.case,
                establishment_id=prison.pk,
                security_category=SecurityCategory.B,
                in_separation_centre=False,
                valid_from=recall_day,
            )
        )
        new.prisons_used.append((prison, recall_day, None))
        new.recall_day = recall_day

    def add_placements(self, batch: Batch, new: NewCase) -> None:
        rng, today, plan = self.rng, self.today, new.plan
        target = plan.target
        place_start = plan.sentence_date
        place_end_final = (
            None if target in (Phase.CUSTODY, Phase.PRE_RELEASE) else plan.release - _days(1)
        )
        moves = rng.randint(1, 3)
        for number in range(moves):
            frankland = (
                plan.persona_case
                and number == moves - 1
                and target in (Phase.CUSTODY, Phase.PRE_RELEASE, Phase.RECALLED)
            )
            prison = self.frankland if frankland else rng.choice(self.pools.prisons)
            is_last = number == moves - 1
            end = (
                place_end_final
                if is_last
                else min(
                    place_start + _days(rng.randint(60, 600)),
                    (place_end_final or today) - _days(max(1, moves - number)),
                )
            )
            if end is not None and end < place_start:
                end = place_start
            separation = prison.holds_separation_centre and rng.random() < 0.5
            batch.case_rows.append(
                self.add(CustodyPlacement)(
                    case_id=new.case,
                    establishment_id=prison.pk,
                    in_separation_centre=separation,
                    security_category=rng.choice(
                        [
                            SecurityCategory.A,
                            SecurityCategory.B,
                            SecurityCategory.B,
                            SecurityCategory.C,
                        ]
                    ),
                    valid_from=place_start,
                    valid_to=end,
                )
            )
            self.timeline(
                batch,
                new.case,
                place_start,
                TimelineKind.CUSTODY,
                f"Placed at {prison.name}" + (" (separation centre)" if separation else ""),
                prison,
            )
            new.prisons_used.append((prison, place_start, end))
            if end is None or is_last:
                break
            place_start = end + _days(1)

    def add_sentence(self, batch: Batch, new: NewCase) -> int:
        rng, plan = self.rng, new.plan
        stype, release = plan.stype, plan.release
        notifiable = plan.cohort in NOTIFIABLE_COHORTS
        sentence = self.add(Sentence)(
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
            tused=plan.licence_end + _days(365)
            if stype == SentenceType.SDS and plan.length < 730
            else None,
            prrd=None,
            released_on=plan.released,
            created_at=_at(min(plan.sentence_date, self.today)),
        )
        batch.case_rows.append(sentence)
        self.timeline(
            batch,
            new.case,
            plan.sentence_date,
            TimelineKind.SENTENCE,
            f"Sentenced: {SentenceType(stype).label}",
            new.lead_agency,
            self.tables[Sentence].last("offence"),
        )
        return sentence

    def add_notification_requirement(self, batch: Batch, new: NewCase, sentence: int) -> Any:
        """The notification requirement (CTA 2008 Part 4) and its annual notifications so far."""
        rng, today, plan = self.rng, self.today, new.plan
        released = plan.released
        dates: dict[str, Any] = dict(
            date_of_birth=new.born,
            conviction_date=plan.conviction_date,
            sentence_date=plan.sentence_date,
            length_days=plan.length + plan.extended,
            released_on=released,
        )
        schedule = notification_schedule(
            notifiable_cohort=plan.cohort in NOTIFIABLE_COHORTS, **dates
        )
        last_notified = None
        if schedule.applies and released is not None:
            last_notified = released + _days(rng.randint(0, 3))
            while True:
                following = add_years(last_notified, 1) - _days(rng.randint(0, 10))
                if following > today:
                    break
                last_notified = following
            schedule = notification_schedule(
                notifiable_cohort=True, last_notified_on=last_notified, **dates
            )
        batch.requirements.append(
            self.add(NotificationRequirement)(
                case_id=new.case,
                sentence_id=sentence,
                applies=schedule.applies,
                reason=schedule.reason[:300],
                period_years=schedule.period_years,
                starts_on=schedule.starts_on,
                ends_on=schedule.ends_on,
                initial_due_on=schedule.initial_due_on,
                initial_notified_on=released + _days(rng.randint(0, 3))
                if last_notified and released
                else None,
                last_notified_on=last_notified,
                next_annual_due_on=schedule.next_annual_due_on,
            )
        )
        return schedule

    def add_licence(self, batch: Batch, new: NewCase, sentence: int, schedule: Any) -> None:
        """Release on licence: the licence, its conditions and the initial notification."""
        rng, plan, case = self.rng, new.plan, new.case
        released, licence_end = plan.released, plan.licence_end
        assert released is not None
        prisons_used = new.prisons_used
        self.timeline(
            batch,
            case,
            released,
            TimelineKind.SENTENCE,
            "Released from custody on licence",
            prisons_used[0][0] if prisons_used else None,
        )
        licence = self.add(Licence)(
            case_id=case, sentence_id=sentence, starts_on=released, expires_on=licence_end
        )
        batch.licences.append(licence)
        self.timeline(
            batch,
            case,
            released,
            TimelineKind.LICENCE,
            "Licence issued",
            new.lead_agency,
            f"{released:%d %B %Y} to {licence_end:%d %B %Y}",
        )
        chosen = [self.conditions[0], *rng.sample(self.conditions[1:], rng.randint(2, 6))]
        for spec in chosen:
            batch.conditions.append(
                self.add(LicenceCondition)(
                    licence_id=licence,
                    code=spec.code,
                    parameters=self.parameters(spec, plan.index),
                    review_frequency=spec.review_frequency,
                    added_on=released,
                )
            )
        if schedule.applies:
            self.timeline(
                batch,
                case,
                released + _days(2),
                TimelineKind.NOTIFICATION,
                "Initial notification made",
                rng.choice(self.pools.ctus),
            )

    def add_recall(self, batch: Batch, new: NewCase) -> None:
        recall_day = new.recall_day
        assert recall_day is not None
        batch.later_rows.append(
            self.add(Recall)(
                case_id=new.case,
                recalled_on=recall_day,
                type=RecallType.STANDARD,
                reason=self.rng.choice(RECALL_REASONS),
                returned_to_custody_on=recall_day,
            )
        )
        self.timeline(
            batch, new.case, recall_day, TimelineKind.RECALL, "Standard recall", new.lead_agency
        )

    def add_exit(self, batch: Batch, new: NewCase) -> None:
        """A handover or exit from NSD after licence, and the case's closure."""
        rng, today, pools, plan = self.rng, self.today, self.pools, new.plan
        target, licence_end = plan.target, plan.licence_end
        if (
            target in (Phase.POST_LICENCE, Phase.CLOSED)
            and not plan.persona_case
            and rng.random() < 0.7
        ):
            handover = rng.choice(pools.ctus + pools.regions)
            day = min(today, licence_end + _days(rng.randint(0, 20)))
            kind = ExitKind.HANDOVER if handover.kind == AgencyKind.POLICE else ExitKind.EXIT
            batch.later_rows.append(
                self.add(NsdExit)(
                    case_id=new.case,
                    kind=kind,
                    exited_on=day,
                    to_agency_id=handover.pk,
                    recorded_by_id=new.lead_user,
                    created_at=_at(day),
                    onward_plan=ONWARD_PLAN,
                )
            )
            self.timeline(
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
            closed_at = max(new.opened, min(today, licence_end + _days(rng.randint(30, 400))))
            new.values["closed_at"] = closed_at
            new.closed_at = closed_at
            self.timeline(
                batch,
                new.case,
                closed_at,
                TimelineKind.CASE,
                "Case closed",
                new.values["lead_agency"],
            )

    def case_phase(self, batch: Batch, new: NewCase) -> None:
        """The case row itself, in the phase its facts give."""
        plan, today = new.plan, self.today
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
        self.tables[Case](id=new.case, **new.values)
        self.timeline(
            batch,
            new.case,
            today - _days(self.rng.randint(0, 20)),
            TimelineKind.PHASE,
            f"Phase: {Phase(new.values['phase']).label}",
            new.lead_agency,
        )

    def address(self, person: int, kind: str, start: dt.date, end: dt.date | None) -> int:
        pools, rng = self.pools, self.rng
        line1 = (
            rng.choice(pools.streets)
            if kind != AddressKind.APPROVED_PREMISES
            else (f"{rng.choice(pools.family)} House Approved Premises")
        )
        return self.add(Address)(
            person_id=person,
            kind=kind,
            line1=line1,
            town=rng.choice(pools.towns),
            postcode=rng.choice(pools.postcodes),
            valid_from=min(start, self.today),
            valid_to=None if end is None else max(min(end, self.today), min(start, self.today)),
        )

    def parameters(self, spec: Any, index: int) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for parameter in spec.parameters:
            if not parameter.required and self.rng.random() < 0.5:
                continue
            if parameter.type == "time":
                values[parameter.name] = "19:00" if parameter.name == "from_time" else "07:00"
            elif parameter.type == "boolean":
                values[parameter.name] = self.rng.random() < 0.5
            elif parameter.type == "choice":
                values[parameter.name] = self.rng.choice(parameter.choices)
            elif parameter.type == "date":
                values[parameter.name] = (self.today + _days(self.rng.randint(30, 400))).isoformat()
            elif parameter.type == "integer":
                values[parameter.name] = self.rng.randint(1, 10)
            elif parameter.name == "phone_number":
                values[parameter.name] = self.rng.choice(self.pools.phones)
            else:
                values[parameter.name] = self.rng.choice(
                    [
                        "As shown on the attached map",
                        "Town centre",
                        "Named individuals in the restricted annex",
                        "Mondays and Thursdays, 10:00",
                        "Central mosque (approved)",
                    ]
                )
        return values

    def case_team(self, batch: Batch, new: NewCase) -> None:
        """The case team: NSD, then police, then prison staff (each placement's POM)."""
        plan, today = new.plan, self.today
        team_end = None
        if new.closed_at is not None:
            team_end = new.closed_at
        elif new.handover is not None:
            team_end = min(today - _days(1), plan.licence_end + _days(30))
        team_end = None if team_end is None or plan.persona_case else max(team_end, new.opened)
        self.nsd_members(batch, new, team_end)
        if plan.persona_case and plan.index in PERSONA_CTNM_CASES:
            self.persona_police_members(batch, new)
        elif plan.index in (20, 21, 22):
            ctu_nw = self.agencies["ctu-north-west"]
            self.member(
                batch,
                new.case,
                CaseRole.CTNM_OFFICER,
                ctu_nw,
                new.opened,
                None,
                user_id=self.personas["officer.notoncase"].pk,
            )
        else:
            self.police_members(batch, new)
        for prison, start, end in new.prisons_used:
            self.prison_members(batch, new, prison, start, end)

    def nsd_members(self, batch: Batch, new: NewCase, team_end: dt.date | None) -> None:
        rng = self.rng
        case, lead_agency, opened = new.case, new.lead_agency, new.opened
        self.member(
            batch,
            case,
            CaseRole.LEAD_NSD_PRACTITIONER,
            lead_agency,
            opened,
            team_end,
            user_id=new.lead_user,
        )
        if rng.random() < 0.25:
            self.member(
                batch,
                case,
                CaseRole.CO_WORKING_PRACTITIONER,
                lead_agency,
                opened,
                team_end,
                user_id=self.pick_staff(lead_agency, Role.NSD_PRACTITIONER),
            )
        senior: int | None
        if new.plan.persona_case and new.plan.index < 5:
            senior = self.personas["nsd.lead"].pk
        elif rng.random() < 0.3:
            senior = self.pick_staff(lead_agency, Role.NSD_SENIOR_LEAD)
        else:
            return
        self.member(
            batch,
            case,
            CaseRole.SENIOR_OPERATIONAL_LEAD,
            lead_agency,
            opened,
            team_end,
            user_id=senior,
        )

    def persona_police_members(self, batch: Batch, new: NewCase) -> None:
        """The demo personas' CTNM North East cases: the officer, the supervisor, and on two of
        them the whole team with excluded.officer (a member of that team) excluded: the
        exclusion beats the team route."""
        case, opened, index = new.case, new.opened, new.plan.index
        ctu_ne = self.agencies["ctu-north-east"]
        self.member(
            batch,
            case,
            CaseRole.CTNM_OFFICER,
            ctu_ne,
            opened,
            None,
            user_id=self.personas["ctnm.officer"].pk,
        )
        if index < 3:
            self.member(
                batch,
                case,
                CaseRole.CT_SUPERVISOR,
                ctu_ne,
                opened,
                None,
                user_id=self.personas["ct.supervisor"].pk,
            )
        if index not in (0, 3):
            return
        self.member(
            batch,
            case,
            CaseRole.CTNM_OFFICER,
            ctu_ne,
            opened,
            None,
            team_id=self.persona_teams["ctnm.officer"],
            label="CTNM North East team",
        )
        batch.later_rows.append(
            self.add(CaseExclusion)(
                case_id=case,
                user_id=self.personas["excluded.officer"].pk,
                reason="Conflict of interest: a relative of the officer is a witness (synthetic).",
                created_by_id=new.lead_user,
                created_at=_at(opened),
            )
        )
        self.timeline(
            batch,
            case,
            opened,
            TimelineKind.ACCESS,
            "A user was excluded from the case",
            new.lead_agency,
        )

    def police_members(self, batch: Batch, new: NewCase) -> None:
        """A CTNM officer (or a CTNM team) of a regional CT unit, sometimes a supervisor."""
        rng, pools = self.rng, self.pools
        case, opened = new.case, new.opened
        ctu = rng.choice(pools.ctus)
        if rng.random() < 0.15 and pools.teams.get(ctu.pk):
            self.member(
                batch,
                case,
                CaseRole.CTNM_OFFICER,
                ctu,
                opened,
                None,
                team_id=pools.teams[ctu.pk][0],
                label=f"{ctu.name} CTNM team",
            )
        else:
            self.member(
                batch,
                case,
                CaseRole.CTNM_OFFICER,
                ctu,
                opened,
                None,
                user_id=self.pick_staff(ctu, Role.CTNM_OFFICER),
            )
        if rng.random() < 0.3:
            self.member(
                batch,
                case,
                CaseRole.CT_SUPERVISOR,
                ctu,
                opened,
                None,
                user_id=self.pick_staff(ctu, Role.CT_SUPERVISOR),
            )

    def prison_members(
        self, batch: Batch, new: NewCase, prison: Agency, start: dt.date, end: dt.date | None
    ) -> None:
        """One POM per placement (the earlier ones ended); a CT lead for the current one."""
        case, current = new.case, end is None
        pom: int | None
        ct_lead: int | None
        if new.plan.persona_case and current and prison.pk == self.frankland.pk:
            pom, ct_lead = self.personas["pom.bpss"].pk, self.personas["prison.ctlead"].pk
        else:
            pom = self.pick_staff(prison, Role.POM)
            ct_lead = None
        self.member(batch, case, CaseRole.POM, prison, start, end, user_id=pom)
        if ct_lead is None:
            if not (current and self.rng.random() < 0.6):
                return
            ct_lead = self.pick_staff(prison, Role.PRISON_CT_LEAD)
        self.member(batch, case, CaseRole.PRISON_CT_LEAD, prison, start, None, user_id=ct_lead)

    # --- writing ---------------------------------------------------------------------------

    def flush(self) -> None:
        with connection.cursor() as cursor:
            for model in TABLE_MODELS:
                self.tables[model].flush(cursor)

    def sequences_reset(self) -> None:
        statements = connection.ops.sequence_reset_sql(no_style(), list(TABLE_MODELS))
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

    def run(self) -> None:
        total = self.context.scale.cases
        batch = Batch()
        for index in self.context.progress(range(total), total=total, desc="cases"):
            self.add_case(batch, index)
            if (index + 1) % BATCH == 0:
                self.flush()
                batch = Batch()
        self.flush()
        self.sequences_reset()


def seed_register(context: SeedContext) -> None:
    """Persons and cases with full histories; the demo personas placed on their cases."""
    RegisterSeeder(context).run()
