"""Writes for agency administration: users, roles, vetting, caveats, second factors and teams.

Every service is ``@transaction.atomic`` and writes its audit entry inside that transaction.
Before that transaction opens, each one asks ``jointcase.access.agencies`` (``_asks``) whether the
actor is an agency administrator acting on their own agency, never on themselves for roles,
vetting, caveats, status or second factors, never on a system administrator, and never beyond
their ceiling.

A refusal goes through ``jointcase.access.acting.permission_require``: a DENY entry flagged as an
alert, in a transaction of its own so that the attempt stays on record although nothing else
is written (docs/security-tests.md class 4: deny and alert), then ``NotPermitted`` (403; the pages
show its message on the form).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ParamSpec, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from jointcase.access.acting import permission_require
from jointcase.access.agencies import (
    AgencyRefusal,
    agency_admin_refusal,
    agency_caveats_refusal,
    agency_colleague_refusal,
    agency_id_of,
    agency_own_membership_refusal,
    agency_roles_refusal,
    agency_team_refusal,
    agency_user_refusal,
    agency_vetting_refusal,
    expiry_problem,
    grantable_caveats,
    grantable_roles,
    vetting_max_years,
)
from jointcase.accounts import services as account_services
from jointcase.accounts.enrolment import enrolment_link_issue, enrolment_links_revoke
from jointcase.accounts.models import EnrolmentReason, Role, RoleAssignment, User
from jointcase.accounts.signals import user_roles_changed
from jointcase.agencies.models import (
    Caveat,
    CaveatAuthorisation,
    Team,
    TeamMembership,
    Vetting,
    VettingLevel,
)
from jointcase.audit.services import audit_record

P = ParamSpec("P")
R = TypeVar("R")

#: Every refusal of agency administration is flagged as an alert (vertical escalation).
ALERT: dict[str, object] = {"alert": "vertical_escalation"}

#: One check a service asks before its transaction: the refusal (or None) and the object the
#: DENY entry names.
Rule = Callable[[Mapping[str, Any]], "tuple[AgencyRefusal | None, str, object]"]


def _asks(action: str, *rules: Rule) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Ask each rule, in order, before the service (and its transaction) runs."""

    def decorate(service: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(service)
        def checked(*args: P.args, **kwargs: P.kwargs) -> R:
            actor = kwargs.get("actor")
            request = kwargs.get("request")
            for rule in rules:
                refusal, object_type, object_id = rule(kwargs)
                permission_require(
                    actor=actor if isinstance(actor, User) else None,
                    refusal=refusal,
                    action=action,
                    object_type=object_type,
                    object_id=str(object_id),
                    request=request if isinstance(request, HttpRequest) else None,
                    details=ALERT,
                )
            return service(*args, **kwargs)

        return checked

    return decorate


# --- the rules the services ask ---------------------------------------------------------------


def _admin(kwargs: Mapping[str, Any]) -> tuple[AgencyRefusal | None, str, object]:
    return agency_admin_refusal(kwargs["actor"]), "", ""


def _reach(*, self_allowed: bool = False) -> Rule:
    def rule(kwargs: Mapping[str, Any]) -> tuple[AgencyRefusal | None, str, object]:
        user = kwargs["user"]
        return (
            agency_user_refusal(kwargs["actor"], user, self_allowed=self_allowed),
            "user",
            user.pk,
        )

    return rule


def _colleague(field: str) -> Rule:
    def rule(kwargs: Mapping[str, Any]) -> tuple[AgencyRefusal | None, str, object]:
        user = kwargs.get(field)
        refusal = agency_colleague_refusal(kwargs["actor"], user, field=field)
        return refusal, "user", user.pk if user is not None else ""

    return rule


def _object_id(kwargs: Mapping[str, Any]) -> object:
    user = kwargs.get("user")
    return user.pk if user is not None else ""


def _roles(kwargs: Mapping[str, Any]) -> tuple[AgencyRefusal | None, str, object]:
    roles = list(kwargs.get("roles", ()))
    return agency_roles_refusal(kwargs["actor"], roles), "user", _object_id(kwargs)


def _vetting(name: str) -> Rule:
    def rule(kwargs: Mapping[str, Any]) -> tuple[AgencyRefusal | None, str, object]:
        level = kwargs.get(name, VettingLevel.NONE)
        return agency_vetting_refusal(kwargs["actor"], level), "user", _object_id(kwargs)

    return rule


def _caveats(kwargs: Mapping[str, Any]) -> tuple[AgencyRefusal | None, str, object]:
    refusal = agency_caveats_refusal(kwargs["actor"], list(kwargs["grants"]))
    return refusal, "user", _object_id(kwargs)


def _team(kwargs: Mapping[str, Any]) -> tuple[AgencyRefusal | None, str, object]:
    team = kwargs["team"] if "team" in kwargs else kwargs["membership"].team
    return agency_team_refusal(kwargs["actor"], team), "team", team.pk


def _not_self(kwargs: Mapping[str, Any]) -> tuple[AgencyRefusal | None, str, object]:
    if "membership" in kwargs:
        membership = kwargs["membership"]
        user_id, team_id = membership.user_id, membership.team_id
    else:
        user_id, team_id = kwargs["user"].pk, kwargs["team"].pk
    return agency_own_membership_refusal(kwargs["actor"], user_id), "team", team_id


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


@_asks(
    "agencies.user_create", _admin, _colleague("line_manager"), _roles, _vetting("vetting_level")
)
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
    _roles_apply(actor=actor, user=user, roles=roles)
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


@_asks("agencies.user_update", _reach(self_allowed=True), _colleague("line_manager"))
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


def _roles_apply(*, actor: User, user: User, roles: Iterable[str]) -> tuple[list[str], list[str]]:
    """Set the grantable part of ``user``'s roles to ``roles``; keep the roles beyond reach.

    Roles outside the actor's ceiling that the user already holds (given by a system
    administrator, say) are neither shown nor touched. Returns (before, after).
    """
    wanted = set(roles)
    unknown = wanted - set(Role.values)
    if unknown:
        raise ValidationError({"roles": ["Select roles from the list"]})
    allowed = set(grantable_roles(actor))
    before = set(RoleAssignment.objects.filter(user=user).values_list("role", flat=True))
    after = (before - allowed) | wanted
    RoleAssignment.objects.filter(user=user, role__in=before - after).delete()
    RoleAssignment.objects.bulk_create(
        [RoleAssignment(user=user, role=role) for role in sorted(after - before)]
    )
    user.__dict__.pop("_role_codes", None)
    if before != after:
        user_roles_changed.send(sender=User, user=user, before=sorted(before), after=sorted(after))
    return sorted(before), sorted(after)


@_asks("agencies.user_roles_set", _reach(), _roles)
@transaction.atomic
def agency_user_roles_set(
    *, actor: User, user: User, roles: Iterable[str], request: HttpRequest | None = None
) -> None:
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


@_asks("agencies.user_vetting_set", _reach(), _vetting("level"))
@transaction.atomic
def agency_user_vetting_set(
    *,
    actor: User,
    user: User,
    level: str,
    expires_on: dt.date | None,
    request: HttpRequest | None = None,
) -> None:
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


@_asks("agencies.user_caveats_set", _reach(), _caveats)
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
    known = {
        caveat.pk: caveat for caveat in Caveat.objects.filter(pk__in=list(grants), is_active=True)
    }
    if set(grants) - set(known):
        raise ValidationError({"caveats": ["Select caveats from the list"]})
    allowed = {caveat.pk for caveat in grantable_caveats(actor)}
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


@_asks("agencies.user_disable", _reach())
@transaction.atomic
def agency_user_disable(*, actor: User, user: User, request: HttpRequest | None = None) -> None:
    """Disable the account, end every one of its sessions and revoke its credentials at once.

    Its API tokens and unused enrolment links are revoked for good: enabling the account again
    brings none of them back.
    """
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


@_asks("agencies.user_enable", _reach())
@transaction.atomic
def agency_user_enable(*, actor: User, user: User, request: HttpRequest | None = None) -> None:
    User.objects.filter(pk=user.pk).update(is_active=True)
    user.is_active = True
    audit_record(
        action="agencies.user_enable",
        actor=actor,
        object_type="user",
        object_id=user.pk,
        request=request,
    )


@_asks("agencies.user_mfa_reset", _reach())
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
    audit_record(
        action="agencies.user_mfa_reset",
        actor=actor,
        object_type="user",
        object_id=user.pk,
        request=request,
    )
    return account_services.mfa_reset(actor=actor, user=user, request=request)


@_asks("agencies.user_enrolment_link", _reach())
@transaction.atomic
def agency_user_enrolment_link_issue(
    *, actor: User, user: User, request: HttpRequest | None = None
) -> str:
    """A fresh enrolment link for a user who has not finished enrolling (the last one expired).

    A user who already has a second factor gets a new link only through a second-factor reset,
    so that this is never a quiet way into an enrolled account.
    """
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


@_asks("agencies.team_create", _admin, _colleague("manager"))
@transaction.atomic
def team_create(
    *, actor: User, name: str, manager: User | None = None, request: HttpRequest | None = None
) -> Team:
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


@_asks("agencies.team_member_add", _team, _colleague("user"), _not_self)
@transaction.atomic
def team_member_add(
    *, actor: User, team: Team, user: User, request: HttpRequest | None = None
) -> TeamMembership:
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


@_asks("agencies.team_member_end", _team, _not_self)
@transaction.atomic
def team_member_end(
    *, actor: User, membership: TeamMembership, request: HttpRequest | None = None
) -> None:
    """End a membership now: from today the user is no longer in the team.

    The end date is inclusive (``TeamMembership.current``), so ending now records yesterday; a
    membership that only started today never took effect on an earlier day and is removed.
    """
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
