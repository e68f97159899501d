"""Reads for agency administration, scoped to the administrator's own agency.

Every function takes the acting administrator and returns only what they may manage: users and
teams of their own agency, never a system administrator or superuser. A user or team of another
agency raises the same ``Http404`` as a missing one, and the attempt is a DENY in the audit
chain (docs/security-tests.md class 4: an agency administrator reaching into another agency).
"""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from jointcase.access.agencies import agency_id_of, is_agency_admin, users_managed_by
from jointcase.accounts.models import User
from jointcase.agencies.models import CaveatAuthorisation, Team, TeamMembership
from jointcase.audit.models import Outcome
from jointcase.audit.services import audit_record

#: Longest name filter accepted on the users list (anything longer is cut, never an error).
NAME_FILTER_MAX = 100


#: The orders the users list may be sorted in (a page's ``sort`` key, ``-key`` descending).
USER_ORDERS: dict[str, tuple[str, ...]] = {
    "name": ("last_name", "first_name", "username"),
    "username": ("username",),
    "vetting": ("vetting__expires_on", "last_name", "first_name", "username"),
}


def agency_users_for(*, actor: User, name: str = "", sort: str = "name") -> QuerySet[User]:
    """The users of the actor's own agency, optionally filtered by name or username, in the
    order ``sort`` names (a ``USER_ORDERS`` key; anything else is by name)."""
    users = users_managed_by(actor)
    name = " ".join(name.split())[:NAME_FILTER_MAX]
    for word in name.split(" ") if name else ():
        users = users.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(username__icontains=word)
        )
    return (
        users.select_related("vetting", "agency")
        .prefetch_related("role_assignments")
        .order_by(*_user_order(sort))
    )


def _user_order(sort: str) -> tuple[str, ...]:
    terms = USER_ORDERS.get(sort.removeprefix("-"), USER_ORDERS["name"])
    return tuple(f"-{term}" for term in terms) if sort.startswith("-") else terms


def _deny(*, actor: User, object_type: str, object_id: object, request: HttpRequest | None) -> None:
    audit_record(
        action="agencies.out_of_scope",
        actor=actor,
        outcome=Outcome.DENY,
        object_type=object_type,
        object_id=str(object_id),
        reason="agency administrator reached outside their own agency",
        details={"alert": "vertical_escalation"},
        request=request,
    )


def agency_user_get_for(*, actor: User, user_id: int, request: HttpRequest | None = None) -> User:
    """One user the actor may manage, or ``Http404`` (missing and forbidden look the same)."""
    user = (
        users_managed_by(actor)
        .select_related("vetting", "agency", "line_manager")
        .prefetch_related(
            Prefetch(
                "caveat_authorisations",
                queryset=CaveatAuthorisation.objects.select_related("caveat").order_by(
                    "caveat__code"
                ),
            )
        )
        .filter(pk=user_id)
        .first()
    )
    if user is None:
        if User.objects.filter(pk=user_id).exists():
            _deny(actor=actor, object_type="user", object_id=user_id, request=request)
        raise Http404
    return user


def agency_teams_for(*, actor: User) -> QuerySet[Team]:
    """The teams of the actor's own agency, each with ``current_members`` counted."""
    if not is_agency_admin(actor):
        return Team.objects.none()
    today = timezone.localdate()
    current = Q(memberships__start__lte=today) & (
        Q(memberships__end__isnull=True) | Q(memberships__end__gte=today)
    )
    return (
        Team.objects.filter(agency_id=agency_id_of(actor))
        .select_related("manager", "agency")
        .annotate(current_members=Count("memberships", filter=current))
        .order_by("name")
    )


def agency_team_get_for(*, actor: User, team_id: int, request: HttpRequest | None = None) -> Team:
    team = agency_teams_for(actor=actor).filter(pk=team_id).first()
    if team is None:
        if Team.objects.filter(pk=team_id).exists():
            _deny(actor=actor, object_type="team", object_id=team_id, request=request)
        raise Http404
    return team


def team_current_memberships(*, team: Team) -> QuerySet[TeamMembership]:
    return (
        TeamMembership.objects.current()
        .filter(team=team)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )


def team_membership_get_for(
    *, actor: User, team: Team, membership_id: int, request: HttpRequest | None = None
) -> TeamMembership:
    """A current membership of ``team`` (already scoped); another team's id is a 404."""
    membership = team_current_memberships(team=team).filter(pk=membership_id).first()
    if membership is None:
        if (
            TeamMembership.objects.filter(pk=membership_id)
            .exclude(team__agency_id=agency_id_of(actor))
            .exists()
        ):
            _deny(
                actor=actor, object_type="team_membership", object_id=membership_id, request=request
            )
        raise Http404
    return membership


def user_current_teams(*, user: User) -> QuerySet[TeamMembership]:
    return (
        TeamMembership.objects.current()
        .filter(user=user)
        .select_related("team")
        .order_by("team__name")
    )
