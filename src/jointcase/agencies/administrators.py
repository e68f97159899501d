"""Appointing and removing an agency's administrators from the console.

Roles are set only on the agency pages, by an agency administrator within their ceiling, and
never in the Django admin (docs/operations.md "User administration"), so a new agency's first
administrator (or a replacement when the last one leaves) is appointed by the operator at the
console: ``jointcase agency-admin appoint --agency CODE USERNAME``. The console is the only
caller (``actor`` is the operator, recorded as "console" with ``details["via"] = "console"``).

The rules, checked here whoever calls:
- the user belongs to that agency (an administrator of one agency never reaches another);
- the user is active, and is not a platform account (system administrator or superuser);
- the agency is active (appointing only);
- appointing someone who already is an administrator, or removing someone who is not, changes
  nothing and is refused.

Every appointment and removal is audited in the same transaction; every refusal is audited too
(outcome FAILURE), in a transaction of its own, so that the attempt stays on record.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from jointcase.access.agencies import is_platform_account
from jointcase.access.roles import holds_agency_admin_role
from jointcase.accounts.models import Role, RoleAssignment, User
from jointcase.agencies.models import Agency
from jointcase.audit.models import Outcome
from jointcase.audit.services import audit_record

#: The actor and the channel recorded on the console's entries.
CONSOLE = "console"
APPOINT = "agencies.admin_appoint"
REVOKE = "agencies.admin_revoke"


def agency_admins_of(agency: Agency) -> QuerySet[User]:
    """The agency's administrators (active or not), by username."""
    return User.objects.filter(agency=agency, role_assignments__role=Role.AGENCY_ADMIN).order_by(
        "username"
    )


def _refuse(action: str, agency: Agency, user: User, message: str) -> ValidationError:
    with transaction.atomic():
        audit_record(
            action=action,
            outcome=Outcome.FAILURE,
            object_type="user",
            object_id=user.pk,
            reason=message,
            recipient=user.get_username(),
            details={"agency": agency.code, "role": Role.AGENCY_ADMIN, "via": CONSOLE},
            actor_username=CONSOLE,
        )
    return ValidationError(message)


def _appoint_refusal(agency: Agency, user: User) -> str | None:
    if user.agency_id != agency.pk:
        return f"{user.username} is not a user of {agency.code}"
    if is_platform_account(user):
        return f"{user.username} is a platform account and cannot administer an agency"
    if not user.is_active:
        return f"{user.username} is disabled: enable the account first"
    if not agency.is_active:
        return f"{agency.code} is not an active agency"
    if holds_agency_admin_role(user):
        return f"{user.username} is already an administrator of {agency.code}"
    return None


def agency_admin_appoint(*, agency: Agency, user: User, reason: str = "") -> RoleAssignment:
    """Give ``user`` the agency administrator role of their own agency ``agency`` (console)."""
    refusal = _appoint_refusal(agency, user)
    if refusal is not None:
        raise _refuse(APPOINT, agency, user, refusal)
    try:
        with transaction.atomic():
            assignment = RoleAssignment.objects.create(user=user, role=Role.AGENCY_ADMIN)
            audit_record(
                action=APPOINT,
                object_type="user",
                object_id=user.pk,
                reason=reason.strip(),
                recipient=user.get_username(),
                details={"agency": agency.code, "role": Role.AGENCY_ADMIN, "via": CONSOLE},
                actor_username=CONSOLE,
            )
    except IntegrityError:  # appointed meanwhile by another run
        raise _refuse(
            APPOINT, agency, user, f"{user.username} is already an administrator of {agency.code}"
        ) from None
    finally:
        user.__dict__.pop("_role_codes", None)
    return assignment


def agency_admin_revoke(*, agency: Agency, user: User, reason: str = "") -> int:
    """Remove the agency administrator role from ``user`` of ``agency`` (console).

    Returns how many active administrators the agency has left (the command warns at none).
    """
    if user.agency_id != agency.pk:
        raise _refuse(REVOKE, agency, user, f"{user.username} is not a user of {agency.code}")
    with transaction.atomic():
        removed, _ = RoleAssignment.objects.filter(user=user, role=Role.AGENCY_ADMIN).delete()
        if removed:
            audit_record(
                action=REVOKE,
                object_type="user",
                object_id=user.pk,
                reason=reason.strip(),
                recipient=user.get_username(),
                details={"agency": agency.code, "role": Role.AGENCY_ADMIN, "via": CONSOLE},
                actor_username=CONSOLE,
            )
    user.__dict__.pop("_role_codes", None)
    if not removed:
        raise _refuse(
            REVOKE, agency, user, f"{user.username} is not an administrator of {agency.code}"
        )
    return agency_admins_of(agency).filter(is_active=True).count()
