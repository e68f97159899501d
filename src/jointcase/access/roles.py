"""The role groups the rules are written in, defined once (docs/design.md "Who uses it"), and
the role predicates every app asks instead of looking at roles itself.

Every rule that asks "is this a senior?" or "is this a manager?" uses these sets; nothing
else lists roles. Agency roles are a user's (``accounts.Role``); case roles are what a member
of a case team does on that case (``cases.CaseRole``). A predicate on one user that a list
also needs has its queryset twin beside it (``is_agency_manager`` and ``agency_managers``,
``material_acts.is_senior`` and ``senior_filter``), so the two can never drift apart.

The predicates take the signed-in user or ``AnonymousUser`` (a page's ``request.user``): an
anonymous user holds no role.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from jointcase.accounts.models import Role, RoleAssignment, User
from jointcase.cases.models import CaseRole

__all__ = [
    "CASE_MANAGER_ROLES",
    "CASE_SENIOR_ROLES",
    "MANAGER_ROLES",
    "NATIONAL_ROLES",
    "PLATFORM_ONLY_ROLES",
    "SENIOR_ROLES",
    "agency_managers",
    "holds_agency_admin_role",
    "is_agency_manager",
    "is_auditor",
    "is_system_admin",
    "may_use_admin_site",
    "senior_filter",
]

#: Roles that see aggregates, never case content, unless given a case relationship.
NATIONAL_ROLES = frozenset({Role.NATIONAL_GOVERNANCE, Role.INSPECTOR, Role.AUDITOR})
#: Roles an agency administrator may never grant, whatever they hold themselves.
PLATFORM_ONLY_ROLES = frozenset({Role.SYSTEM_ADMIN})
#: Seniors of an agency: review break-glass, oversee their agency's work.
SENIOR_ROLES = frozenset(
    {Role.NSD_SENIOR_LEAD, Role.CT_SUPERVISOR, Role.PRISON_CT_LEAD, Role.REGIONAL_CT_COORDINATOR}
)
#: Line managers of case workers (probation and police): move due dates, reassign, escalate to.
MANAGER_ROLES = frozenset({Role.NSD_SENIOR_LEAD, Role.CT_SUPERVISOR})
#: Leads of a region or unit who see its capacity figures (aggregates only).
REGIONAL_LEAD_ROLES = frozenset(
    {Role.NSD_SENIOR_LEAD, Role.CT_SUPERVISOR, Role.REGIONAL_CT_COORDINATOR}
)
#: Case-team roles that manage the case's team, exclusions and grants.
CASE_MANAGER_ROLES = frozenset({CaseRole.LEAD_NSD_PRACTITIONER, CaseRole.SENIOR_OPERATIONAL_LEAD})
#: Case-team roles that oversee the case's agreed actions (escalation goes to them).
CASE_SENIOR_ROLES = frozenset({CaseRole.SENIOR_OPERATIONAL_LEAD, CaseRole.CT_SUPERVISOR})


def senior_filter() -> Q:
    """Active seniors of their agency, as a filter on ``User``: the queryset form of
    ``material_acts.is_senior`` (one rule, two forms; the seeder picks each team's manager
    with it)."""
    senior_ids = RoleAssignment.objects.filter(role__in=SENIOR_ROLES).values("user_id")
    return Q(is_active=True, pk__in=senior_ids)


def is_auditor(user: User | AnonymousUser | None) -> bool:
    """Auditors read the audit reports (everyone else is answered 404, as for no page)."""
    return isinstance(user, User) and user.has_role(Role.AUDITOR)


def holds_agency_admin_role(user: User | AnonymousUser | None) -> bool:
    """Holds the agency administrator role (shown the agency pages; ``access.agencies.
    is_agency_admin`` decides whether they may act there: active, of an agency)."""
    return isinstance(user, User) and user.has_role(Role.AGENCY_ADMIN)


def is_system_admin(user: User) -> bool:
    """A system administrator: manages any account's tokens and second factors."""
    return user.has_role(Role.SYSTEM_ADMIN)


def may_use_admin_site(user: User | AnonymousUser) -> bool:
    """The Django admin: an active staff system administrator who passed a second factor."""
    return bool(
        isinstance(user, User)
        and user.is_active
        and user.is_verified()
        and user.has_role(Role.SYSTEM_ADMIN)
        and user.is_staff
    )


def is_agency_manager(user: User) -> bool:
    """A line manager of their agency's case workers (``MANAGER_ROLES``): sees and steers the
    agreed actions of their agency; escalation reaches them."""
    return bool(user.agency_id) and user.has_role(*MANAGER_ROLES)


def agency_managers(agency_id: int) -> QuerySet[User]:
    """The managers of one agency (``is_agency_manager``'s queryset twin), active or not."""
    return User.objects.filter(
        agency_id=agency_id, role_assignments__role__in=sorted(MANAGER_ROLES)
    ).distinct()
