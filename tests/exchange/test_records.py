"""One person record's field rules: each kind of bad input gets its own clear message."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jointcase.exchange.records import person_record_clean, record_hash
from tests.exchange.conftest import SOURCE, person_row

TODAY = dt.date(2026, 12, 7)


def clean(**changes: str) -> dict[str, str]:
    return person_record_clean(person_row(1, **changes), source=SOURCE, today=TODAY).errors


def test_a_valid_record_is_normalised() -> None:
    row = person_row(3, postcode="ab12cd", crn="x000003", surname="  TESTSURNAME   THREE ")
    cleaned = person_record_clean(row, source=SOURCE, today=TODAY)
    assert cleaned.valid
    assert cleaned.record["postcode"] == "AB1 2CD"
    assert cleaned.record["crn"] == "X000003"
    assert cleaned.record["surname"] == "TESTSURNAME THREE"
    assert "source" not in cleaned.record


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"surname": ""}, "surname", "Enter the surname"),
        ({"source_record_id": " "}, "source_record_id", "Enter the source record id"),
        (
            {"date_of_birth": "1990-02-30"},
            "date_of_birth",
            "Date of birth 1990-02-30 does not exist",
        ),
        ({"date_of_birth": "30/01/1990"}, "date_of_birth", "format YYYY-MM-DD"),
        ({"date_of_birth": "2027-01-01"}, "date_of_birth", "must be in the past"),
        ({"date_of_birth": "1899-12-31"}, "date_of_birth", "on or after 1 January 1900"),
        ({"postcode": "NOT A CODE"}, "postcode", "Enter a real UK postcode"),
        ({"pnc_id": "2001/0000001A"}, "pnc_id", "check letter does not match"),
        ({"pnc_id": "12345"}, "pnc_id", "format 2019/0123456X"),
        ({"crn": "123456"}, "crn", "format X123456"),
        ({"prison_number": "A12BC"}, "prison_number", "format A1234BC"),
        ({"source": "police-ctnm"}, "source", "this extract is from probation-delius"),
        ({"town": "x" * 101}, "town", "100 characters or fewer"),
    ],
)
def test_each_bad_field_is_named_with_a_clear_message(
    changes: dict[str, str], field: str, message: str
) -> None:
    errors = clean(**changes)
    assert list(errors) == [field]
    assert message in errors[field]


def test_unknown_fields_and_non_text_values_are_refused() -> None:
    row: dict[str, object] = {**person_row(1), "nickname": "x", "surname": ["A", "B"]}
    errors = person_record_clean(row, source=SOURCE, today=TODAY).errors
    assert errors["fields"] == "Unknown field(s): nickname"
    assert errors["surname"] == "Surname must be text"


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2026, 12, 6)))
def test_every_real_past_date_since_1900_is_accepted(day: dt.date) -> None:
    assert person_record_clean(
        person_row(1, date_of_birth=day.isoformat()), source=SOURCE, today=TODAY
    ).valid


def test_the_content_hash_ignores_how_the_record_was_written() -> None:
    one = person_record_clean(person_row(1, postcode="zz11zz"), source=SOURCE, today=TODAY)
    two = person_record_clean(person_row(1, postcode="ZZ1 1ZZ"), source=SOURCE, today=TODAY)
    assert record_hash(one.record) == record_hash(two.record)
    three = person_record_clean(person_row(1, town="Othertown"), source=SOURCE, today=TODAY)
    assert record_hash(three.record) != record_hash(one.record)
