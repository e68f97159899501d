"""The chain's canonical encoding and hash: the part a partner's verifier re-implements.

An entry's hash is ``SHA-256(canonical_json(fields))`` in lower-case hex, where ``fields`` is
the object of every stored column except ``entry_hash`` (``prev_hash`` included), timestamps in
UTC as ``YYYY-MM-DDTHH:MM:SS.ffffffZ``. The first entry's ``prev_hash`` is 64 zeros.
docs/audit.md is the specification; this module and ``row_hash`` (the verifier's fast path,
which builds the same bytes without model instances) must agree byte for byte.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any

from jointcase.lib.canonical_json import NotCanonicalisable, canonical_json

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

#: The columns the verifier reads, in this order: every hashed field, then ``entry_hash``.
ROW_COLUMNS = (*HASHED_FIELDS, "entry_hash")


def format_timestamp(value: dt.datetime) -> str:
    """UTC, always six fractional digits and a four-digit year: ``2026-11-27T00:05:00.000000Z``."""
    if value.tzinfo is None:
        raise ValueError("audit timestamps must be timezone-aware")
    return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def entry_fields(entry: Any) -> dict[str, Any]:
    """The hashed object of an entry (a model instance or anything with the same attributes)."""
    fields = {name: getattr(entry, name) for name in HASHED_FIELDS}
    fields["occurred_at"] = format_timestamp(fields["occurred_at"])
    return fields


def entry_canonical_bytes(entry: Any) -> bytes:
    return canonical_json(entry_fields(entry))


def entry_hash(entry: Any) -> str:
    return hashlib.sha256(entry_canonical_bytes(entry)).hexdigest()


# --- The fast path ---------------------------------------------------------------------------
# The verifier streams millions of rows as plain tuples (ROW_COLUMNS order) straight from a
# database cursor. It builds the canonical bytes with a precomputed template instead of
# sorting a dict per row; tests (property-based) prove it equals ``entry_canonical_bytes``.

_encode_string: Callable[[str], str] = json.encoder.encode_basestring
_encode_details = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode
_SORTED = sorted(HASHED_FIELDS)
_POSITION = {name: ROW_COLUMNS.index(name) for name in HASHED_FIELDS}
_INTEGER_FIELDS = frozenset({"seq", "actor_id"})
_TEMPLATE = "{" + ",".join(f'"{name}":%s' for name in _SORTED) + "}"
_UTC_OFFSET = dt.timedelta(0)


def _timestamp_text(value: Any) -> str:
    if isinstance(value, dt.datetime):
        # Naive values come only from SQLite's cursor, which stores UTC.
        if value.tzinfo is None or value.utcoffset() == _UTC_OFFSET:
            return value.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"
        return format_timestamp(value)
    # SQLite hands back the stored text: "YYYY-MM-DD HH:MM:SS[.ffffff]" (UTC, no offset).
    text = str(value)
    if len(text) == 19:
        text += ".000000"
    return text.replace(" ", "T", 1) + "Z"


def _refuse(value: str) -> Any:
    raise NotCanonicalisable(f"{value} has no canonical JSON form")


_decode_details = json.JSONDecoder(parse_float=_refuse, parse_constant=_refuse).decode
_DETAILS_CACHE: dict[str, str] = {}
_DETAILS_CACHE_SIZE = 4096


def _details_text(value: Any) -> str:
    """Canonical text of ``details`` given decoded, or as the JSON text a cursor returns.

    Stored texts repeat a lot (the same shapes of details over millions of entries), so their
    canonical form is cached; floats are refused as ``canonical_json`` refuses them.
    """
    if isinstance(value, str):
        cached = _DETAILS_CACHE.get(value)
        if cached is not None:
            return cached
        decoded = _decode_details(value)
        canonical_json(decoded)
        text = str(_encode_details(decoded))
        if len(_DETAILS_CACHE) >= _DETAILS_CACHE_SIZE:
            _DETAILS_CACHE.clear()
        _DETAILS_CACHE[value] = text
        return text
    if not value and isinstance(value, dict):
        return "{}"
    canonical_json(value)  # refuses values with no canonical form, exactly as the slow path
    return str(_encode_details(value))


def _text(value: Any) -> str:
    return _encode_string(value if value is not None else "")


def row_canonical_bytes(row: tuple[Any, ...]) -> bytes:
    """The canonical bytes of an entry given as a tuple in ``ROW_COLUMNS`` order.

    ``occurred_at`` may be an aware datetime or SQLite's stored text; ``details`` may be the
    decoded object or its stored JSON text.
    """
    values = []
    for name in _SORTED:
        value = row[_POSITION[name]]
        if name == "occurred_at":
            values.append('"' + _timestamp_text(value) + '"')
        elif name == "details":
            values.append(_details_text(value))
        elif name in _INTEGER_FIELDS:
            values.append("null" if value is None else str(int(value)))
        else:
            values.append(_text(value))
    return (_TEMPLATE % tuple(values)).encode("utf-8")


#: SQL giving ``occurred_at`` as the canonical text, per database vendor, so that the verifier
#: does no date arithmetic in Python. SQLite stores UTC text ``YYYY-MM-DD HH:MM:SS[.ffffff]``.
TIMESTAMP_SQL = {
    "postgresql": ("to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"),
    "sqlite": (
        "replace(CASE WHEN length(occurred_at) = 19 THEN occurred_at || '.000000' "
        "ELSE occurred_at END, ' ', 'T') || 'Z'"
    ),
}


#: The sorted key order ``row_hasher`` unrolls (checked against HASHED_FIELDS below, so a
#: change to the hashed fields cannot silently diverge from the unrolled code).
_UNROLLED_ORDER = [
    "action",
    "actor_agency",
    "actor_id",
    "actor_username",
    "details",
    "object_id",
    "object_type",
    "occurred_at",
    "outcome",
    "prev_hash",
    "purpose",
    "reason",
    "recipient",
    "seq",
    "source_address",
]


def row_hasher(*, timestamp_is_text: bool = False) -> Callable[[tuple[Any, ...]], str]:
    """A specialised ``row -> hex hash`` function for the verifier's inner loop.

    With ``timestamp_is_text`` the row's ``occurred_at`` is already the canonical text (from
    ``TIMESTAMP_SQL``). ``prev_hash`` is not escaped: the verifier accepts an entry only if its
    ``prev_hash`` equals the previous entry's hash, which is plain hex.
    """
    if _UNROLLED_ORDER != _SORTED:  # pragma: no cover - guards future edits
        raise RuntimeError("row_hasher is out of step with HASHED_FIELDS")
    positions = tuple(_POSITION[name] for name in _SORTED)
    if timestamp_is_text:
        return _text_row_hasher(positions)
    return _value_row_hasher(positions)


def _text_row_hasher(positions: tuple[int, ...]) -> Callable[[tuple[Any, ...]], str]:
    """``row_hasher`` for rows whose timestamp is already canonical text. Unrolled for speed:
    the positions and helpers are constants captured in the closure."""
    sha256 = hashlib.sha256
    enc = _encode_string
    details_text = _details_text
    template = _TEMPLATE
    p0, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, p13, p14 = positions

    def hash_text_row(row: tuple[Any, ...]) -> str:
        actor_id = row[p2]
        details = row[p4]
        return sha256(
            (
                template
                % (
                    enc(row[p0]),
                    enc(row[p1]),
                    "null" if actor_id is None else str(actor_id),
                    enc(row[p3]),
                    "{}" if details == "{}" else details_text(details),
                    enc(row[p5]),
                    enc(row[p6]),
                    enc(row[p7]),
                    enc(row[p8]),
                    '"' + row[p9] + '"',
                    enc(row[p10]),
                    enc(row[p11]),
                    enc(row[p12]),
                    str(row[p13]),
                    enc(row[p14]),
                )
            ).encode("utf-8")
        ).hexdigest()

    return hash_text_row


def _value_row_hasher(positions: tuple[int, ...]) -> Callable[[tuple[Any, ...]], str]:
    """``row_hasher`` for rows holding a datetime and a details mapping (unrolled likewise)."""
    sha256 = hashlib.sha256
    enc = _encode_string
    details_text = _details_text
    timestamp_text = _timestamp_text
    template = _TEMPLATE
    p0, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, p13, p14 = positions

    def hash_row(row: tuple[Any, ...]) -> str:
        actor_id = row[p2]
        details = row[p4]
        text = template % (
            enc(row[p0]),
            enc(row[p1]),
            "null" if actor_id is None else str(actor_id),
            enc(row[p3]),
            "{}" if details == "{}" or details == {} else details_text(details),
            enc(row[p5]),
            enc(row[p6]),
            '"' + timestamp_text(row[p7]) + '"',
            enc(row[p8]),
            enc(row[p9]),
            enc(row[p10]),
            enc(row[p11]),
            enc(row[p12]),
            str(row[p13]),
            enc(row[p14]),
        )
        return sha256(text.encode("utf-8")).hexdigest()

    return hash_row
