"""Every form's one date field (``jointcase.lib.forms.GovukDateField``): whatever is typed in
its three boxes is a date or a clear field error, shown in the GOV.UK error summary and on the
field with what was typed kept."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from jointcase.lib.forms import GovukDateField
from jointcase.people.models import Person
from tests.support.forms import date_input

part = st.one_of(st.text(max_size=6), st.integers(-5, 10000).map(str))


def _typed(field: GovukDateField, day: str, month: str, year: str) -> tuple[dt.date | None, str]:
    try:
        return field.clean((day.strip(), month.strip(), year.strip())), ""
    except ValidationError as error:
        return None, error.messages[0]


@given(day=part, month=part, year=part)
def test_any_typed_date_is_that_date_or_an_error_that_names_the_date(day, month, year):
    for field, subject in (
        (GovukDateField(what="the date the vetting expires", required=False), "The date the"),
        (GovukDateField(label="Date of birth", required=False, years=(1900, 2200)), "Date of"),
    ):
        value, message = _typed(field, day, month, year)
        if message:
            assert message.startswith(f"{subject} ")
        elif value is not None:
            assert (value.day, value.month, value.year) == (int(day), int(month), int(year))
            assert field.years is None or 1900 <= value.year <= 2200
        else:
            assert (day.strip(), month.strip(), year.strip()) == ("", "", "")


def test_the_messages_follow_the_design_system():
    birth = GovukDateField(label="Date of birth", years=(1900, 2200))
    assert _typed(birth, "", "", "") == (None, "Enter the date of birth")
    assert _typed(birth, "3", "", "1984") == (None, "Date of birth must include a month")
    assert _typed(birth, "", "", "1984") == (None, "Date of birth must include a day and month")
    assert _typed(birth, "30", "2", "1990") == (None, "Date of birth must be a real date")
    assert _typed(birth, "3", "7", "84") == (None, "Date of birth must be a real date")
    assert _typed(birth, "3", "7", "1084") == (None, "Date of birth must be between 1900 and 2200")
    assert _typed(birth, "3", "7", "1984") == (dt.date(1984, 7, 3), "")
    due = GovukDateField(what="the date the action is due", label="Due date")
    assert _typed(due, "", "", "") == (None, "Enter the date the action is due")
    assert _typed(due, "x", "1", "2030") == (None, "The date the action is due must be a real date")


@pytest.mark.django_db
def test_a_wrong_date_is_in_the_summary_and_on_the_field_with_what_was_typed(personas, client_for):
    client = client_for(personas.nsd_practitioner)
    response = client.post(
        "/people/new/", {"family_name": "Sample", **date_input("date_of_birth", "30/2/1990")}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert 'href="#id_date_of_birth-day"' in body  # the summary links to the first box
    assert 'id="id_date_of_birth-error"' in body  # the error on the field itself
    assert body.count("Date of birth must be a real date") == 2
    assert 'name="date_of_birth-day" type="text" value="30"' in body
    assert 'name="date_of_birth-month" type="text" value="2"' in body
    assert not Person.objects.exists()
