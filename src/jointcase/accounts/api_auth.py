"""Bearer-token authentication for the REST API (django-ninja).

Every API operation uses :class:`ApiTokenAuth`. The token is checked against the database on
every request (no caching), so revoking a token or disabling its user takes effect on the very
next request. The authenticated user is put on ``request.user`` so that the same selectors the
pages use scope API results by the caller's access.

The token's purpose of consultation is noted on the request, so every audit entry the request
makes records it and says it came through the API (``details["via"] = "api"``). A token with
no purpose (created before purposes were recorded) gets a 403 on every operation.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer
from ninja.throttling import SimpleRateThrottle

from jointcase.access.accounts import token_scope_needed, token_scope_refusal
from jointcase.access.acting import audited_denial
from jointcase.access.material import clearance_ceiling_set
from jointcase.accounts.models import User
from jointcase.accounts.tokens import (
    ApiTokenWithoutPurpose,
    api_token_for,
    api_token_purpose_require,
)
from jointcase.audit.purpose import API_CHANNEL, Declaration, channel_set, purpose_note

#: Where an API request keeps the id of the token it came with.
_KEY_ID_ATTRIBUTE = "api_token_id"


class ApiTokenAuth(HttpBearer):
    """``Authorization: Bearer jc_...``; 401 for a missing, bad, revoked or expired token; 403
    (with a DENY audit entry) for a token whose scopes do not include the operation's: ``read``
    for a GET, ``write_scope`` (the router's area) for anything else."""

    def __init__(self, write_scope: str) -> None:
        super().__init__()
        self.write_scope = write_scope

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        channel_set(request, API_CHANNEL)
        found = api_token_for(token, request=request)
        if found is None:
            return None
        try:
            api_token_purpose_require(found, request=request)
        except ApiTokenWithoutPurpose as refused:
            raise HttpError(403, str(refused)) from None
        purpose_note(
            request, f"api_token:{found.pk}", Declaration(found.purpose, found.purpose_reason)
        )
        user = found.user
        setattr(request, _KEY_ID_ATTRIBUTE, found.pk)
        needed = token_scope_needed(request.method or "GET", self.write_scope)
        refusal = token_scope_refusal(found.scope_list, needed)
        if refusal is not None:
            audited_denial(
                actor=user,
                action="api.scope",
                reason="token_scope",
                object_type="api_token",
                object_id=found.pk,
                request=request,
                details={"needed": needed, "path": request.path[:200]},
            )
            raise HttpError(403, refusal)
        # A token is not an interactive session with a verified second factor: the user's
        # ``is_verified()`` stays False, so session-only pages stay closed to API callers.
        user.otp_device = None
        # A token issued with a clearance ceiling reads and writes at most at that level.
        clearance_ceiling_set(user, found.ceiling)
        request.user = user
        return user


class TokenRateThrottle(SimpleRateThrottle):
    """At most ``JOINTCASE_API_RATE`` requests per token, counted in the cache every web process
    shares; over it, 429 with ``Retry-After`` (django-ninja's throttling). Checked after the
    token is authenticated, so an unauthenticated request is a 401, never counted."""

    scope = "token"

    def __init__(self) -> None:
        self.cache = caches["shared"]
        super().__init__(settings.JOINTCASE_API_RATE)

    def allow_request(self, request: HttpRequest) -> bool:
        # The rate is read on every request, so a changed setting applies at once.
        self.rate = settings.JOINTCASE_API_RATE
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request: HttpRequest) -> str | None:
        token_id = getattr(request, _KEY_ID_ATTRIBUTE, None)
        if token_id is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": token_id}
