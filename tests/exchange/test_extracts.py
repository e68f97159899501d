"""Reading an extract never fails in any other way than a clear refusal, whatever the bytes,
and accounts for every data row with its line."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from jointcase.exchange.extracts import extract_read
from jointcase.exchange.records import PERSON_FIELDS
from tests.exchange.conftest import csv_bytes, jsonl_bytes, person_row

HEADER = ",".join(PERSON_FIELDS).encode() + b"\n"


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400) | st.text(max_size=400).map(str.encode))
def test_any_bytes_are_read_or_refused_with_a_message(content: bytes) -> None:
    messages: list[str] = []
    for candidate in (content, HEADER + content, b"{}\n" + content):
        try:
            extract = extract_read(candidate)
        except ValidationError as refused:
            messages.append(refused.message_dict["file"][0])
            continue
        lines = [row.line_number for row in extract.rows]
        assert lines == sorted(set(lines))
        assert all(row.fields is not None or row.problem for row in extract.rows)
    assert all(message.startswith("The ") for message in messages)


@given(st.lists(st.integers(min_value=1, max_value=10_000), min_size=1, max_size=20))
def test_csv_and_json_lines_read_the_same_fields(numbers: list[int]) -> None:
    rows = [person_row(number) for number in numbers]
    from_csv = extract_read(csv_bytes(rows))
    from_jsonl = extract_read(jsonl_bytes(rows))
    assert [row.fields for row in from_csv.rows] == rows
    assert [row.fields for row in from_jsonl.rows] == rows
    assert [row.line_number for row in from_csv.rows] == list(range(2, len(rows) + 2))
    assert [row.line_number for row in from_jsonl.rows] == list(range(1, len(rows) + 1))
