"""Purpose of consultation (Data Protection Act 2018 Part 3: logs record who and why).

On first opening a protected object (a case) in a session, the user declares why, from a
short list; break-glass needs a written reason. The declaration lives in the session, per
object, and ``audit_record`` copies it into every entry made with the request. Every page that
shows case content asks before its first read, whatever the entry point (case pages, the
material tab and items, meetings, the risk plan)::

    purpose_ask_cases(request, [case_id])  # or purpose_ask(request, "case", case_id)

An API request has no session: its token carries the purpose declared when it was created
(``jointcase.accounts.tokens``), noted on the request by the token authentication, and every
entry it makes records that purpose and ``details["via"] = "api"``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from jointcase.access.policy import cases_visible_among

SESSION_KEY = "jc_purposes"
#: At most this many objects keep a declared purpose in one session (oldest dropped first).
MAX_DECLARATIONS = 200

OBJECT_TYPE_PATTERN = re.compile(r"^[a-z][a-z0-9_.]{0,59}$")
OBJECT_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class Purpose(models.TextChoices):
    CASE_MANAGEMENT = "case_management", "Case management"
    MEETING_PREPARATION = "meeting_preparation", "Meeting preparation"
    OVERSIGHT = "oversight", "Oversight"
    AUDIT = "audit", "Audit"
    BREAK_GLASS = "break_glass", "Break-glass (urgent access, with a reason)"


@dataclass(frozen=True)
class Declaration:
    purpose: str
    reason: str = ""


def _key(object_type: str, object_id: str | int) -> str:
    return f"{object_type}:{object_id}"


def valid_object(object_type: str, object_id: str | int) -> bool:
    return bool(
        OBJECT_TYPE_PATTERN.match(object_type or "") and OBJECT_ID_PATTERN.match(str(object_id))
    )


def purpose_declared(
    request: HttpRequest, object_type: str, object_id: str | int
) -> Declaration | None:
    session = getattr(request, "session", None)
    if session is None:
        return None
    stored = session.get(SESSION_KEY, {}).get(_key(object_type, object_id))
    if not isinstance(stored, dict) or stored.get("purpose") not in Purpose.values:
        return None
    return Declaration(purpose=stored["purpose"], reason=str(stored.get("reason", "")))


def purpose_for(request: HttpRequest, object_type: str, object_id: str | int) -> str | None:
    """The purpose declared for this object in this session (a ``Purpose`` value), or None."""
    declared = purpose_declared(request, object_type, object_id)
    return declared.purpose if declared else None


def purpose_store(
    request: HttpRequest, object_type: str, object_id: str | int, purpose: str, reason: str = ""
) -> None:
    declarations = dict(request.session.get(SESSION_KEY, {}))
    declarations.pop(_key(object_type, object_id), None)
    declarations[_key(object_type, object_id)] = {"purpose": purpose, "reason": reason}
    while len(declarations) > MAX_DECLARATIONS:
        declarations.pop(next(iter(declarations)))
    request.session[SESSION_KEY] = declarations


def purpose_url(object_type: str, object_id: str | int, next_url: str) -> str:
    query = urlencode({"next": next_url, "object_type": object_type, "object_id": object_id})
    return f"{reverse('audit:purpose')}?{query}"


def require_purpose(
    request: HttpRequest, object_type: str, object_id: str | int
) -> HttpResponse | None:
    """A redirect to the purpose page if none is declared yet for this object, else None."""
    if purpose_for(request, object_type, object_id) is not None:
        return None
    return HttpResponseRedirect(purpose_url(object_type, object_id, request.get_full_path()))


# --- One gate for every page that shows case content ------------------------------------------
#
# A page asks before its first read: ``purpose_ask`` (one object the caller has already decided
# the user may see) or ``purpose_ask_cases`` (the cases of a page, decided here by
# ``jointcase.access``). When a purpose is missing they raise ``PurposeRequired``, which
# ``PurposeRequiredMiddleware`` answers with the redirect to the purpose page, whatever view
# or helper raised it. When it is present, the declaration is noted on the request, so that
# every audit entry the request makes (the read itself included) records it.

_NOTES_ATTRIBUTE = "_jc_purposes_noted"
_CHANNEL_ATTRIBUTE = "_jc_channel"
#: The channel recorded (``details["via"]``) on entries made by an API request.
API_CHANNEL = "api"


class PurposeRequired(Exception):
    """No purpose is declared yet for an object a page is about to show (carries the redirect)."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


def purpose_note(request: HttpRequest, key: str, declaration: Declaration) -> None:
    """Remember, for this request only, a declaration its audit entries must carry."""
    notes = dict(getattr(request, _NOTES_ATTRIBUTE, {}))
    notes.setdefault(key, declaration)
    setattr(request, _NOTES_ATTRIBUTE, notes)


def purposes_noted(request: HttpRequest) -> dict[str, Declaration]:
    return dict(getattr(request, _NOTES_ATTRIBUTE, {}))


def channel_set(request: HttpRequest, channel: str) -> None:
    setattr(request, _CHANNEL_ATTRIBUTE, channel)


def channel_of(request: HttpRequest) -> str:
    return str(getattr(request, _CHANNEL_ATTRIBUTE, ""))


def purpose_ask(request: HttpRequest, object_type: str, object_id: str | int) -> None:
    """Raise ``PurposeRequired`` unless a purpose is declared for this object in this session.

    Call it only for an object the user may see (so the question reveals nothing).
    """
    declared = purpose_declared(request, object_type, object_id)
    if declared is None:
        raise PurposeRequired(purpose_url(object_type, object_id, request.get_full_path()))
    purpose_note(request, _key(object_type, object_id), declared)


def purpose_ask_case_read(request: HttpRequest) -> Callable[[Any], None]:
    """The purpose gate for one case a page reads (an audited read's ``on_allowed``, as
    ``cases.selectors.case_get_for`` takes it): asked about the case once the case rule has
    allowed it, before the read is recorded."""
    return lambda case: purpose_ask(request, "case", case.pk)


def purpose_ask_cases(
    request: HttpRequest,
    case_ids: Iterable[int],
    *,
    otherwise: tuple[str, str | int] | None = None,
) -> None:
    """Ask for each of ``case_ids`` whose content the acting user may see (the case rule of
    ``jointcase.access``); cases they may not see are skipped, so nothing is revealed. When
    they see none of them (a meeting invitee from outside the case teams), ask for
    ``otherwise`` (the meeting) instead."""

    wanted = {int(case_id) for case_id in case_ids}
    visible: list[int] = []
    if wanted:
        # The rule asked of these few cases only (``per_case``), never "every case the user
        # may see", which for a manager is tens of thousands.
        visible = list(
            cases_visible_among(request.user, sorted(wanted))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    purpose_ask_seen(request, visible, otherwise=otherwise)


def purpose_ask_seen(
    request: HttpRequest,
    visible_case_ids: Iterable[int],
    *,
    otherwise: tuple[str, str | int] | None = None,
) -> None:
    """``purpose_ask_cases`` for cases the caller has already found the acting user may see
    (by the case rule: a page that reads them anyway, a meeting's visible cases), so the rule
    is not asked twice."""
    visible = sorted({int(case_id) for case_id in visible_case_ids})
    for case_id in visible:
        purpose_ask(request, "case", case_id)
    if not visible and otherwise is not None:
        purpose_ask(request, *otherwise)


class PurposeRequiredMiddleware:
    """Turn ``PurposeRequired`` raised by any page into the redirect to the purpose page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, PurposeRequired):
            return HttpResponseRedirect(exception.url)
        return None
