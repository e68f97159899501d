"""Appending to the audit chain. Every feature writes its audit entries through here."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.http import HttpRequest
from django.utils import timezone

from jointcase.audit.chain import GENESIS_HASH, entry_hash
from jointcase.audit.models import AuditEntry, ChainHead, Outcome
from jointcase.audit.purpose import (
    API_CHANNEL,
    channel_of,
    purpose_declared,
    purposes_noted,
)

if TYPE_CHECKING:
    from jointcase.accounts.models import User

_MAX_TEXT = 2000


def client_address(request: HttpRequest | None) -> str:
    """The peer address. Behind a proxy, set it from a trusted header at the proxy, not here."""
    if request is None:
        return ""
    return str(request.META.get("REMOTE_ADDR", ""))[:45]


def _clip(value: str | None) -> str:
    return _inert(value or "")[:_MAX_TEXT]


def _inert(value: str) -> str:
    """Stored as given, except NUL, which PostgreSQL text cannot hold (replaced by U+FFFD)."""
    return value.replace("\x00", "\ufffd") if "\x00" in value else value


def _inert_details(value: Any) -> Any:
    if isinstance(value, str):
        return _inert(value)
    if isinstance(value, dict):
        return {
            (_inert(key) if isinstance(key, str) else key): _inert_details(item)
            for key, item in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [_inert_details(item) for item in value]
    return value


def _agency_code(actor: User | None) -> str:
    if actor is None or actor.agency_id is None or actor.agency is None:
        return ""
    return str(actor.agency.code)


def _purpose_of(
    request: HttpRequest,
    object_type: str,
    object_id: str | int,
    purpose: str,
    details: dict[str, Any],
) -> tuple[str, dict[str, Any]]:
    """The purpose of consultation an entry made with ``request`` records (DPA 2018 s.62).

    In order: the purpose the caller passed; the one declared in this session for the entry's
    own object; the ones the page's purpose gate (or the API token) noted on the request. An
    API request's entries also say so (``details["via"] = "api"``).
    """

    declared = None
    if not purpose and object_type and object_id != "":
        declared = purpose_declared(request, object_type, object_id)
    noted = purposes_noted(request)
    if not purpose and declared is None and noted:
        declared = next(iter(noted.values()))
        if len({note.purpose for note in noted.values()}) > 1:
            details = {**details, "purposes": {key: note.purpose for key, note in noted.items()}}
    if declared is not None:
        purpose = declared.purpose
        if declared.reason:
            details = {**details, "purpose_reason": _inert(declared.reason)}
    if channel_of(request) == API_CHANNEL:
        details = {**details, "via": API_CHANNEL}
    return purpose, details


def audit_record(
    *,
    action: str,
    actor: User | AnonymousUser | None = None,
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
    and the action's effect commit or roll back together (docs/design.md invariant 3). Values are
    stored as given (no interpretation), so newlines or JSON in a field are inert data.
    """
    if not settings.AUDIT_ENABLED:
        return None
    user = None if isinstance(actor, AnonymousUser) else actor  # anonymous: recorded as nobody
    details = _inert_details(details or {})
    if request is not None:
        purpose, details = _purpose_of(request, object_type, object_id, purpose, details)
    entry = AuditEntry(
        action=_inert(action)[:80],
        outcome=outcome,
        actor_id=user.pk if user is not None else None,
        actor_username=_inert(user.get_username() if user is not None else actor_username)[:150],
        actor_agency=_agency_code(user)[:40],
        object_type=_inert(object_type)[:60],
        object_id=_inert(str(object_id))[:64],
        reason=_clip(reason),
        purpose=_clip(purpose)[:200],
        recipient=_clip(recipient)[:200],
        source_address=client_address(request),
        details=details,
    )
    details_json = json.dumps(details)  # before taking the lock: refuses what JSON cannot hold
    connection = connections[DEFAULT_DB_ALIAS]
    with transaction.atomic(), connection.cursor() as cursor:
        # The head row is the lock every appender queues on (FOR UPDATE on PostgreSQL; on
        # SQLite the transaction already holds the write lock: BEGIN IMMEDIATE).
        seq, prev_hash = _head_locked(cursor, connection.vendor)
        entry.seq = seq + 1
        entry.occurred_at = timezone.now()
        entry.prev_hash = prev_hash
        entry.entry_hash = entry_hash(entry)
        cursor.execute(
            _INSERT_SQL[connection.vendor == "postgresql"],
            [
                entry.seq,
                connection.ops.adapt_datetimefield_value(entry.occurred_at),
                entry.action,
                entry.outcome,
                entry.actor_id,
                entry.actor_username,
                entry.actor_agency,
                entry.object_type,
                entry.object_id,
                entry.reason,
                entry.purpose,
                entry.recipient,
                entry.source_address,
                details_json,
                entry.prev_hash,
                entry.entry_hash,
            ],
        )
        cursor.execute(
            "UPDATE audit_chainhead SET seq = %s, entry_hash = %s WHERE id = 1",
            [entry.seq, entry.entry_hash],
        )
    entry._state.adding = False
    entry._state.db = DEFAULT_DB_ALIAS
    return entry


_COLUMNS = (
    "seq, occurred_at, action, outcome, actor_id, actor_username, actor_agency, object_type, "
    "object_id, reason, purpose, recipient, source_address, details, prev_hash, entry_hash"
)
#: [other databases, PostgreSQL]: raw SQL because this runs on every audited request.
_INSERT_SQL = [
    f"INSERT INTO audit_auditentry ({_COLUMNS}) VALUES ({', '.join(['%s'] * 16)})",  # noqa: S608
    f"INSERT INTO audit_auditentry ({_COLUMNS}) VALUES "  # noqa: S608 - constant text
    f"({', '.join(['%s'] * 13)}, %s::jsonb, %s, %s)",
]


_HEAD_SQL = {
    True: "SELECT seq, entry_hash FROM audit_chainhead WHERE id = 1 FOR UPDATE",
    False: "SELECT seq, entry_hash FROM audit_chainhead WHERE id = 1",
}


def _head_locked(cursor: Any, vendor: str) -> tuple[int, str]:
    query = _HEAD_SQL[vendor == "postgresql"]
    cursor.execute(query)
    row = cursor.fetchone()
    if row is None:
        ChainHead.objects.get_or_create(id=1)
        cursor.execute(query)
        row = cursor.fetchone()
    return int(row[0]), str(row[1])


def audit_recompute(entries: Any) -> int | None:
    """Recompute the chain over ``entries`` (in seq order); the first bad seq, or None.

    The full verifier with checkpoints lives in ``jointcase.audit.verify``; this is the core
    recomputation it and the tests share.
    """

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


def audit_record_many(
    *,
    action: str,
    object_type: str,
    entries: list[tuple[str | int, dict[str, Any]]],
    actor: User | None = None,
    actor_username: str = "",
) -> int:
    """Append one entry per ``(object_id, details)`` of ``entries`` to the chain, all with the
    same action and actor, under one lock of the chain head: what ``audit_record`` would write
    called once per entry (same fields, same hashes, consecutive seqs), for bulk operations
    (hundreds or thousands of people created by one import). Inside the caller's transaction,
    like ``audit_record``. Returns the number written."""
    if not settings.AUDIT_ENABLED or not entries:
        return 0
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    connection = connections[DEFAULT_DB_ALIAS]
    postgres = connection.vendor == "postgresql"
    rows = []
    with transaction.atomic(), connection.cursor() as cursor:
        seq, prev_hash = _head_locked(cursor, connection.vendor)
        for object_id, details in entries:
            details = _inert_details(details or {})
            entry = AuditEntry(
                action=_inert(action)[:80],
                outcome=Outcome.SUCCESS,
                actor_id=actor.pk if actor is not None else None,
                actor_username=_inert(
                    actor.get_username() if actor is not None else actor_username
                )[:150],
                actor_agency=_agency_code(actor)[:40],
                object_type=_inert(object_type)[:60],
                object_id=_inert(str(object_id))[:64],
                reason="",
                purpose="",
                recipient="",
                source_address="",
                details=details,
            )
            seq += 1
            entry.seq = seq
            entry.occurred_at = timezone.now()
            entry.prev_hash = prev_hash
            entry.entry_hash = prev_hash = entry_hash(entry)
            rows.append(
                [
                    entry.seq,
                    connection.ops.adapt_datetimefield_value(entry.occurred_at),
                    entry.action,
                    entry.outcome,
                    entry.actor_id,
                    entry.actor_username,
                    entry.actor_agency,
                    entry.object_type,
                    entry.object_id,
                    entry.reason,
                    entry.purpose,
                    entry.recipient,
                    entry.source_address,
                    json.dumps(details),
                    entry.prev_hash,
                    entry.entry_hash,
                ]
            )
        cursor.executemany(_INSERT_SQL[postgres], rows)
        cursor.execute(
            "UPDATE audit_chainhead SET seq = %s, entry_hash = %s WHERE id = 1", [seq, prev_hash]
        )
    return len(rows)
