"""Who may administer an agency's users and teams: an agency administrator's ceiling (the
most they may grant anyone) and the refusals the agency services ask before they write.

One module so that the choices a form offers and the checks a service enforces can never
diverge (docs/style.md: duplicated access logic is a bug waiting to happen). The rule:

- **vetting**: a level no higher than the administrator's own *effective* level
  (``Vetting.effective_level``: expired vetting falls back to BPSS);
- **caveats**: only caveats the administrator holds *currently* (unexpired, active);
- **roles**: the roles they hold themselves, plus the ordinary operational roles of their
  agency's kind (``AGENCY_ADMIN_GRANTABLE_ROLES``, a setting with the default below), never
  a platform-only role (``PLATFORM_ONLY_ROLES``: system administrator), and the agency
  administrator role only when they hold it;
- **never themselves** (no self-escalation), never a user of another agency, never a system
  administrator or superuser.

Expiry rules for vetting and caveat authorisations live here too, for the same reason.

Each ``agency_*_refusal`` answers ``None`` (allowed) or an ``AgencyRefusal``: the reason the
DENY alert records, the message the administrator sees (the same ``OUT_OF_REACH`` whatever the
reason when the target is beyond their reach, so it tells nothing about the target) and the
form field it belongs to. ``agencies.services`` raise them through
``jointcase.access.acting.permission_require`` (403).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from jointcase.access.acting import Refusal
from jointcase.access.policy import AnyUser
from jointcase.access.roles import PLATFORM_ONLY_ROLES
from jointcase.accounts.models import Role, User
from jointcase.agencies.models import (
    VETTING_RANK,
    AgencyKind,
    Caveat,
    CaveatAuthorisation,
    Team,
    Vetting,
    VettingLevel,
)

#: The message shown for every attempt on someone outside the actor's reach: the same whatever
#: the reason, so it tells nothing about the target.
OUT_OF_REACH = "You cannot manage this account"
SELF_CHANGE = (
    "You cannot change your own roles, vetting, caveats, team memberships, status or second "
    "factor: ask another agency administrator"
)

#: Operational roles an agency administrator may grant in an agency of each kind, whether or
#: not they hold them. Override with ``settings.AGENCY_ADMIN_GRANTABLE_ROLES`` (same shape);
#: an empty mapping leaves "only the roles they hold themselves".
DEFAULT_GRANTABLE_ROLES_BY_KIND: dict[str, tuple[str, ...]] = {
    AgencyKind.PROBATION: (Role.NSD_PRACTITIONER, Role.NSD_SENIOR_LEAD),
    AgencyKind.POLICE: (Role.CTNM_OFFICER, Role.CT_SUPERVISOR),
    AgencyKind.PRISON: (Role.POM, Role.PRISON_CT_LEAD, Role.REGIONAL_CT_COORDINATOR),
    AgencyKind.PARTNER: (Role.PARTNER_LIAISON,),
    AgencyKind.NATIONAL: (Role.NATIONAL_GOVERNANCE, Role.INSPECTOR),
    AgencyKind.PLATFORM: (),
}

#: The longest a vetting clearance may be recorded for, in years (policy: a setting).
DEFAULT_VETTING_MAX_YEARS = 10


def is_agency_admin(user: AnyUser) -> bool:
    return bool(
        isinstance(user, User)
        and user.is_authenticated
        and user.is_active
        and user.agency_id is not None
        and user.has_role(Role.AGENCY_ADMIN)
    )


def agency_id_of(actor: User) -> int:
    """The administrator's agency (``is_agency_admin`` guarantees they have one)."""
    if actor.agency_id is None:
        raise ValueError("an agency administrator always belongs to an agency")
    return int(actor.agency_id)


def effective_vetting_level(user: User, on: dt.date | None = None) -> str:
    try:
        vetting = user.vetting
    except Vetting.DoesNotExist:
        return VettingLevel.NONE
    return vetting.effective_level(on)


def grantable_vetting_levels(actor: User) -> list[str]:
    """Vetting levels the actor may grant, lowest first (NONE always: it grants nothing)."""
    ceiling = VETTING_RANK[effective_vetting_level(actor)]
    return [level for level in VettingLevel.values if VETTING_RANK[level] <= ceiling]


def grantable_caveats(actor: User) -> list[Caveat]:
    """Caveats the actor holds today; the only ones they may grant."""
    held = CaveatAuthorisation.objects.current().filter(user=actor).values("caveat_id")
    return list(Caveat.objects.filter(pk__in=held, is_active=True).order_by("code"))


def grantable_roles(actor: User) -> list[str]:
    """Roles the actor may grant, in the order of ``Role``."""
    by_kind: dict[str, Iterable[str]] = getattr(
        settings, "AGENCY_ADMIN_GRANTABLE_ROLES", DEFAULT_GRANTABLE_ROLES_BY_KIND
    )
    agency = actor.agency
    allowed = set(actor.role_codes)
    if agency is not None:
        allowed.update(by_kind.get(agency.kind, ()))
    allowed -= PLATFORM_ONLY_ROLES
    if not actor.has_role(Role.AGENCY_ADMIN):
        allowed.discard(Role.AGENCY_ADMIN)
    return [role for role in Role.values if role in allowed]


def is_platform_account(user: User) -> bool:
    """A system administrator or superuser: managed only in the Django admin."""
    return bool(user.is_superuser or user.has_role(*PLATFORM_ONLY_ROLES))


def users_managed_by(actor: User) -> QuerySet[User]:
    """The users ``actor`` administers, as a queryset: the twin of ``agency_user_refusal``
    (users of their own agency, never a platform account; nobody unless they are an agency
    administrator). It includes the actor, whom the refusal admits for their own name and
    contact details."""
    if not is_agency_admin(actor):
        return User.objects.none()
    return User.objects.filter(agency_id=agency_id_of(actor), is_superuser=False).exclude(
        role_assignments__role__in=PLATFORM_ONLY_ROLES
    )


def years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def vetting_max_years() -> int:
    return int(getattr(settings, "AGENCY_VETTING_MAX_YEARS", DEFAULT_VETTING_MAX_YEARS))


def expiry_problem(expires_on: dt.date, *, what: str, max_years: int | None = None) -> str | None:
    """Why an expiry date is unacceptable (a user-facing message), or None.

    Expiry must be in the future (an expired grant is no grant) and, where policy limits it,
    no more than ``max_years`` from today.
    """
    today = timezone.localdate()
    if expires_on <= today:
        return f"The date {what} expires must be in the future"
    if max_years is not None and expires_on > years_after(today, max_years):
        return f"The date {what} expires must be within {max_years} years"
    return None


# --- refusals: may this administrator do this? -----------------------------------------------


@dataclass(frozen=True)
class AgencyRefusal(Refusal):
    """A ``Refusal`` that names the form field it belongs to (None: the whole form)."""

    field: str | None = None


def agency_admin_refusal(actor: AnyUser) -> AgencyRefusal | None:
    """Only an active agency administrator of an agency administers it."""
    if is_agency_admin(actor):
        return None
    return AgencyRefusal("actor is not an agency administrator", OUT_OF_REACH)


def agency_user_refusal(
    actor: User, user: User, *, self_allowed: bool = False
) -> AgencyRefusal | None:
    """May ``actor`` act on ``user``: same agency, not a platform account, not themselves
    (``self_allowed`` for their own name and contact details)."""
    refusal = agency_admin_refusal(actor)
    if refusal is not None:
        return refusal
    if user.agency_id is None or user.agency_id != actor.agency_id:
        return AgencyRefusal("user of another agency", OUT_OF_REACH)
    if is_platform_account(user):
        return AgencyRefusal("system administrator account", OUT_OF_REACH)
    if not self_allowed and user.pk == actor.pk:
        return AgencyRefusal("self-escalation attempt", SELF_CHANGE)
    return None


def agency_colleague_refusal(actor: User, user: User | None, *, field: str) -> AgencyRefusal | None:
    """A line manager, team manager or new team member must be of the actor's own agency."""
    if user is None:
        return None
    if user.agency_id != actor.agency_id or is_platform_account(user):
        return AgencyRefusal(
            f"{field} from another agency", "Select someone from your own agency", field=field
        )
    return None


def agency_roles_refusal(actor: User, roles: Iterable[str]) -> AgencyRefusal | None:
    """Every known role in ``roles`` must be within the actor's ceiling (unknown ones are a
    validation error for the service, not a refusal)."""
    beyond = sorted((set(roles) & set(Role.values)) - set(grantable_roles(actor)))
    if not beyond:
        return None
    labels = ", ".join(Role(code).label for code in beyond)
    return AgencyRefusal(
        f"role beyond the administrator's ceiling: {', '.join(beyond)}",
        f"You cannot grant this role: {labels}",
        field="roles",
    )


def agency_vetting_refusal(actor: User, level: str) -> AgencyRefusal | None:
    """A known vetting level must be no higher than the actor's own effective level."""
    if level not in VettingLevel.values or level in grantable_vetting_levels(actor):
        return None
    return AgencyRefusal(
        f"vetting beyond the administrator's ceiling: {level} > {effective_vetting_level(actor)}",
        f"You cannot grant {VettingLevel(level).label}: it is above your own vetting",
        field="level",
    )


def agency_caveats_refusal(actor: User, caveat_ids: Iterable[int]) -> AgencyRefusal | None:
    """Every active caveat asked for must be one the actor holds today."""
    allowed = {caveat.pk for caveat in grantable_caveats(actor)}
    asked = Caveat.objects.filter(pk__in=list(caveat_ids), is_active=True)
    beyond = sorted(caveat.code for caveat in asked if caveat.pk not in allowed)
    if not beyond:
        return None
    return AgencyRefusal(
        f"caveat beyond the administrator's ceiling: {', '.join(beyond)}",
        f"You cannot grant a caveat you do not hold: {', '.join(beyond)}",
        field="caveats",
    )


def agency_team_refusal(actor: User, team: Team) -> AgencyRefusal | None:
    """An administrator manages the teams of their own agency only."""
    refusal = agency_admin_refusal(actor)
    if refusal is not None:
        return refusal
    if team.agency_id != actor.agency_id:
        return AgencyRefusal("team of another agency", OUT_OF_REACH)
    return None


def agency_own_membership_refusal(actor: User, user_id: object) -> AgencyRefusal | None:
    """Nobody changes their own memberships: another administrator must (no self-escalation)."""
    if user_id == actor.pk:
        return AgencyRefusal("self-escalation attempt: own team membership", SELF_CHANGE)
    return None
