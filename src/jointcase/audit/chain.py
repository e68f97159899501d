"""The chain's canonical encoding and hash: the part a partner's verifier re-implements.

An entry's hash is ``SHA-256(canonical_json(fields))`` in lower-case hex, where ``fields`` is
the object of every stored column except ``entry_hash`` (``prev_hash`` included), timestamps in
UTC as ``YYYY-MM-DDTHH:MM:SS.ffffffZ``. The first entry's ``prev_hash`` is 64 zeros.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from jointcase.lib.canonical_json import canonical_json

GENESIS_HASH = "0" * 64

#: Fields covered by the hash, in the order documented (order does not matter to the encoding).
HASHED_FIELDS = (
    "seq",
    "occurred_at",
    "action",
    "outcome",
    "actor_id",
    "actor_username",
    "actor_agency",
    "object_type",
    "object_id",
    "reason",
    "purpose",
    "recipient",
    "source_address",
    "details",
    "prev_hash",
)


def format_timestamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_fields(entry: Any) -> dict[str, Any]:
    """The hashed object of an entry (a model instance or anything with the same attributes)."""
    fields = {name: getattr(entry, name) for name in HASHED_FIELDS}
    fields["occurred_at"] = format_timestamp(fields["occurred_at"])
    return fields


def entry_hash(entry: Any) -> str:
    return hashlib.sha256(canonical_json(entry_fields(entry))).hexdigest()
