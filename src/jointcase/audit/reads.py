"""Opening one protected object: decide, audit, answer 404 alike for missing and forbidden.

Every selector that opens a single object by an id from a URL or a request body goes through
``audited_read``, so each keeps the same three promises (docs/design.md "No leaks", invariant 3):

- the decision comes from ``jointcase.access`` (passed in as ``decide``);
- the read and its audit entry (ALLOW, or DENY with the reason; ``not_found`` for an id that
  is malformed or names nothing) share one transaction;
- a missing object and a forbidden one raise the same ``Http404`` with the same message.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import transaction
from django.db.models import Model
from django.http import Http404, HttpRequest

from jointcase.audit.models import Outcome
from jointcase.audit.services import audit_record

if TYPE_CHECKING:
    from jointcase.access.policy import Decision
    from jointcase.accounts.models import User

T = TypeVar("T", bound=Model)
K = TypeVar("K")


def int_key(raw: Any) -> int | None:
    """A positive integer primary key from URL or body text, else None."""
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return None
    return value if value > 0 else None


def uuid_key(raw: Any) -> uuid.UUID | None:
    """An opaque public identifier (a UUID) from URL, query or body text, else None."""
    if isinstance(raw, uuid.UUID):
        return raw
    try:
        return uuid.UUID(str(raw))
    except (TypeError, ValueError, AttributeError):
        return None


def audited_read(
    *,
    user: User,
    raw_id: Any,
    key: Callable[[Any], K | None],
    load: Callable[[K], T | None],
    decide: Callable[[T], Decision],
    action: str,
    object_type: str,
    not_found: str,
    request: HttpRequest | None = None,
    details: Callable[[T], dict[str, Any]] | None = None,
    on_allowed: Callable[[T], None] | None = None,
) -> T:
    """The object ``load(key(raw_id))`` if ``decide`` allows ``user`` to see it; else Http404.

    ``key`` parses the raw id (None for malformed); ``load`` fetches the object (None when
    absent); ``details`` adds non-protected facts (the case id, the marking) to the entry.
    ``on_allowed`` is called with an allowed object before its entry is written and may raise
    (the purpose-of-consultation gate): then nothing is read and nothing is recorded. It is
    never called for a missing or forbidden object, so it reveals nothing about them.
    """
    pk = key(raw_id)
    with transaction.atomic():
        found = load(pk) if pk is not None else None
        decision = decide(found) if found is not None else None
        allowed = decision is not None and decision.allowed
        if allowed and on_allowed is not None and found is not None:
            on_allowed(found)
        audit_record(
            action=action,
            actor=user,
            outcome=Outcome.ALLOW if allowed else Outcome.DENY,
            object_type=object_type,
            object_id=str(found.pk) if found is not None else str(raw_id)[:64],
            reason=decision.reason if decision is not None else "not_found",
            details=details(found) if details is not None and found is not None else None,
            request=request,
        )
    if not allowed or found is None:
        raise Http404(not_found)
    return found
