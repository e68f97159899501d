"""Date rules of a case: notification requirements (CTA 2008 Part 4) and calendar helpers.

Pure functions over dates (no database), property-tested in tests/cases/test_dates.py.
Calendar arithmetic is by calendar months and years: a period that starts on 29 February ends
on 28 February in a common year (the law counts whole years; the day before never ends early).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

#: Days after release (or after being dealt with, without custody) for the initial notification.
INITIAL_NOTIFICATION_DAYS = 3
#: Days after a change of notified details within which it must be notified.
CHANGE_NOTIFICATION_DAYS = 3
#: A trip abroad of this many days or more must be notified before departure.
FOREIGN_TRAVEL_MIN_DAYS = 3
#: Notice before departure: the usual and the "where required" (enhanced) periods.
FOREIGN_TRAVEL_NOTICE_DAYS = 3
FOREIGN_TRAVEL_ENHANCED_NOTICE_DAYS = 7
#: Minimum sentence (in months) for the requirements to apply, and minimum age at conviction.
MINIMUM_SENTENCE_MONTHS = 12
MINIMUM_AGE = 16
ADULT_AGE = 18


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole calendar months; the 31st becomes the month's last day."""
    month_index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(month_index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def add_years(day: dt.date, years: int) -> dt.date:
    """``day`` moved by whole years; 29 February becomes 28 February in a common year."""
    return add_months(day, 12 * years)


def age_on(date_of_birth: dt.date, day: dt.date) -> int:
    """Age in whole years on ``day`` (born 29 February: a year older on 1 March in common years)."""
    years = day.year - date_of_birth.year
    if (day.month, day.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


def days_remaining(day: dt.date | None, today: dt.date) -> int | None:
    """Days from ``today`` to ``day`` (negative when past), for "days remaining" displays."""
    return None if day is None else (day - today).days


def sentence_at_least(sentence_date: dt.date, length_days: int, *, months: int) -> bool:
    """Whether a sentence of ``length_days`` from ``sentence_date`` is at least ``months`` long."""
    return sentence_date + dt.timedelta(days=length_days) >= add_months(sentence_date, months)


def notification_period_years(
    *, sentence_date: dt.date, length_days: int, age_at_conviction: int, life: bool = False
) -> int:
    """30 years for 10 years or more (or life), 15 for 5 to under 10, 10 otherwise; 10 for
    people who were 16 or 17 when convicted."""
    if age_at_conviction < ADULT_AGE:
        return 10
    if life or sentence_at_least(sentence_date, length_days, months=120):
        return 30
    if sentence_at_least(sentence_date, length_days, months=60):
        return 15
    return 10


@dataclass(frozen=True)
class NotificationSchedule:
    applies: bool
    reason: str
    period_years: int | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    initial_due_on: dt.date | None = None
    next_annual_due_on: dt.date | None = None


def notification_schedule(
    *,
    notifiable_cohort: bool,
    date_of_birth: dt.date | None,
    conviction_date: dt.date,
    sentence_date: dt.date,
    length_days: int,
    life: bool = False,
    custodial: bool = True,
    released_on: dt.date | None = None,
    last_notified_on: dt.date | None = None,
) -> NotificationSchedule:
    """The notification requirements of one sentence.

    Apply to people 16 or over at conviction, sentenced to 12 months or more for a terrorism or
    terrorism-connected offence. The period runs from the sentence date with time in custody
    discounted, so it ends ``period`` years after the sentence date plus the days in custody
    (unknown until release). The initial notification is due within 3 days of release (of
    sentence, without custody); re-notification at least once a year after the last one.
    """
    if not notifiable_cohort:
        return NotificationSchedule(False, "Not a terrorism or terrorism-connected offence")
    if date_of_birth is None:
        return NotificationSchedule(False, "Date of birth unknown: cannot decide")
    age = age_on(date_of_birth, conviction_date)
    if age < MINIMUM_AGE:
        return NotificationSchedule(False, f"Aged {age} at conviction (under {MINIMUM_AGE})")
    if not life and not sentence_at_least(
        sentence_date, length_days, months=MINIMUM_SENTENCE_MONTHS
    ):
        return NotificationSchedule(False, "Sentence shorter than 12 months")
    period = notification_period_years(
        sentence_date=sentence_date, length_days=length_days, age_at_conviction=age, life=life
    )
    start = released_on if custodial else sentence_date
    ends_on = None
    if start is not None:
        custody_days = (start - sentence_date).days if custodial else 0
        ends_on = add_years(sentence_date, period) + dt.timedelta(days=max(custody_days, 0))
    initial_due = initial_notification_due(start) if start else None
    anchor = last_notified_on or initial_due
    annual = annual_renotification_due(anchor) if anchor else None
    if ends_on is not None and annual is not None and annual > ends_on:
        annual = None
    return NotificationSchedule(
        True,
        f"Aged {age} at conviction, sentence of 12 months or more: {period} years",
        period_years=period,
        starts_on=start,
        ends_on=ends_on,
        initial_due_on=initial_due,
        next_annual_due_on=annual,
    )


def initial_notification_due(released_on: dt.date) -> dt.date:
    return released_on + dt.timedelta(days=INITIAL_NOTIFICATION_DAYS)


def change_notification_due(changed_on: dt.date) -> dt.date:
    return changed_on + dt.timedelta(days=CHANGE_NOTIFICATION_DAYS)


def annual_renotification_due(last_notified_on: dt.date) -> dt.date:
    return add_years(last_notified_on, 1)


def foreign_travel_notice_by(
    departure: dt.date, returning: dt.date, *, enhanced_notice: bool = False
) -> dt.date | None:
    """The last day to notify a trip abroad, or None when the trip is shorter than 3 days."""
    if (returning - departure).days < FOREIGN_TRAVEL_MIN_DAYS:
        return None
    notice = FOREIGN_TRAVEL_ENHANCED_NOTICE_DAYS if enhanced_notice else FOREIGN_TRAVEL_NOTICE_DAYS
    return departure - dt.timedelta(days=notice)
