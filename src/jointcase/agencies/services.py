"""Writes for agency administration: users, roles, vetting, caveats, second factors and teams.

Every service is ``@transaction.atomic`` and writes its audit entry inside that transaction.
Each one checks, before changing anything, that the actor is an agency administrator acting on
their own agency, never on themselves for roles, vetting, caveats, status or second factors, never
on a system administrator, and never beyond their ceiling (``jointcase.agencies.ceiling``).

A refusal raises ``Refused`` (a ``ValidationError`` the form shows) after the transaction has
rolled back, and ``_refusals_audited`` then writes a DENY entry flagged as an alert in a
transaction of its own, so that the attempt stays on record although nothing else was written
(SECURITY-TESTS.md class 4: deny and alert).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Mapping
from typing import ParamSpec, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from jointcase.accounts import services as account_services
from jointcase.accounts.enrolment import enrolment_link_issue, enrolment_links_revoke
from jointcase.accounts.models import EnrolmentReason, Role, RoleAssignment, User
from jointcase.agencies.ceiling import (
    agency_id_of,
    effective_vetting_level,
    expiry_problem,
    grantable_caveats,
    grantable_roles,
    grantable_vetting_levels,
    is_agency_admin,
    is_platform_account,
    vetting_max_years,
)
from jointcase.agencies.models import (
    Caveat,
    CaveatAuthorisation,
    Team,
    TeamMembership,
    Vetting,
    VettingLevel,
)
from jointcase.audit.models import Outcome
from jointcase.audit.services import audit_record

P = ParamSpec("P")
R = TypeVar("R")

#: The message shown for every attempt on someone outside the actor's reach: the same whatever
#: the reason, so it tells nothing about the target.
OUT_OF_REACH = "You cannot manage this account"
SELF_CHANGE = (
    "You cannot change your own roles, vetting, caveats, team memberships, status or second "
    "factor: ask another agency administrator"
)


class Refused(ValidationError):
    """An attempt beyond the actor's authority: shown as a form error, audited as a DENY alert."""

    def __init__(
        self,
        message: str,
        *,
        reason: str,
        field: str | None = None,
        object_type: str = "user",
        object_id: object = "",
    ) -> None:
        super().__init__({field: [message]} if field else message)
        self.reason = reason
        self.object_type = object_type
        self.object_id = str(object_id)


def _refusals_audited(action: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Record a ``Refused`` as a DENY alert once the refused transaction has rolled back."""

    def decorate(service: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(service)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return service(*args, **kwargs)
            except Refused as refusal:
                actor = kwargs.get("actor")
                request = kwargs.get("request")
                with transaction.atomic():
                    audit_record(
                        action=action,
                        actor=actor if isinstance(actor, User) else None,
                        outcome=Outcome.DENY,
                        object_type=refusal.object_type,
                        object_id=refusal.object_id,
                        reason=refusal.reason,
                        details={"alert": "vertical_escalation"},
                        request=request if isinstance(request, HttpRequest) else None,
                    )
                raise

        return wrapper

    return decorate


# --- checks shared by every service ---------------------------------------------------------


def _check_admin(actor: User) -> None:
    if not is_agency_admin(actor):
        raise Refused(OUT_OF_REACH, reason="actor is not an agency administrator", object_type="")


def _check_reach(actor: User, user: User, *, self_allowed: bool = False) -> None:
    """The actor may act on ``user``: same agency, not a platform account, not themselves."""
    _check_admin(actor)
    if user.agency_id is None or user.agency_id != actor.agency_id:
        raise Refused(OUT_OF_REACH, reason="user of another agency", object_id=user.pk)
    if is_platform_account(user):
        raise Refused(OUT_OF_REACH, reason="system administrator account", object_id=user.pk)
    if not self_allowed and user.pk == actor.pk:
        raise Refused(SELF_CHANGE, reason="self-escalation attempt", object_id=user.pk)


def _check_colleague(actor: User, user: User | None, *, field: str) -> None:
    """A line manager, team manager or new member must be of the actor's own agency."""
    if user is None:
        return
    if user.agency_id != actor.agency_id or is_platform_account(user):
        raise Refused(
            "Select someone from your own agency",
            reason=f"{field} from another agency",
            field=field,
            object_id=user.pk,
        )


def _check_expiry(expires_on: dt.date, *, what: str, max_years: int | None = None) -> None:
    problem = expiry_problem(expires_on, what=what, max_years=max_years)
    if problem:
        raise ValidationError(problem)


def _vetting_details(user: User) -> dict[str, str]:
    vetting = Vetting.objects.filter(user=user).first()
    if vetting is None:
        return {}
    return {"level": vetting.level, "expires_on": vetting.expires_on.isoformat()}


# --- users ------------------------------------------------------------------------------------


@_refusals_audited("agencies.user_create")
@transaction.atomic
def agency_user_create(
    *,
    actor: User,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    job_title: str = "",
    line_manager: User | None = None,
    roles: Iterable[str] = (),
    vetting_level: str = VettingLevel.NONE,
    vetting_expires_on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> tuple[User, str]:
    """A new user of the actor's agency and the secret of their single-use enrolment link.

    The administrator never chooses or learns a password: the new user has none that works
    until they follow the link (shown once to the administrator to pass on), set their own
    password and enrol their own second factor (``jointcase.accounts.enrolment``).
    """
    _check_admin(actor)
    _check_colleague(actor, line_manager, field="line_manager")
    username = username.strip().lower()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": ["That username is already in use: choose another"]})
    user = User(
        username=username,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email.strip(),
        job_title=job_title.strip(),
        agency_id=actor.agency_id,
        line_manager=line_manager,
    )
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as error:  # the same username created a moment ago
        raise ValidationError(
            {"username": ["That username is already in use: choose another"]}
        ) from error
    _roles_apply(actor=actor, user=user, roles=roles, creating=True)
    _vetting_apply(actor=actor, user=user, level=vetting_level, expires_on=vetting_expires_on)
    audit_record(
        action="agencies.user_create",
        actor=actor,
        object_type="user",
        object_id=user.pk,
        details={
            "username": user.username,
            "roles": sorted(user.role_assignments.values_list("role", flat=True)),
            "vetting": _vetting_details(user),
        },
        request=request,
    )
    _link, secret = enrolment_link_issue(
        actor=actor, user=user, reason=EnrolmentReason.NEW_USER, request=request
    )
    return user, secret


@_refusals_audited("agencies.user_update")
@transaction.atomic
def agency_user_update(
    *,
    actor: User,
    user: User,
    first_name: str,
    last_name: str,
    email: str,
    job_title: str,
    line_manager: User | None,
    request: HttpRequest | None = None,
) -> User:
    """Name, e-mail, job title and line manager (someone else in the same agency)."""
    _check_reach(actor, user, self_allowed=True)
    _check_colleague(actor, line_manager, field="line_manager")
    if line_manager is not None and line_manager.pk == user.pk:
        raise ValidationError({"line_manager": ["Someone cannot be their own line manager"]})
    values = {
        "first_name": first_name.strip(),
        "last_name": last_name.strip(),
        "email": email.strip(),
        "job_title": job_title.strip(),
        "line_manager_id": line_manager.pk if line_manager else None,
    }
    changed = sorted(name for name, value in values.items() if getattr(user, name) != value)
    for name, value in values.items():
        setattr(user, name, value)
    user.save(update_fields=[name.removesuffix("_id") for name in values])
    audit_record(
        action="agencies.user_update",
        actor=actor,
        object_type="user",
        object_id=user.pk,
        details={"fields": changed},
        request=request,
    )
    return user


def _roles_apply(
    *, actor: User, user: User, roles: Iterable[str], creating: bool = False
) -> tuple[list[str], list[str]]:
    """Set the grantable part of ``user``'s roles to ``roles``; keep the roles beyond reach.

    Roles outside the actor's ceiling that the user already holds (given by a system
    administrator, say) are neither shown nor touched. Returns (before, after).
    """
    wanted = set(roles)
    unknown = wanted - set(Role.values)
    if unknown:
        raise ValidationError({"roles": ["Select roles from the list"]})
    allowed = set(grantable_roles(actor))
    beyond = sorted(wanted - allowed)
    if beyond:
        labels = ", ".join(Role(code).label for code in beyond)
        raise Refused(
            f"You cannot grant this role: {labels}",
            reason=f"role beyond the administrator's ceiling: {', '.join(beyond)}",
            field="roles",
            object_id="" if creating else user.pk,
        )
    before = set(RoleAssignment.objects.filter(user=user).values_list("role", flat=True))
    after = (before - allowed) | wanted
    RoleAssignment.objects.filter(user=user, role__in=before - after).delete()
    RoleAssignment.objects.bulk_create(
        [RoleAssignment(user=user, role=role) for role in sorted(after - before)]
    )
    user.__dict__.pop("_role_codes", None)
    return sorted(before), sorted(after)


@_refusals_audited("agencies.user_roles_set")
@transaction.atomic
def agency_user_roles_set(
    *, actor: User, user: User, roles: Iterable[str], request: HttpRequest | None = None
) -> None:
    _check_reach(actor, user)
    before, after = _roles_apply(actor=actor, user=user, roles=roles)
    audit_record(
        action="agencies.user_roles_set",
        actor=actor,
        object_type="user",
        object_id=user.pk,
        details={"before": before, "after": after},
        request=request,
    )


def _vetting_apply(*, actor: User, user: User, level: str, expires_on: dt.date | None) -> None:
    if level not in VettingLevel.values:
        raise ValidationError({"level": ["Select a vetting level from the list"]})
    if level not in grantable_vetting_levels(actor):
        raise Refused(
            f"You cannot grant {VettingLevel(level).label}: it is above your own vetting",
            reason=(
                f"vetting beyond the administrator's ceiling: {level} > "
                f"{effective_vetting_level(actor)}"
            ),
            field="level",
            object_id=user.pk,
        )
    today = timezone.localdate()
    if level == VettingLevel.NONE:
        expires_on = today  # no clearance: nothing to expire
    else:
        if expires_on is None:
            raise ValidationError({"expires_on": ["Enter the date the vetting expires"]})
        _check_expiry(expires_on, what="the vetting", max_years=vetting_max_years())
    Vetting.objects.update_or_create(
        user=user, defaults={"level": level, "granted_on": today, "expires_on": expires_on}
    )


@_refusals_audited("agencies.user_vetting_set")
@transaction.atomic
def agency_user_vetting_set(
    *,
    actor: User,
    user: User,
    level: str,
    expires_on: dt.date | None,
    request: HttpRequest | None = None,
) -> None:
    _check_reach(actor, user)
    before = _vetting_details(user)
    _vetting_apply(actor=actor, user=user, level=level, expires_on=expires_on)
    audit_record(
        action="agencies.user_vetting_set",
        actor=actor,
        object_type="user",
        object_id=user.pk,
        details={"before": before, "after": _vetting_details(user)},
        request=request,
    )


@_refusals_audited("agencies.user_caveats_set")
@transaction.atomic
def agency_user_caveats_set(
    *,
    actor: User,
    user: User,
    grants: Mapping[int, dt.date | None],
    request: HttpRequest | None = None,
) -> None:
    """Set the user's authorisations for the caveats the actor holds: ``{caveat_id: expiry}``.

    A grantable caveat missing from ``grants`` is withdrawn; caveats the actor does not hold are
    left as they are (and asking for one is refused).
    """
    _check_reach(actor, user)
    known = {
        caveat.pk: caveat for caveat in Caveat.objects.filter(pk__in=list(grants), is_active=True)
    }
    if set(grants) - set(known):
        raise ValidationError({"caveats": ["Select caveats from the list"]})
    allowed = {caveat.pk for caveat in grantable_caveats(actor)}
    beyond = sorted(known[pk].code for pk in grants if pk not in allowed)
    if beyond:
        raise Refused(
            f"You cannot grant a caveat you do not hold: {', '.join(beyond)}",
            reason=f"caveat beyond the administrator's ceiling: {', '.join(beyond)}",
            field="caveats",
            object_id=user.pk,
        )
    for pk, expires_on in grants.items():
        if expires_on is None:
            raise ValidationError({"caveats": [f"Enter the date {known[pk].code} expires"]})
        _check_expiry(expires_on, what=f"the {known[pk].code} authorisation")
    existing = {auth.caveat_id: auth for auth in CaveatAuthorisation.objects.filter(user=user)}
    today = timezone.localdate()
    withdrawn = [auth for pk, auth in existing.items() if pk in allowed and pk not in grants]
    CaveatAuthorisation.objects.filter(pk__in=[auth.pk for auth in withdrawn]).delete()
    changed = []
    for pk, expires_on in grants.items():
        current = existing.get(pk)
        if current is not None and current.expires_on == expires_on:
            continue
        CaveatAuthorisation.objects.update_or_create(
            user=user,
            caveat_id=pk,
            defaults={"expires_on": expires_on, "granted_on": today, "granted_by": actor},
        )
        changed.append(
            {"caveat": known[pk].code, "expires_on": expires_on.isoformat() if expires_on else ""}
        )
    audit_record(
        action="agencies.user_caveats_set",
        actor=actor,
        object_type="user",
        object_id=user.pk,
        details={
            "granted": sorted(changed, key=lambda item: item["caveat"]),
            "withdrawn": sorted(auth.caveat.code for auth in withdrawn),
        },
        request=request,
    )


@_refusals_audited("agencies.user_disable")
@transaction.atomic
def agency_user_disable(*, actor: User, user: User, request: HttpRequest | None = None) -> None:
    """Disable the account, end every one of its sessions and revoke its credentials at once.

    Its API tokens and unused enrolment links are revoked for good: enabling the account again
    brings none of them back.
    """
    _check_reach(actor, user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    user.is_active = False
    audit_record(
        action="agencies.user_disable",
        actor=actor,
        object_type="user",
        object_id=user.pk,
        request=request,
    )
    account_services.user_sessions_end(
        actor=actor, user=user, reason="account disabled", request=request
    )
    account_services.user_api_tokens_revoke(
        actor=actor, user=user, reason="account disabled", request=request
    )
    enrolment_links_revoke(actor=actor, user=user, reason="account disabled", request=request)


@_refusals_audited("agencies.user_enable")
@transaction.atomic
def agency_user_enable(*, actor: User, user: User, request: HttpRequest | None = None) -> None:
    _check_reach(actor, user)
    User.objects.filter(pk=user.pk).update(is_active=True)
    user.is_active = True
    audit_record(
        action="agencies.user_enable",
        actor=actor,
        object_type="user",
        object_id=user.pk,
        request=request,
    )


@_refusals_audited("agencies.user_mfa_reset")
@transaction.atomic
def agency_user_mfa_reset(
    *, actor: User, user: User, request: HttpRequest | None = None
) -> str | None:
    """Remove every second factor of the user, end all their sessions, issue an enrolment link.

    Returns the link's secret (None for a disabled user), shown once to the administrator to
    pass on. Their old password stops working: with the link they set a new one and enrol a
    new second factor. ``accounts.services.mfa_reset`` does the work and re-checks who may
    reset whom.
    """
    _check_reach(actor, user)
    audit_record(
        action="agencies.user_mfa_reset",
        actor=actor,
        object_type="user",
        object_id=user.pk,
        request=request,
    )
    return account_services.mfa_reset(actor=actor, user=user, request=request)


@_refusals_audited("agencies.user_enrolment_link")
@transaction.atomic
def agency_user_enrolment_link_issue(
    *, actor: User, user: User, request: HttpRequest | None = None
) -> str:
    """A fresh enrolment link for a user who has not finished enrolling (the last one expired).

    A user who already has a second factor gets a new link only through a second-factor reset,
    so that this is never a quiet way into an enrolled account.
    """
    _check_reach(actor, user)
    if not user.is_active:
        raise ValidationError("Enable the account before sending an enrolment link")
    if account_services.user_has_second_factor(user):
        raise ValidationError(
            "This user has already set up a second factor: reset their second factor instead"
        )
    _link, secret = enrolment_link_issue(
        actor=actor, user=user, reason=EnrolmentReason.NEW_USER, request=request
    )
    return secret


# --- teams ------------------------------------------------------------------------------------


@_refusals_audited("agencies.team_create")
@transaction.atomic
def team_create(
    *, actor: User, name: str, manager: User | None = None, request: HttpRequest | None = None
) -> Team:
    _check_admin(actor)
    _check_colleague(actor, manager, field="manager")
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": ["Enter the team name"]})
    if Team.objects.filter(agency_id=agency_id_of(actor), name__iexact=name).exists():
        raise ValidationError({"name": ["Your agency already has a team with that name"]})
    team = Team.objects.create(agency_id=agency_id_of(actor), name=name, manager=manager)
    audit_record(
        action="agencies.team_create",
        actor=actor,
        object_type="team",
        object_id=team.pk,
        details={"name": team.name, "manager": manager.pk if manager else None},
        request=request,
    )
    return team


def _check_not_self(actor: User, user_id: object, *, object_type: str, object_id: object) -> None:
    """Nobody changes their own memberships: another administrator must (no self-escalation)."""
    if user_id == actor.pk:
        raise Refused(
            SELF_CHANGE,
            reason="self-escalation attempt: own team membership",
            object_type=object_type,
            object_id=object_id,
        )


def _check_team(actor: User, team: Team) -> None:
    _check_admin(actor)
    if team.agency_id != actor.agency_id:
        raise Refused(
            OUT_OF_REACH, reason="team of another agency", object_type="team", object_id=team.pk
        )


@_refusals_audited("agencies.team_member_add")
@transaction.atomic
def team_member_add(
    *, actor: User, team: Team, user: User, request: HttpRequest | None = None
) -> TeamMembership:
    _check_team(actor, team)
    _check_colleague(actor, user, field="user")
    _check_not_self(actor, user.pk, object_type="team", object_id=team.pk)
    if TeamMembership.objects.current().filter(team=team, user=user).exists():
        raise ValidationError({"user": [f"{user} is already a member of this team"]})
    membership = TeamMembership.objects.create(team=team, user=user, start=timezone.localdate())
    audit_record(
        action="agencies.team_member_add",
        actor=actor,
        object_type="team",
        object_id=team.pk,
        details={"user": user.pk, "membership": membership.pk},
        request=request,
    )
    return membership


@_refusals_audited("agencies.team_member_end")
@transaction.atomic
def team_member_end(
    *, actor: User, membership: TeamMembership, request: HttpRequest | None = None
) -> None:
    """End a membership now: from today the user is no longer in the team.

    The end date is inclusive (``TeamMembership.current``), so ending now records yesterday; a
    membership that only started today never took effect on an earlier day and is removed.
    """
    _check_team(actor, membership.team)
    _check_not_self(actor, membership.user_id, object_type="team", object_id=membership.team_id)
    today = timezone.localdate()
    details = {"user": membership.user_id, "membership": membership.pk}
    if membership.start >= today:
        membership.delete()
        details["removed"] = True
    else:
        membership.end = today - dt.timedelta(days=1)
        membership.save(update_fields=["end"])
    audit_record(
        action="agencies.team_member_end",
        actor=actor,
        object_type="team",
        object_id=membership.team_id,
        details=details,
        request=request,
    )
