"""API tokens: create, revoke and authenticate, every change audited.

Security invariants:

- Only the SHA-256 of a token's secret is stored; the plaintext exists once, in the return
  value of :func:`api_token_create`, and is never logged or audited.
- A token is looked up by the hash of what the caller presents (an indexed equality on a
  value the caller cannot choose the hash of), so no comparison leaks the stored secret.
- Authentication is decided afresh on every request: a revoked or expired token, or one whose
  user has been disabled, fails on the very next request.
- A token carries the purpose of consultation declared when it was created (DPA 2018 s.62):
  every audit entry its requests make records it, with ``details["via"] = "api"``. A token
  without one (created before purposes were recorded) is refused with a 403 telling the
  caller to have it reissued. Break-glass is never a token's purpose: it needs a person, a
  written reason and a review, one case at a time.
- A user manages only their own tokens; a system administrator (or an operator at the console,
  ``actor=None``) may manage anyone's. Agency administrators cannot read or mint tokens.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from jointcase.access.accounts import (
    TOKEN_SCOPE_NAMES,
    TOKEN_SCOPES,
    api_token_manage_allowed,
    token_scopes_clean,
)
from jointcase.access.material import clearance_ceiling_refusal, clearance_for
from jointcase.accounts.models import ApiToken, User
from jointcase.audit.models import Outcome
from jointcase.audit.purpose import Purpose
from jointcase.audit.services import audit_record

TOKEN_SCHEME = "jc_"  # noqa: S105 - the public scheme marker, not a secret
PREFIX_LENGTH = 8
#: A presented token longer than this is refused before hashing (no unbounded work).
MAX_PRESENTED_LENGTH = 200
#: ``last_used_at`` is written at most this often per token, so a busy client is not a write
#: per request.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


#: The purposes a token may declare (every one but break-glass).
TOKEN_PURPOSES = tuple(value for value in Purpose.values if value != Purpose.BREAK_GLASS)
#: The purpose of a token whose creator named none.
DEFAULT_TOKEN_PURPOSE = Purpose.CASE_MANAGEMENT.value
PURPOSE_REASON_MAX = 500


class ApiTokenError(ValueError):
    """A token request that cannot be honoured; the message is safe to show the user."""


def api_token_purpose_clean(purpose: str | None, reason: str = "") -> tuple[str, str]:
    """The purpose and reason to store, or ``ApiTokenError`` for one a token may not carry."""
    chosen = (purpose or DEFAULT_TOKEN_PURPOSE).strip()
    if chosen not in TOKEN_PURPOSES:
        raise ApiTokenError(
            "Choose the token's purpose from: "
            + ", ".join(TOKEN_PURPOSES)
            + " (break-glass is never a token's purpose)"
        )
    reason = (reason or "").strip()
    if len(reason) > PURPOSE_REASON_MAX:
        raise ApiTokenError(f"The purpose reason must be {PURPOSE_REASON_MAX} characters or fewer")
    return chosen, reason


def api_token_ceiling_clean(actor: User | None, user: User, ceiling: str) -> str:
    """The clearance ceiling to store (empty: none), or ``ApiTokenError`` for one above the
    issuer's clearance (``access.material.clearance_ceiling_refusal``)."""
    chosen = (ceiling or "").strip()
    if not chosen and actor is not None and actor.pk != user.pk:
        chosen = clearance_for(actor) or ""
        if not chosen:
            raise ApiTokenError(
                "You hold no clearance: you cannot issue a token for another account"
            )
    if not chosen:
        return ""
    refusal = clearance_ceiling_refusal(actor, chosen)
    if refusal is not None:
        raise ApiTokenError(refusal)
    return chosen


def token_hash(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def api_token_days_allowed(days: int | None) -> int:
    """The lifetime to use: the default when not given, refused outside 1..max days."""
    if days is None:
        return int(settings.JOINTCASE_API_TOKEN_DAYS)
    maximum = int(settings.JOINTCASE_API_TOKEN_MAX_DAYS)
    if not 1 <= days <= maximum:
        raise ApiTokenError(f"A token must last between 1 and {maximum} days")
    return days


@transaction.atomic
def api_token_create(
    *,
    actor: User | None,
    user: User,
    name: str,
    days: int | None = None,
    purpose: str | None = None,
    purpose_reason: str = "",
    scopes: list[str] | tuple[str, ...] | None = None,
    ceiling: str = "",
    request: HttpRequest | None = None,
) -> tuple[ApiToken, str]:
    """Mint a token for ``user``; returns the row and the plaintext (shown once, never kept).

    ``purpose`` (default: case management) is the purpose of consultation every request made
    with the token records. ``scopes`` (``jointcase.access.accounts.TOKEN_SCOPES``) is what the
    token may do; ``None`` gives every scope (the token form and ``jointcase token create``
    default to ``read``, and make the issuer choose each write scope).

    ``ceiling`` (a classification) caps what requests with the token are cleared to, whatever
    the user's vetting; it is never above the issuer's own clearance. A token an issuer makes
    for another user (an agency's system account) always has one: the issuer's clearance
    unless a lower one is chosen. The console (``actor=None``) may set any, or none."""
    if not api_token_manage_allowed(actor, user):
        raise ApiTokenError("You cannot create a token for that user")
    if not user.is_active:
        raise ApiTokenError("That user is disabled")
    name = (name or "").strip()
    if not name:
        raise ApiTokenError("Enter a name for the token")
    if len(name) > 100:
        raise ApiTokenError("The token name must be 100 characters or fewer")
    try:
        chosen = token_scopes_clean(list(TOKEN_SCOPES) if scopes is None else list(scopes))
    except ValueError as error:
        raise ApiTokenError(str(error)) from None
    if not chosen:
        raise ApiTokenError("Choose at least one thing the token may do")
    ceiling = api_token_ceiling_clean(actor, user, ceiling)
    lifetime = api_token_days_allowed(days)
    purpose, purpose_reason = api_token_purpose_clean(purpose, purpose_reason)
    plaintext = TOKEN_SCHEME + secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=plaintext[:PREFIX_LENGTH],
        token_hash=token_hash(plaintext),
        created_at=now,
        expires_at=now + dt.timedelta(days=lifetime),
        purpose=purpose,
        purpose_reason=purpose_reason,
        scopes=" ".join(chosen),
        ceiling=ceiling,
    )
    audit_record(
        action="api_token.created",
        actor=actor,
        actor_username="" if actor is not None else "console",
        object_type="api_token",
        object_id=token.pk,
        details={
            "user": user.username,
            "name": name,
            "prefix": token.prefix,
            "expires_at": token.expires_at.isoformat(),
            "token_purpose": purpose,
            "scopes": list(chosen),
            "ceiling": ceiling,
        },
        reason=purpose_reason,
        request=request,
    )
    return token, plaintext


@transaction.atomic
def api_token_revoke(
    *, actor: User | None, token: ApiToken, request: HttpRequest | None = None
) -> ApiToken:
    """Revoke ``token`` at once; revoking an already revoked token changes nothing."""
    token = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
    if not api_token_manage_allowed(actor, token.user):
        raise ApiTokenError("You cannot revoke that token")
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(
        action="api_token.revoked",
        actor=actor,
        actor_username="" if actor is not None else "console",
        object_type="api_token",
        object_id=token.pk,
        details={"user": token.user.username, "prefix": token.prefix, "name": token.name},
        request=request,
    )
    return token


def api_tokens_for(*, actor: User | None, user: User) -> list[ApiToken]:
    """The tokens of ``user`` that ``actor`` may see (none for anyone else)."""
    if not api_token_manage_allowed(actor, user):
        return []
    return list(ApiToken.objects.filter(user=user).order_by("-created_at", "-pk"))


def _refuse(reason: str, request: HttpRequest | None, token: ApiToken | None = None) -> None:
    with transaction.atomic():
        audit_record(
            action="auth.api_token_refused",
            outcome=Outcome.FAILURE,
            actor=token.user if token is not None else None,
            object_type="api_token" if token is not None else "",
            object_id=token.pk if token is not None else "",
            reason=reason,
            details={"prefix": token.prefix} if token is not None else None,
            request=request,
        )


def api_token_authenticate(plaintext: str, request: HttpRequest | None = None) -> User | None:
    """The active user a presented token stands for, or None (the refusal is audited).

    ``api_token_for`` gives the token itself (its purpose with it)."""
    token = api_token_for(plaintext, request=request)
    return token.user if token is not None else None


def api_token_for(plaintext: str, request: HttpRequest | None = None) -> ApiToken | None:
    """The usable token presented (its user active), or None (the refusal is audited)."""
    presented = (plaintext or "").strip()
    if not presented.startswith(TOKEN_SCHEME) or len(presented) > MAX_PRESENTED_LENGTH:
        _refuse("malformed token", request)
        return None
    digest = token_hash(presented)
    token = ApiToken.objects.select_related("user").filter(token_hash=digest).first()
    if token is None or not hmac.compare_digest(token.token_hash, digest):
        _refuse("unknown token", request)
        return None
    now = timezone.now()
    if token.revoked_at is not None:
        _refuse("token revoked", request, token)
        return None
    if token.expires_at <= now:
        _refuse("token expired", request, token)
        return None
    if not token.user.is_active:
        _refuse("user disabled", request, token)
        return None
    ApiToken.objects.filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION),
        pk=token.pk,
    ).update(last_used_at=now)
    return token


class ApiTokenWithoutPurpose(Exception):
    """A token created before purposes were recorded: it may read nothing until reissued."""

    message = (
        "This API token was created without a purpose of consultation, which every read of "
        "case content must record. Ask an operator to issue a new token with a purpose "
        "(jointcase token create USERNAME --purpose CODE) and revoke this one."
    )


def api_token_purpose_require(token: ApiToken, request: HttpRequest | None = None) -> None:
    """Refuse (audited, then ``ApiTokenWithoutPurpose``) a token that declares no purpose."""
    if token.purpose in TOKEN_PURPOSES:
        return
    with transaction.atomic():
        audit_record(
            action="auth.api_token_refused",
            outcome=Outcome.DENY,
            actor=token.user,
            object_type="api_token",
            object_id=token.pk,
            reason="no_purpose_declared",
            details={"prefix": token.prefix},
            request=request,
        )
    raise ApiTokenWithoutPurpose(ApiTokenWithoutPurpose.message)


def token_scope_names(scopes: tuple[str, ...]) -> str:
    """What a token may do, in words (for lists of tokens)."""
    return ", ".join(TOKEN_SCOPE_NAMES.get(scope, scope) for scope in scopes)
