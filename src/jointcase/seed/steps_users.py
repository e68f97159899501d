"""Users in every role and vetting level, with deterministic TOTP keys for the demo."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import TYPE_CHECKING

from django.contrib.auth.hashers import make_password
from django_otp.plugins.otp_totp.models import TOTPDevice

from jointcase.access.roles import senior_filter
from jointcase.accounts.models import Role, RoleAssignment, User
from jointcase.accounts.personas import DEMO_PASSWORD, PERSONAS
from jointcase.agencies.models import (
    Caveat,
    CaveatAuthorisation,
    Team,
    TeamMembership,
    Vetting,
    VettingLevel,
)

if TYPE_CHECKING:
    from jointcase.seed.context import SeedContext

#: What people in each kind of team do and how they are vetted (weights for the generator).
TEAM_PROFILES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "nsd": (
        (Role.NSD_PRACTITIONER,) * 5 + (Role.NSD_SENIOR_LEAD,),
        (VettingLevel.SC,) * 4 + (VettingLevel.CTC,),
    ),
    "ctnm": (
        (Role.CTNM_OFFICER,) * 4 + (Role.CT_SUPERVISOR,),
        (VettingLevel.SC,) * 5 + (VettingLevel.DV,),
    ),
    "ctp-hq": ((Role.CT_SUPERVISOR,), (VettingLevel.SC, VettingLevel.DV)),
    "pom": ((Role.POM,), (VettingLevel.BPSS,) * 4 + (VettingLevel.CTC,)),
    "prison-ct": ((Role.PRISON_CT_LEAD,), (VettingLevel.SC, VettingLevel.CTC)),
    "prison-ctc": ((Role.REGIONAL_CT_COORDINATOR,), (VettingLevel.SC,)),
    "probation": ((Role.NSD_PRACTITIONER,), (VettingLevel.BPSS, VettingLevel.CTC)),
    "partner": ((Role.PARTNER_LIAISON,), (VettingLevel.DV,)),
    "national": ((Role.NATIONAL_GOVERNANCE,), (VettingLevel.SC,)),
    "audit": ((Role.AUDITOR,), (VettingLevel.SC,)),
    "inspection": ((Role.INSPECTOR,), (VettingLevel.SC,)),
}


def demo_totp_key(seed: int, username: str) -> str:
    """A deterministic 160-bit TOTP key (hex) so that the demo's codes are reproducible."""
    return hashlib.sha256(f"jointcase-demo:{seed}:{username}".encode()).hexdigest()[:40]


#: A user still to write: the unsaved user, their team ("team:<pk>" for a generated user, a
#: team kind for a persona, None for none), roles, vetting level and caveat codes.
Pending = tuple[User, str | None, tuple[str, ...], str, tuple[str, ...]]


def seed_users(context: SeedContext) -> None:
    """The personas, then ``users_per_team`` generated users per team and ``extra_users``
    spread at random; then their roles, vetting, caveats, memberships and authenticator apps;
    then each team's line management."""
    password_hash = make_password(DEMO_PASSWORD)  # one Argon2 hash shared: synthetic users only
    used: set[str] = set()
    pending = _persona_users(context, password_hash, used)
    pending += _generated_users(context, password_hash, used)
    User.objects.bulk_create([entry[0] for entry in pending], batch_size=2000)
    by_username = {user.username: user for user in User.objects.all()}
    _user_access_rows(context, pending, by_username)
    _line_management()
    context.registry["personas"] = {p.username: by_username[p.username] for p in PERSONAS}


def _persona_users(context: SeedContext, password_hash: str, used: set[str]) -> list[Pending]:
    """The fixed demo sign-ins (``accounts.personas``), with a generated synthetic name."""
    agencies = context.registry["agencies"]
    pending: list[Pending] = []
    for persona in PERSONAS:
        used.add(persona.username)
        user = User(
            username=persona.username,
            first_name=context.faker.first_name(),
            last_name=context.faker.last_name(),
            email=f"{persona.username}@jointcase.example",
            agency=agencies[persona.agency_code],
            job_title=persona.job_title,
            password=password_hash,
            is_staff=persona.staff,
        )
        pending.append(
            (user, persona.team_kind or None, persona.roles, persona.vetting, persona.caveats)
        )
    return pending


def _generated_users(context: SeedContext, password_hash: str, used: set[str]) -> list[Pending]:
    """Members of every team, with roles and vetting weighted by the team's kind."""
    teams: dict[str, list[Team]] = context.registry["teams"]
    faker, rng = context.faker, context.rng
    team_list = [(kind, team) for kind, kind_teams in teams.items() for team in kind_teams]
    generated = [
        (kind, team) for kind, team in team_list for _ in range(context.scale.users_per_team)
    ]
    generated += [rng.choice(team_list) for _ in range(context.scale.extra_users)]
    pending: list[Pending] = []
    for kind, team in context.progress(generated, total=len(generated), desc="users"):
        roles, vettings = TEAM_PROFILES[kind]
        first, last = faker.first_name(), faker.last_name()
        base = f"{first}.{last}".lower().replace("'", "").replace(" ", "")
        username, suffix = base, 1
        while username in used:
            suffix += 1
            username = f"{base}{suffix}"
        used.add(username)
        user = User(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@jointcase.example",
            agency=team.agency,
            job_title=Role(rng.choice(roles)).label,
            password=password_hash,
        )
        chosen_caveats: tuple[str, ...] = ()
        vetting = rng.choice(vettings)
        if vetting in (VettingLevel.SC, VettingLevel.DV) and rng.random() < 0.6:
            chosen_caveats = ("UK EYES ONLY",)
        pending.append((user, f"team:{team.pk}", (rng.choice(roles),), vetting, chosen_caveats))
    return pending


def _user_access_rows(
    context: SeedContext, pending: list[Pending], by_username: dict[str, User]
) -> None:
    """Roles, vetting, caveat authorisations, team memberships and a TOTP device per user,
    each table in bulk."""
    teams: dict[str, list[Team]] = context.registry["teams"]
    caveats = {caveat.code: caveat for caveat in Caveat.objects.all()}
    today, rng = context.today, context.rng
    roles_rows, vetting_rows, caveat_rows, membership_rows, devices = [], [], [], [], []
    first_team_of_kind = {kind: kind_teams[0] for kind, kind_teams in teams.items()}
    for user, team_ref, roles, vetting, user_caveats in pending:
        saved = by_username[user.username]
        roles_rows += [RoleAssignment(user=saved, role=role) for role in roles]
        granted = today - dt.timedelta(days=rng.randint(30, 1500))
        expires = granted + dt.timedelta(days=365 * (5 if vetting != VettingLevel.DV else 7))
        if expires < today:  # keep most vetting current; a few lapse (see below)
            expires = today + dt.timedelta(days=rng.randint(30, 900))
        vetting_rows.append(
            Vetting(user=saved, level=vetting, granted_on=granted, expires_on=expires)
        )
        caveat_rows += [
            CaveatAuthorisation(
                user=saved,
                caveat=caveats[code],
                granted_on=granted,
                expires_on=today + dt.timedelta(days=rng.randint(60, 730)),
            )
            for code in user_caveats
        ]
        if team_ref and team_ref.startswith("team:"):
            membership_rows.append(
                TeamMembership(team_id=int(team_ref[5:]), user=saved, start=granted)
            )
        elif team_ref:
            same_agency = (t for t in teams[team_ref] if t.agency_id == saved.agency_id)
            team = next(same_agency, first_team_of_kind[team_ref])
            membership_rows.append(TeamMembership(team=team, user=saved, start=granted))
        devices.append(
            TOTPDevice(
                user=saved,
                name="Authenticator app",
                confirmed=True,
                key=demo_totp_key(context.seed, saved.username),
            )
        )
    RoleAssignment.objects.bulk_create(roles_rows, batch_size=5000)
    Vetting.objects.bulk_create(vetting_rows, batch_size=5000)
    CaveatAuthorisation.objects.bulk_create(caveat_rows, batch_size=5000)
    TeamMembership.objects.bulk_create(membership_rows, batch_size=5000)
    TOTPDevice.objects.bulk_create(devices, batch_size=5000)


def _line_management() -> None:
    """Each team's manager is its most senior member (``access.roles.senior_filter``), or its
    first member when it has no senior; the other members report to them."""
    for team in Team.objects.all():
        member_ids = list(team.memberships.order_by("user_id").values_list("user_id", flat=True))
        if not member_ids:
            continue
        seniors = list(
            User.objects.filter(senior_filter(), pk__in=member_ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        manager_id = seniors[0] if seniors else member_ids[0]
        Team.objects.filter(pk=team.pk).update(manager_id=manager_id)
        User.objects.filter(pk__in=member_ids).exclude(pk=manager_id).update(
            line_manager_id=manager_id
        )
