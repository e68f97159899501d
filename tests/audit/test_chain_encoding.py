"""The verifier's fast path builds exactly the bytes of the documented canonical encoding."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
from types import SimpleNamespace
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from jointcase.audit.chain import (
    HASHED_FIELDS,
    ROW_COLUMNS,
    entry_canonical_bytes,
    entry_hash,
    format_timestamp,
    row_canonical_bytes,
    row_hasher,
)
from jointcase.audit.services import audit_record
from jointcase.audit.verify import chain_verify

NASTY = st.sampled_from(
    [
        "",
        "line one\nline two\r\nline three",
        '{"seq": 1, "action": "forged"}',
        '"},{"outcome":"ALLOW',
        "\x1b[31mred\x1b[0m\x07\x08\t\x7f\u2028\u2029",
        "<script>alert(1)</script>",
        '=HYPERLINK("http://evil.example")',
        "Zoë O'Brien-Ł 😀 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
        "\\u0000 not a NUL",
    ]
)
TEXT = st.one_of(NASTY, st.text(max_size=40))
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**63) | TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4),
    max_leaves=12,
)
TIMES = st.datetimes(
    min_value=dt.datetime(1000, 1, 1),
    max_value=dt.datetime(9999, 12, 31),
    timezones=st.sampled_from(
        [
            dt.UTC,
            dt.timezone(dt.timedelta(hours=5, minutes=30)),
            dt.timezone(-dt.timedelta(hours=8)),
        ]
    ),
)


@st.composite
def entries(draw: Any) -> SimpleNamespace:
    return SimpleNamespace(
        seq=draw(st.integers(min_value=1, max_value=2**62)),
        occurred_at=draw(TIMES),
        action=draw(TEXT),
        outcome=draw(st.sampled_from(["SUCCESS", "FAILURE", "ALLOW", "DENY"])),
        actor_id=draw(st.none() | st.integers(min_value=1, max_value=2**62)),
        actor_username=draw(TEXT),
        actor_agency=draw(TEXT),
        object_type=draw(TEXT),
        object_id=draw(TEXT),
        reason=draw(TEXT),
        purpose=draw(TEXT),
        recipient=draw(TEXT),
        source_address=draw(TEXT),
        details=draw(st.dictionaries(TEXT, JSON_VALUES, max_size=5)),
        prev_hash=draw(st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)),
    )


def _row(entry: SimpleNamespace, *, stored_json: bool = False) -> tuple[Any, ...]:
    values = {name: getattr(entry, name) for name in HASHED_FIELDS}
    if stored_json:  # as the database cursor hands back a JSON column: text with spaces
        values["details"] = json.dumps(values["details"])
    values["entry_hash"] = ""
    return tuple(values[name] for name in ROW_COLUMNS)


@settings(max_examples=150, deadline=None)
@given(entries())
def test_the_fast_path_and_the_documented_encoding_agree(entry: SimpleNamespace) -> None:
    expected = entry_canonical_bytes(entry)
    assert row_canonical_bytes(_row(entry)) == expected
    assert row_canonical_bytes(_row(entry, stored_json=True)) == expected
    hash_row = row_hasher()
    assert hash_row(_row(entry)) == entry_hash(entry) == hashlib.sha256(expected).hexdigest()
    assert hash_row(_row(entry, stored_json=True)) == entry_hash(entry)
    as_text = list(_row(entry, stored_json=True))
    as_text[ROW_COLUMNS.index("occurred_at")] = format_timestamp(entry.occurred_at)
    assert row_hasher(timestamp_is_text=True)(tuple(as_text)) == entry_hash(entry)


@pytest.mark.parametrize("microsecond", [0, 1, 500000])
def test_the_databases_timestamp_text_matches_the_encoding(db: None, microsecond: int) -> None:
    """Whole seconds are stored without a fraction by SQLite; the verifier's SQL pads them."""
    moment = dt.datetime(2026, 3, 29, 1, 30, 5, microsecond, tzinfo=dt.UTC)
    with mock.patch("jointcase.audit.services.timezone.now", return_value=moment):
        entry = audit_record(
            action="test.timed", actor_username="clock", details={"b": [1, "é"], "a": None}
        )
    assert entry is not None
    result = chain_verify(include_stored=False)
    assert result.ok, result.problem
    assert result.last_hash == entry.entry_hash


def test_sqlite_stored_timestamps_format_like_aware_ones() -> None:
    aware = dt.datetime(2026, 11, 27, 9, 5, 1, tzinfo=dt.UTC)
    entry = SimpleNamespace(**{name: "" for name in HASHED_FIELDS})
    entry.seq, entry.actor_id, entry.details, entry.occurred_at = 1, None, {}, aware
    row = list(_row(entry))
    position = ROW_COLUMNS.index("occurred_at")
    for stored in ("2026-11-27 09:05:01", "2026-11-27 09:05:01.000000", aware.replace(tzinfo=None)):
        row[position] = stored
        assert row_canonical_bytes(tuple(row)) == entry_canonical_bytes(entry)


def test_timestamps_are_utc_with_six_digits_and_a_four_digit_year() -> None:
    london = dt.timezone(dt.timedelta(hours=1))
    assert (
        format_timestamp(dt.datetime(2026, 7, 1, 12, 0, tzinfo=london))
        == "2026-07-01T11:00:00.000000Z"
    )
    assert format_timestamp(dt.datetime(999, 1, 1, tzinfo=dt.UTC)) == "0999-01-01T00:00:00.000000Z"


def test_the_encoding_sorts_keys_and_keeps_unicode_as_utf8() -> None:
    entry = SimpleNamespace(**{name: "" for name in HASHED_FIELDS})
    entry.seq, entry.actor_id, entry.occurred_at = 7, None, dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
    entry.details = {"b": 1, "a": ["é", None, True]}
    entry.reason = 'say "hi"\n'
    encoded = entry_canonical_bytes(entry)
    assert encoded.startswith(b'{"action":"","actor_agency":"","actor_id":null,')
    assert b'"details":{"a":["\xc3\xa9",null,true],"b":1}' in encoded
    assert b'"reason":"say \\"hi\\"\\n"' in encoded
    assert encoded.endswith(b'"seq":7,"source_address":""}')


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite fast path only")
def test_sqlites_json_quote_escapes_exactly_like_the_canonical_encoding(db: None) -> None:
    generator = random.Random(5)
    samples = ["".join(chr(code) for code in range(1, 0x80)), "\u2028\u2029\ufeff\U0010ffff"]
    for _ in range(300):
        samples.append(
            "".join(
                chr(
                    generator.choice(
                        [
                            generator.randrange(1, 0x80),
                            generator.randrange(0x80, 0xD800),
                            generator.randrange(0xE000, 0x110000),
                        ]
                    )
                )
                for _ in range(generator.randrange(0, 30))
            )
        )
    with connection.cursor() as cursor:
        for sample in samples:
            cursor.execute("SELECT json_quote(%s)", [sample])
            assert cursor.fetchone()[0] == json.encoder.encode_basestring(sample), repr(sample)  # type: ignore[attr-defined]
