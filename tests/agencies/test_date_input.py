"""Vetting expiry dates: a number of years later keeps the day, and today is not in the future.

(What a person may type in the date input itself: tests/lib/test_govuk_date_field.py.)"""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from jointcase.access.agencies import expiry_problem, years_after


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
