"""The session stamp every sign-in writes and the session middleware checks.

Its own module so that sign-in (``services``) and enrolment (``enrolment``), which both start a
session, import it without importing each other.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from jointcase.accounts.models import User


def session_start(request: HttpRequest, user: User) -> None:
    """Stamp the session with the user's epoch and the absolute-timeout start."""
    now = int(timezone.now().timestamp())
    request.session["jc_epoch"] = user.session_epoch
    request.session["jc_started"] = now
    request.session["jc_seen"] = now
