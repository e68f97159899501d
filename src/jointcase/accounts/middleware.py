"""Session policy and the second-factor gate.

``SessionPolicyMiddleware`` ends a session that is idle too long, too old, or whose user's
``session_epoch`` moved on (disabled, signed out everywhere, MFA reset): on the very next
request, for every session of that user at once.

``RequireSecondFactorMiddleware`` lets nothing but sign-in, its recovery and static files
through until the session has a verified second factor; the admin area included.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils import timezone

from jointcase.audit.services import audit_record

#: Paths reachable without a verified second factor.
OPEN_PREFIXES = (
    "/sign-in/",
    "/static/",
    "/assets/",
    "/health/",
    "/accessibility/",
    "/privacy/",
    "/webauthn/authentication/",
    "/webauthn/jsi18n/",
    "/favicon.ico",
)
#: Paths reachable with a password-only session (completing sign-in, enrolling a first factor).
PASSWORD_ONLY_PREFIXES = (
    "/second-factor/",
    "/webauthn/authentication/",
    "/sign-out/",
)
#: The API authenticates every request by token; it never uses the session.
API_PREFIX = "/api/"

_SEEN_WRITE_INTERVAL = 30
#: Session key holding why the previous session ended, read once by the sign-in page.
SIGNED_OUT_REASON_KEY = "jc_signed_out_reason"


class SessionPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not request.path.startswith(API_PREFIX):
            reason = self._end_reason(request)
            if reason:
                audit_record(
                    action="auth.session_ended", actor=user, reason=reason, request=request
                )
                logout(request)
                # The message framework runs after this middleware: leave the reason in the
                # new, empty session for the sign-in page to tell the user.
                request.session[SIGNED_OUT_REASON_KEY] = reason
        return self.get_response(request)

    @staticmethod
    def _end_reason(request: HttpRequest) -> str | None:
        session = request.session
        user = request.user
        now = int(timezone.now().timestamp())
        if session.get("jc_epoch") != getattr(user, "session_epoch", None):
            return "revoked"
        if now - int(session.get("jc_started", 0)) > settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS:
            return "absolute"
        seen = int(session.get("jc_seen", 0))
        if now - seen > settings.SESSION_IDLE_TIMEOUT_SECONDS:
            return "idle"
        if now - seen > _SEEN_WRITE_INTERVAL:
            session["jc_seen"] = now
        return None


SIGNED_OUT_MESSAGES = {
    "revoked": "You have been signed out. Sign in again to continue.",
    "absolute": "You have been signed out because your session reached its 12 hour limit.",
    "idle": "You have been signed out because you were inactive for 15 minutes.",
}


class RequireSecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path
        if path.startswith(API_PREFIX) or path.startswith(OPEN_PREFIXES):
            return self.get_response(request)
        user = request.user
        if not user.is_authenticated:
            return _redirect_to(reverse("accounts:sign-in"), request)
        if user.is_verified():
            return self.get_response(request)
        if path.startswith(PASSWORD_ONLY_PREFIXES):
            return self.get_response(request)
        if request.headers.get("HX-Request") or request.content_type == "application/json":
            return JsonResponse({"detail": "Second factor required"}, status=401)
        return _redirect_to(reverse("accounts:second-factor"), request)


def _redirect_to(target: str, request: HttpRequest) -> HttpResponse:
    if request.method == "GET" and request.path not in ("/", target):
        target = f"{target}?{urlencode({'next': request.get_full_path()})}"
    return HttpResponseRedirect(target)
