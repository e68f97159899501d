"""A check's deadline is the rule's number of working days after its event, in England and
Wales: never on a weekend or a bank holiday, counted across year ends the same way."""

from __future__ import annotations

import datetime as dt

import holidays
from hypothesis import given
from hypothesis import strategies as st

from jointcase.lib.working_days import is_working_day
from jointcase.risk.check_rules import DEFAULT_RULES_PATH, rules_load
from jointcase.risk.services.checks import due_date_for

RULES = rules_load(DEFAULT_RULES_PATH)
days_2024_to_2030 = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2030, 12, 31))
#: The days around year ends and the Christmas and Easter bank holidays, where a wrong count bites.
year_ends = st.builds(
    lambda year, offset: dt.date(year, 12, 20) + dt.timedelta(days=offset),
    st.integers(2024, 2030),
    st.integers(0, 20),
)


def _bank_holidays(year: int) -> set[dt.date]:
    return set(holidays.country_holidays("GB", subdiv="ENG", years=year))


def _working_days_after(start: dt.date, end: dt.date) -> int:
    days, count = start, 0
    while days < end:
        days += dt.timedelta(days=1)
        if days.weekday() < 5 and days not in _bank_holidays(days.year):
            count += 1
    return count


@given(on=st.one_of(days_2024_to_2030, year_ends), rule=st.sampled_from(RULES.rules))
def test_the_deadline_is_exactly_the_rules_working_days_later(on: dt.date, rule: object) -> None:
    due = due_date_for(rule, on)  # type: ignore[arg-type]
    assert due > on
    assert due.weekday() < 5, f"{due} is a weekend"
    assert due not in _bank_holidays(due.year), f"{due} is a bank holiday"
    assert _working_days_after(on, due) == rule.deadline_working_days  # type: ignore[attr-defined]


@given(on=st.one_of(days_2024_to_2030, year_ends), days=st.integers(1, 30))
def test_no_working_day_is_skipped_before_the_deadline(on: dt.date, days: int) -> None:
    rule = RULES.rules[0]
    moved = type(rule)(**{**rule.__dict__, "deadline_working_days": days})
    due = due_date_for(moved, on)
    # The day before the deadline has one fewer working day behind it.
    assert _working_days_after(on, due - dt.timedelta(days=1)) == days - 1
    assert is_working_day(due)


def test_a_christmas_event_is_due_after_the_boxing_day_and_new_year_holidays() -> None:
    rule = next(r for r in RULES.rules if r.deadline_working_days == 5)
    # Wednesday 23 December 2026: 24 (Thu) is a working day; 25 (Fri) and 28 (Mon, Boxing Day
    # substitute) are bank holidays; 1 January 2027 (Fri) too: 29, 30, 31 Dec and 4 Jan.
    due = due_date_for(rule, dt.date(2026, 12, 23))
    assert due == dt.date(2027, 1, 4)
