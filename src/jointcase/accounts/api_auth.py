"""Bearer-token authentication for the REST API (django-ninja).

Every API operation uses :class:`ApiTokenAuth`. The token is checked against the database on
every request (no caching), so revoking a token or disabling its user takes effect on the very
next request. The authenticated user is put on ``request.user`` so that the same selectors the
pages use scope API results by the caller's access.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from jointcase.accounts.models import User
from jointcase.accounts.tokens import api_token_authenticate


class ApiTokenAuth(HttpBearer):
    """``Authorization: Bearer jc_...``; 401 for a missing, bad, revoked or expired token."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_authenticate(token, request=request)
        if user is None:
            return None
        # A token is not an interactive session with a verified second factor: the user's
        # ``is_verified()`` stays False, so session-only pages stay closed to API callers.
        user.otp_device = None  # type: ignore[attr-defined]
        request.user = user
        return user


api_token_auth = ApiTokenAuth()
