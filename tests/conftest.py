"""Shared fixtures: the persona set every suite uses, and signed-in clients.

Personas (docs/style.md): NSD practitioner, CTNM officer, POM with BPSS, cleared officer not on the
case, excluded officer, national lead, auditor, administrator. Case-level relationships (who
is on which case) are added by the cases suite's fixtures on top of these users.

Every test that touches the database ends by recomputing the whole audit chain it left.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from faker import Faker

from jointcase.accounts.models import Role, RoleAssignment, User
from jointcase.agencies.models import (
    Agency,
    AgencyKind,
    Caveat,
    CaveatAuthorisation,
    Vetting,
    VettingLevel,
)
from jointcase.audit.models import AuditEntry
from jointcase.audit.services import audit_recompute
from tests.factories import (
    PASSWORD,
    STAFF_SURNAMES,
    AgencyFactory,
    TeamFactory,
    TeamMembershipFactory,
)

pytest_plugins = ["tests.register_fixtures", "tests.audit_plugin"]

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest_report_header(config: pytest.Config) -> str:
    return f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}"


def pytest_sessionstart(session: pytest.Session) -> None:
    """With CI=true a PostgreSQL run must reach PostgreSQL: fail, never skip."""
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        import psycopg

        params = settings.DATABASES["default"]
        try:
            psycopg.connect(
                host=params["HOST"] or "127.0.0.1",
                port=params["PORT"] or 5432,
                user=params["USER"],
                dbname="postgres",
                connect_timeout=5,
            ).close()
        except psycopg.OperationalError as error:
            pytest.exit(
                f"PostgreSQL is not reachable for the PostgreSQL run: {error}", returncode=3
            )


#: Tests that take many seconds each (a browser journey, a property over generated worlds):
#: started first, so that pytest-xdist's workers finish together rather than one of them
#: running the long ones alone at the end.
_LONG_FIRST = re.compile(r"tests/browser/|_policy_agrees\.py|_never_widen\.py")


#: Fixtures through which a test reaches the database (directly or through other fixtures:
#: ``fixturenames`` is the whole closure).
_DB_FIXTURES = ("db", "transactional_db", "django_db_setup", "live_server")


def uses_database(item: pytest.Item) -> bool:
    names = getattr(item, "fixturenames", ())
    return bool(item.get_closest_marker("django_db")) or any(n in names for n in _DB_FIXTURES)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # ``make test`` runs the suite on both databases; a test that never touches a database
    # (parsing, signing, date arithmetic, properties of pure functions) learns nothing from the
    # second run, so the PostgreSQL run leaves it out (JOINTCASE_TESTS_DATABASE_ONLY=1).
    if os.environ.get("JOINTCASE_TESTS_DATABASE_ONLY") == "1":
        kept = [item for item in items if uses_database(item)]
        dropped = [item for item in items if not uses_database(item)]
        if dropped:
            config.hook.pytest_deselected(items=dropped)
            items[:] = kept
    items.sort(key=lambda item: 0 if _LONG_FIRST.search(item.nodeid) else 1)


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def _audit_chain_reverifies(request: pytest.FixtureRequest) -> Iterator[None]:
    """After every database test, the chain it left recomputes cleanly from genesis."""
    yield
    uses_db = any(
        name in request.fixturenames for name in ("db", "transactional_db", "django_db_setup")
    ) or request.node.get_closest_marker("django_db")
    if not uses_db or request.node.get_closest_marker("audit_tampering"):
        return
    try:
        bad = audit_recompute(AuditEntry.objects.order_by("seq").iterator(chunk_size=2000))
    except Exception:  # noqa: BLE001 - a test that left no usable connection has no chain
        return
    assert bad is None, f"the audit chain left by this test breaks at entry {bad}"


@dataclass
class Personas:
    nsd_practitioner: User
    nsd_lead: User
    ctnm_officer: User
    ct_supervisor: User
    pom: User
    prison_ct_lead: User
    officer_not_on_case: User
    excluded_officer: User
    partner_liaison: User
    national_lead: User
    auditor: User
    agency_admin: User
    system_admin: User

    def all(self) -> dict[str, User]:
        return dict(vars(self))


#: The personas as (field, username, agency code, role, vetting, caveats, line manager field).
PERSONA_ROWS: tuple[tuple[str, str, str, str, str, tuple[str, ...], str], ...] = (
    (
        "nsd_lead",
        "nsd.lead",
        "nsd-north",
        Role.NSD_SENIOR_LEAD,
        VettingLevel.SC,
        ("UK EYES ONLY",),
        "",
    ),
    (
        "ct_supervisor",
        "ct.supervisor",
        "ctu-north-east",
        Role.CT_SUPERVISOR,
        VettingLevel.SC,
        ("UK EYES ONLY", "NIGHTJAR"),
        "",
    ),
    (
        "nsd_practitioner",
        "nsd.practitioner",
        "nsd-north",
        Role.NSD_PRACTITIONER,
        VettingLevel.SC,
        ("UK EYES ONLY",),
        "nsd_lead",
    ),
    (
        "ctnm_officer",
        "ctnm.officer",
        "ctu-north-east",
        Role.CTNM_OFFICER,
        VettingLevel.SC,
        ("UK EYES ONLY", "NIGHTJAR"),
        "ct_supervisor",
    ),
    ("pom", "pom.bpss", "hmp-frankland", Role.POM, VettingLevel.BPSS, (), ""),
    (
        "prison_ct_lead",
        "prison.ctlead",
        "hmp-frankland",
        Role.PRISON_CT_LEAD,
        VettingLevel.SC,
        ("UK EYES ONLY",),
        "",
    ),
    (
        "officer_not_on_case",
        "officer.notoncase",
        "ctu-north-west",
        Role.CTNM_OFFICER,
        VettingLevel.SC,
        ("UK EYES ONLY",),
        "",
    ),
    (
        "excluded_officer",
        "excluded.officer",
        "ctu-north-east",
        Role.CTNM_OFFICER,
        VettingLevel.SC,
        ("UK EYES ONLY",),
        "",
    ),
    (
        "partner_liaison",
        "partner.liaison",
        "partner",
        Role.PARTNER_LIAISON,
        VettingLevel.DV,
        ("UK EYES ONLY", "PERSONAL", "NIGHTJAR"),
        "",
    ),
    (
        "national_lead",
        "national.lead",
        "national",
        Role.NATIONAL_GOVERNANCE,
        VettingLevel.SC,
        (),
        "",
    ),
    ("auditor", "auditor", "national", Role.AUDITOR, VettingLevel.SC, (), ""),
    (
        "agency_admin",
        "agency.admin",
        "nsd-north",
        Role.AGENCY_ADMIN,
        VettingLevel.SC,
        ("UK EYES ONLY",),
        "",
    ),
    ("system_admin", "sysadmin", "platform", Role.SYSTEM_ADMIN, VettingLevel.SC, (), ""),
)
#: The personas' agencies as (code, name, kind).
PERSONA_AGENCIES = (
    ("nsd-north", "NSD North", AgencyKind.PROBATION),
    ("ctu-north-east", "CT Policing North East", AgencyKind.POLICE),
    ("ctu-north-west", "CT Policing North West", AgencyKind.POLICE),
    ("hmp-frankland", "HMP Frankland", AgencyKind.PRISON),
    ("partner", "Security partner", AgencyKind.PARTNER),
    ("national", "National governance", AgencyKind.NATIONAL),
    ("platform", "Platform operations", AgencyKind.PLATFORM),
)


@pytest.fixture
def personas(db: None) -> Personas:
    """The persona set, written in a handful of bulk inserts (nearly every test asks for it, so
    its cost is paid some two thousand times a run): the same rows ``UserFactory`` writes
    (role, vetting, caveat authorisations, a confirmed authenticator app)."""
    for code, name, kind in PERSONA_AGENCIES:
        AgencyFactory(code=code, name=name, kind=kind)
    agencies = {
        agency.code: agency
        for agency in Agency.objects.filter(code__in=[row[0] for row in PERSONA_AGENCIES])
    }
    today = timezone.localdate()
    password = _persona_password()
    users: dict[str, User] = {}
    for field, username, agency_code, _role, _vetting, _caveats, manager in PERSONA_ROWS:
        user = User(
            username=username,
            first_name=_FAKER.first_name(),
            last_name=_FAKER.random_element(STAFF_SURNAMES),
            email=f"{username}@jointcase.example",
            agency=agencies[agency_code],
            password=password,
            is_staff=field == "system_admin",
            line_manager=users[manager] if manager else None,
        )
        user.save()
        users[field] = user
    caveats = {}
    for code in {code for row in PERSONA_ROWS for code in row[5]}:
        caveats[code], _ = Caveat.objects.get_or_create(code=code, defaults={"name": code})
    year = today + dt.timedelta(days=365)
    RoleAssignment.objects.bulk_create(
        RoleAssignment(user=users[row[0]], role=row[3]) for row in PERSONA_ROWS
    )
    Vetting.objects.bulk_create(
        Vetting(
            user=users[row[0]],
            level=row[4],
            granted_on=today - dt.timedelta(days=30),
            expires_on=year,
        )
        for row in PERSONA_ROWS
    )
    CaveatAuthorisation.objects.bulk_create(
        CaveatAuthorisation(user=users[row[0]], caveat=caveats[code], expires_on=year)
        for row in PERSONA_ROWS
        for code in row[5]
    )
    TOTPDevice.objects.bulk_create(
        TOTPDevice(user=user, name="Authenticator app", confirmed=True) for user in users.values()
    )
    people = Personas(**users)
    _persona_teams(people)
    return people


_FAKER = Faker("en_GB")


@functools.cache
def _persona_password() -> str:
    return make_password(PASSWORD)


def _persona_teams(people: Personas) -> None:
    """NSD North's team, managed by its senior lead, and the CTNM North East team, managed by
    the CT supervisor (the excluded officer is a member: exclusion is per case)."""
    nsd_team = TeamFactory(
        agency=people.nsd_lead.agency, name="NSD North team 1", manager=people.nsd_lead
    )
    for user in (people.nsd_practitioner, people.nsd_lead):
        TeamMembershipFactory(team=nsd_team, user=user)
    ctnm_team = TeamFactory(
        agency=people.ct_supervisor.agency, name="CTNM North East", manager=people.ct_supervisor
    )
    for user in (people.ctnm_officer, people.ct_supervisor, people.excluded_officer):
        TeamMembershipFactory(team=ctnm_team, user=user)


def totp_code_for(user: User, *, offset_steps: int = 0) -> str:
    """The code the user's authenticator app shows now (or ``offset_steps`` later)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    assert device is not None, f"{user.username} has no authenticator app"
    code = totp(
        device.bin_key,
        step=device.step,
        t0=device.t0,
        digits=device.digits,
        drift=device.drift + offset_steps,
    )
    return f"{code:0{device.digits}d}"


def verified_session(client: Client, user: User) -> Client:
    """Sign ``client`` in as ``user`` with a verified second factor (skipping the forms)."""
    client.force_login(user, backend="jointcase.accounts.backends.UserBackend")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    assert device is not None
    session = client.session
    now = int(timezone.now().timestamp())
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session["jc_epoch"] = User.objects.get(pk=user.pk).session_epoch
    session["jc_started"] = now
    session["jc_seen"] = now
    session.save()
    return client


def declare_every_purpose(client: Client, purpose: str = "case_management") -> Client:
    """Declare ``purpose`` for every case and meeting that exists now, in ``client``'s session
    (as a user would on the purpose page), so tests about something else are not sent there."""
    from jointcase.audit.purpose import SESSION_KEY
    from jointcase.cases.models import Case
    from jointcase.meetings.models import Meeting

    session = client.session
    declarations = dict(session.get(SESSION_KEY, {}))
    for object_type, model in (("case", Case), ("meeting", Meeting)):
        for pk in model.objects.values_list("pk", flat=True):
            declarations[f"{object_type}:{pk}"] = {"purpose": purpose, "reason": ""}
    for public_id in Meeting.objects.values_list("public_id", flat=True):  # its URL's id
        declarations[f"meeting:{public_id}"] = {"purpose": purpose, "reason": ""}
    session[SESSION_KEY] = declarations
    session.save()
    return client


@pytest.fixture
def client_for() -> Callable[[User], Client]:
    """``client_for(user)``: a fresh test client signed in as ``user`` with MFA verified, having
    declared "case management" as its purpose of consultation for every case and meeting that
    exists when it signs in. Tests of the purpose question itself use
    ``undeclared_client_for``."""

    def make(user: User) -> Client:
        return declare_every_purpose(verified_session(Client(), user))

    return make


@pytest.fixture
def undeclared_client_for() -> Callable[[User], Client]:
    """``undeclared_client_for(user)``: signed in with MFA verified, no purpose declared yet."""

    def make(user: User) -> Client:
        return verified_session(Client(), user)

    return make


@pytest.fixture
def chromium_path() -> str:
    """Debian's Chromium. Missing: skipped on a developer machine, a failure in CI."""
    for path in (
        os.environ.get("JOINTCASE_CHROMIUM", ""),
        "/usr/lib/chromium/chromium",
        "/usr/bin/chromium",
    ):
        if path and os.path.exists(path):
            return path
    if IN_CI:
        pytest.fail("Chromium is missing: .ci/run installs Debian's chromium package")
    pytest.skip("Chromium is not installed (apt-get install chromium)")
