"""The GOV.UK date input never fails with anything but a field error, whatever is typed."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from jointcase.access.agencies import expiry_problem, years_after
from jointcase.agencies.forms import GovukDateField

part = st.one_of(st.text(max_size=6), st.integers(-5, 10000).map(str))


@given(day=part, month=part, year=part)
def test_any_typed_date_is_a_date_or_a_clear_error(day, month, year):
    field = GovukDateField(what="the vetting", required=False)
    message = ""
    value = None
    try:
        value = field.clean((day.strip(), month.strip(), year.strip()))
    except ValidationError as error:
        message = error.messages[0]
    if message:
        assert message.startswith("The date the vetting expires must")
    elif value is not None:
        assert (value.day, value.month, value.year) == (int(day), int(month), int(year))


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 12, 31)), st.integers(1, 20))
def test_years_after_is_never_earlier_than_the_day_and_keeps_the_year(day, years):
    later = years_after(day, years)
    assert later.year == day.year + years
    assert later > day


def test_today_is_not_a_future_expiry():
    from django.utils import timezone

    today = timezone.localdate()
    assert expiry_problem(today, what="x") == "The date x expires must be in the future"
    assert expiry_problem(today + dt.timedelta(days=1), what="x") is None
