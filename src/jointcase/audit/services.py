"""Appending to the audit chain. Every feature writes its audit entries through here."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from jointcase.audit.chain import entry_hash
from jointcase.audit.models import AuditEntry, ChainHead, Outcome

if TYPE_CHECKING:
    from jointcase.accounts.models import User

_MAX_TEXT = 2000
_local = threading.local()


def client_address(request: HttpRequest | None) -> str:
    """The peer address. Behind a proxy, set it from a trusted header at the proxy, not here."""
    if request is None:
        return ""
    return str(request.META.get("REMOTE_ADDR", ""))[:45]


def _clip(value: str | None) -> str:
    return (value or "")[:_MAX_TEXT]


def audit_record(
    *,
    action: str,
    actor: User | None = None,
    outcome: str = Outcome.SUCCESS,
    object_type: str = "",
    object_id: str | int = "",
    reason: str = "",
    purpose: str = "",
    recipient: str = "",
    details: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    actor_username: str = "",
) -> AuditEntry | None:
    """Append one entry to the chain, inside the caller's transaction.

    Call it inside the ``transaction.atomic`` block of the action it records, so that the entry
    and the action's effect commit or roll back together (DESIGN.md invariant 3). Values are
    stored as given (no interpretation), so newlines or JSON in a field are inert data.
    """
    if not settings.AUDIT_ENABLED:
        return None
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    with transaction.atomic():
        head, _ = ChainHead.objects.select_for_update().get_or_create(id=1)
        entry = AuditEntry(
            seq=head.seq + 1,
            occurred_at=timezone.now(),
            action=action[:80],
            outcome=outcome,
            actor_id=actor.pk if actor is not None else None,
            actor_username=(actor.get_username() if actor is not None else actor_username)[:150],
            actor_agency=(
                actor.agency.code if actor is not None and actor.agency_id is not None else ""
            )[:40],
            object_type=object_type[:60],
            object_id=str(object_id)[:64],
            reason=_clip(reason),
            purpose=_clip(purpose)[:200],
            recipient=_clip(recipient)[:200],
            source_address=client_address(request),
            details=details or {},
            prev_hash=head.entry_hash,
        )
        entry.entry_hash = entry_hash(entry)
        entry.save(force_insert=True)
        head.seq = entry.seq
        head.entry_hash = entry.entry_hash
        head.save(update_fields=["seq", "entry_hash"])
    return entry


def audit_recompute(entries: Any) -> int | None:
    """Recompute the chain over ``entries`` (in seq order); the first bad seq, or None.

    The full verifier with checkpoints lives in ``jointcase.audit.verify``; this is the core
    recomputation it and the tests share.
    """
    from jointcase.audit.chain import GENESIS_HASH

    previous_hash = GENESIS_HASH
    expected_seq = 1
    for entry in entries:
        if entry.seq != expected_seq or entry.prev_hash != previous_hash:
            return int(entry.seq)
        if entry_hash(entry) != entry.entry_hash:
            return int(entry.seq)
        previous_hash = entry.entry_hash
        expected_seq += 1
    return None
