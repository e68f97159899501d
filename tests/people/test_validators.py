"""Identifier and postcode formats (property-tested where there is a rule to check)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from jointcase.people.validators import (
    PNC_CHECK_CHARACTERS,
    crn_valid,
    pnc_id_make,
    pnc_id_valid,
    postcode_clean,
    prison_number_valid,
)


@given(year=st.integers(1950, 2049), serial=st.integers(0, 9_999_999))
def test_every_pnc_id_with_its_check_letter_is_valid_and_every_other_letter_is_not(
    year: int, serial: int
) -> None:
    pnc = pnc_id_make(year, serial)
    assert pnc_id_valid(pnc)
    for letter in PNC_CHECK_CHARACTERS:
        if letter != pnc[-1]:
            assert not pnc_id_valid(pnc[:-1] + letter)


def test_published_style_pnc_examples() -> None:
    assert pnc_id_valid("2008/0056560Z")
    assert pnc_id_valid("2012/0052494Q")
    assert not pnc_id_valid("2019/0123456X")


@pytest.mark.parametrize(
    ("value", "ok"), [("X123456", True), ("x123456", True), ("X12345", False), ("XX23456", False)]
)
def test_crn_format(value: str, ok: bool) -> None:
    assert crn_valid(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"), [("A1234BC", True), ("a1234bc", True), ("A123BC", False), ("11234BC", False)]
)
def test_prison_number_format(value: str, ok: bool) -> None:
    assert prison_number_valid(value) is ok


@pytest.mark.parametrize(
    ("value", "clean"),
    [
        ("sw1a1aa", "SW1A 1AA"),
        ("M1 1AE", "M1 1AE"),
        (" b33 8th ", "B33 8TH"),
        ("DN551PT", "DN55 1PT"),
    ],
)
def test_postcodes_are_normalised(value: str, clean: str) -> None:
    assert postcode_clean(value) == clean


@pytest.mark.parametrize("value", ["", "SW1A", "12345", "SW1A 1AAA", "<script>"])
def test_bad_postcodes_are_refused(value: str) -> None:
    with pytest.raises(ValidationError):
        postcode_clean(value)
