"""Who may act on another user's account: reset their second factors, manage their API tokens.

The accounts services ask these themselves before they write (and audit a refusal), so the
pages, the admin and the console all meet the same rule. Both rules refuse a disabled actor
and never let anyone reach upwards: only a system administrator acts on a system
administrator's account.
"""

from __future__ import annotations

from jointcase.access.roles import holds_agency_admin_role, is_system_admin
from jointcase.accounts.models import User


def mfa_reset_allowed(*, actor: User, user: User) -> bool:
    """Who may reset whose second factors (never one's own; never upwards).

    A system administrator may reset anyone else's. An agency administrator may reset the
    users of their own agency, but never a system administrator's.
    """
    if not actor.is_active or actor.pk == user.pk:
        return False
    if is_system_admin(actor):
        return True
    return bool(
        holds_agency_admin_role(actor)
        and actor.agency_id is not None
        and actor.agency_id == user.agency_id
        and not is_system_admin(user)
    )


def api_token_manage_allowed(actor: User | None, user: User) -> bool:
    """Who may create, list and revoke ``user``'s API tokens: the user themselves or a system
    administrator (``actor=None``: the operator at the console, ``jointcase token ...``)."""
    if actor is None:
        return True
    if not actor.is_active:
        return False
    return actor.pk == user.pk or is_system_admin(actor)
