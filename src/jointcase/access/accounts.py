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


# -- What an API token may do ------------------------------------------------------------------
#
# A token acts with its user's access *and no more than its scopes*: ``read`` for every GET, and
# one write scope per area for anything that changes state. The scope is checked before the
# operation runs (so a token without it learns nothing about the objects it names) and the
# refusal is a 403 with a DENY audit entry.

READ = "read"

#: Every scope a token may carry, with what it lets the token do (shown on the token form).
TOKEN_SCOPES: dict[str, str] = {
    READ: "Read everything the user may see",
    "write:register": "Create and change people and cases, case teams and exclusions",
    "write:material": "Add material and tearlines, ask for and decide on sharing",
    "write:meetings": "Create meetings, record minutes and agreed actions",
    "write:risk": "Write risk assessments and record required checks",
    "write:supervision": "Plan, record and cancel supervision contacts",
    "write:workforce": "Record training and change caseload capacity",
    "import": "Upload partner extracts for import",
    "known": "Ask whether a person is known (and match people before creating them)",
    "webhooks": "Subscribe to events and read their delivery log",
}

#: A few words for each scope, for lists of tokens.
TOKEN_SCOPE_NAMES: dict[str, str] = {
    READ: "read",
    "write:register": "change the register",
    "write:material": "change material",
    "write:meetings": "change meetings",
    "write:risk": "change risk",
    "write:supervision": "change contacts",
    "write:workforce": "change workforce",
    "import": "import",
    "known": "ask if known",
    "webhooks": "webhooks",
}

#: Methods that change nothing: they need ``read`` only.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def token_scopes_clean(scopes: list[str] | tuple[str, ...] | set[str]) -> tuple[str, ...]:
    """``scopes`` in the catalogue's order; ``ValueError`` naming any that does not exist."""
    unknown = sorted(set(scopes) - set(TOKEN_SCOPES))
    if unknown:
        raise ValueError(f"Unknown scope {unknown[0]!r}: choose from {', '.join(TOKEN_SCOPES)}")
    return tuple(scope for scope in TOKEN_SCOPES if scope in scopes)


def token_scope_needed(method: str, write_scope: str) -> str:
    """The scope an operation with this HTTP method needs, in an area whose writes need
    ``write_scope``."""
    return READ if method.upper() in SAFE_METHODS else write_scope


def token_scope_refusal(held: tuple[str, ...] | list[str], needed: str) -> str | None:
    """Why a token holding ``held`` may not run an operation needing ``needed``, or None."""
    if needed in held:
        return None
    return f"This token may not do this: it needs the {needed!r} scope"
