"""The register seeder's state: pools drawn once, the bulk tables, the plan and the growing
case each step receives, and the time-line and staff helpers every step uses.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.db import connection

from jointcase.accounts.models import RoleAssignment, User
from jointcase.agencies.models import Agency, AgencyKind, Team, TeamMembership
from jointcase.cases.conditions import catalogue
from jointcase.cases.models import (
    Case,
    CaseExclusion,
    CaseTeamMember,
    CustodyPlacement,
    Licence,
    LicenceCondition,
    MappaRegistration,
    NotificationRequirement,
    NsdExit,
    Recall,
    Sentence,
    TimelineEvent,
)
from jointcase.people.models import (
    Address,
    ContactDetail,
    Identifier,
    IdentityDocument,
    Person,
    PersonName,
    PersonNameKey,
    Vehicle,
)
from jointcase.people.validators import postcode_clean
from jointcase.seed.bulk import Table
from jointcase.seed.context import SeedContext
from jointcase.seed.steps.register.vocabulary import NICKNAMES, at

BATCH = 2000


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


def pools_draw(context: SeedContext) -> Pools:
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
    """One generated person and case as ``build.add_case`` builds them, step by step."""

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
    """What every register step shares: the context, the pools, the tables being filled and
    the personas; the steps themselves are functions of the use-case modules beside this one."""

    def __init__(self, context: SeedContext) -> None:
        self.context = context
        self.rng = context.rng
        self.today = context.today
        self.pools = pools_draw(context)
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

    def add(self, model: type[Any]) -> Table:
        return self.tables[model]

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
                occurred_at=at(day, 9 + self.rng.randint(0, 8)),
                kind=kind,
                title=title[:200],
                agency=agency,
                description=description,
                actor_id=actor_id,
                created_at=at(day, 18),
            )
        )

    def flush(self) -> None:
        with connection.cursor() as cursor:
            for model in TABLE_MODELS:
                self.tables[model].flush(cursor)

    def sequences_reset(self) -> None:
        statements = connection.ops.sequence_reset_sql(no_style(), list(TABLE_MODELS))
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
