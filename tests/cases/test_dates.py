"""Date rules of the notification requirements, property-tested (leap days included)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from jointcase.cases.dates import (
    add_months,
    add_years,
    age_on,
    annual_renotification_due,
    change_notification_due,
    foreign_travel_notice_by,
    notification_period_years,
    notification_schedule,
)

days = st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2090, 12, 31))
leap_days = (
    st.integers(1952, 2088)
    .filter(lambda y: y % 4 == 0 and (y % 100 or y % 400 == 0))
    .map(lambda y: dt.date(y, 2, 29))
)


@given(day=days | leap_days, years=st.integers(0, 40))
def test_adding_years_keeps_the_day_or_falls_back_to_28_february(day: dt.date, years: int) -> None:
    later = add_years(day, years)
    assert later.year == day.year + years
    assert later.month == day.month
    assert later.day == day.day or (day.month, day.day, later.day) == (2, 29, 28)


@given(day=days | leap_days, months=st.integers(-120, 120))
def test_adding_months_never_overshoots_the_target_month(day: dt.date, months: int) -> None:
    moved = add_months(day, months)
    assert (moved.year * 12 + moved.month) - (day.year * 12 + day.month) == months
    assert moved.day <= day.day


@given(born=days | leap_days, later=days)
def test_age_increases_exactly_on_birthdays(born: dt.date, later: dt.date) -> None:
    if later < born:
        return
    age = age_on(born, later)
    assert add_years(born, age) <= later or (born.month, born.day) == (2, 29)
    assert age_on(born, later + dt.timedelta(days=1)) in (age, age + 1)


def test_someone_born_on_a_leap_day_turns_16_on_1_march_in_a_common_year() -> None:
    born = dt.date(2008, 2, 29)
    assert age_on(born, dt.date(2024, 2, 28)) == 15
    assert age_on(born, dt.date(2024, 2, 29)) == 16
    assert age_on(dt.date(2007, 2, 28), dt.date(2023, 2, 28)) == 16
    assert age_on(born, dt.date(2025, 2, 28)) == 16
    assert age_on(dt.date(2004, 2, 29), dt.date(2021, 2, 28)) == 16
    assert age_on(dt.date(2004, 2, 29), dt.date(2021, 3, 1)) == 17


@given(sentenced=days | leap_days, length=st.integers(0, 40 * 366), age=st.integers(16, 80))
def test_the_period_follows_the_sentence_length_bands(
    sentenced: dt.date, length: int, age: int
) -> None:
    period = notification_period_years(
        sentence_date=sentenced, length_days=length, age_at_conviction=age
    )
    end = sentenced + dt.timedelta(days=length)
    if age < 18:
        assert period == 10
    elif end >= add_years(sentenced, 10):
        assert period == 30
    elif end >= add_years(sentenced, 5):
        assert period == 15
    else:
        assert period == 10


def test_the_band_edges_fall_on_the_anniversary_including_leap_years() -> None:
    sentenced = dt.date(2016, 2, 29)
    ten_years = (add_years(sentenced, 10) - sentenced).days
    assert (
        notification_period_years(
            sentence_date=sentenced, length_days=ten_years, age_at_conviction=30
        )
        == 30
    )
    assert (
        notification_period_years(
            sentence_date=sentenced, length_days=ten_years - 1, age_at_conviction=30
        )
        == 15
    )
    five_years = (add_years(sentenced, 5) - sentenced).days
    assert (
        notification_period_years(
            sentence_date=sentenced, length_days=five_years - 1, age_at_conviction=30
        )
        == 10
    )
    assert (
        notification_period_years(
            sentence_date=sentenced, length_days=ten_years, age_at_conviction=17
        )
        == 10
    )


@settings(max_examples=200)
@given(
    born=days | leap_days,
    convicted=days,
    wait=st.integers(0, 200),
    length=st.integers(0, 30 * 366),
    custody=st.integers(0, 30 * 366),
    cohort=st.booleans(),
)
def test_the_schedule_applies_only_to_notifiable_adults_with_long_enough_sentences(
    born: dt.date, convicted: dt.date, wait: int, length: int, custody: int, cohort: bool
) -> None:
    sentenced = convicted + dt.timedelta(days=wait)
    released = sentenced + dt.timedelta(days=custody)
    schedule = notification_schedule(
        notifiable_cohort=cohort,
        date_of_birth=born,
        conviction_date=convicted,
        sentence_date=sentenced,
        length_days=length,
        released_on=released,
    )
    long_enough = sentenced + dt.timedelta(days=length) >= add_months(sentenced, 12)
    old_enough = born <= convicted and age_on(born, convicted) >= 16
    assert schedule.applies == (cohort and old_enough and long_enough)
    if schedule.applies:
        assert schedule.period_years in (10, 15, 30)
        assert schedule.initial_due_on == released + dt.timedelta(days=3)
        # Custody is discounted: the period ends exactly the custody days after the plain end.
        assert schedule.ends_on == add_years(sentenced, schedule.period_years) + dt.timedelta(
            days=custody
        )
        assert schedule.next_annual_due_on is None or schedule.next_annual_due_on == add_years(
            schedule.initial_due_on, 1
        )


def test_without_custody_the_initial_notification_runs_from_the_sentence() -> None:
    schedule = notification_schedule(
        notifiable_cohort=True,
        date_of_birth=dt.date(1990, 1, 1),
        conviction_date=dt.date(2024, 1, 10),
        sentence_date=dt.date(2024, 2, 26),
        length_days=400,
        custodial=False,
    )
    assert schedule.initial_due_on == dt.date(2024, 2, 29)
    assert schedule.ends_on == dt.date(2034, 2, 26)


def test_before_release_the_end_of_the_period_is_unknown() -> None:
    schedule = notification_schedule(
        notifiable_cohort=True,
        date_of_birth=dt.date(1990, 1, 1),
        conviction_date=dt.date(2024, 1, 10),
        sentence_date=dt.date(2024, 1, 10),
        length_days=3000,
    )
    assert schedule.applies
    assert schedule.period_years == 15
    assert schedule.ends_on is None
    assert schedule.initial_due_on is None


@given(day=days | leap_days)
def test_change_and_annual_notifications(day: dt.date) -> None:
    assert change_notification_due(day) == day + dt.timedelta(days=3)
    annual = annual_renotification_due(day)
    assert 365 <= (annual - day).days <= 366


@given(departure=days, length=st.integers(0, 60), enhanced=st.booleans())
def test_foreign_travel_of_three_days_or_more_needs_notice_before_departure(
    departure: dt.date, length: int, enhanced: bool
) -> None:
    by = foreign_travel_notice_by(
        departure, departure + dt.timedelta(days=length), enhanced_notice=enhanced
    )
    if length < 3:
        assert by is None
    else:
        assert by == departure - dt.timedelta(days=7 if enhanced else 3)
