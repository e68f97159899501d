"""Purpose of consultation (Data Protection Act 2018 Part 3: logs record who and why).

On first opening a protected object (a case) in a session, the user declares why, from a
short list; break-glass needs a written reason. The declaration lives in the session, per
object, and ``audit_record`` copies it into every entry about that object made with the
request. Views call ``require_purpose`` before showing protected content::

    redirect = require_purpose(request, "case", case.pk)
    if redirect is not None:
        return redirect
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

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
