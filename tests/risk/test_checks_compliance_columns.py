"""The compliance figures read two stored generated columns of a check (``due_month`` and
``on_time``, computed by the database): they must follow every write, whichever path makes it
(the services, a bulk update, a moved due date), and the figures read through them must equal
a count made directly from the checks' own dates."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.models import F, Q
from django.utils import timezone

from jointcase.risk.models import CheckStatus, RequiredCheck
from jointcase.risk.selectors.checks import compliance_for
from jointcase.risk.services.checks_acts import check_complete, check_due_move
from tests.register_fixtures import CaseWorld

pytestmark = pytest.mark.django_db


def _month(day: dt.date) -> int:
    return day.year * 100 + day.month


def test_the_stored_month_and_on_time_follow_every_write(checks_world: CaseWorld) -> None:
    people = checks_world.personas
    today = timezone.localdate()
    check = RequiredCheck.objects.get(case=checks_world.case, rule_code="DA_AT_ALLOCATION")
    assert (check.due_month, check.on_time) == (_month(check.due_on), False)

    moved = today + dt.timedelta(days=45)
    check_due_move(actor=people.nsd_practitioner, check=check, due_on=moved, reason="Court date")
    check.refresh_from_db()
    assert check.due_month == _month(moved)

    check_complete(
        actor=people.nsd_practitioner,
        check=check,
        outcome="NO_TRACE",
        requested_on=today,
        received_on=today,
    )
    check.refresh_from_db()
    assert check.on_time is True  # completed today, due in 45 days

    # A write that bypasses the services (a bulk update) is followed too.
    RequiredCheck.objects.filter(pk=check.pk).update(completed_on=moved + dt.timedelta(days=3))
    check.refresh_from_db()
    assert check.on_time is False  # now completed after its due date


def test_the_figures_by_month_equal_a_count_from_the_dates(checks_world: CaseWorld) -> None:
    people = checks_world.personas
    today = timezone.localdate()
    da = RequiredCheck.objects.get(case=checks_world.case, rule_code="DA_AT_ALLOCATION")
    check_complete(
        actor=people.nsd_practitioner,
        check=da,
        outcome="NO_TRACE",
        requested_on=today,
        received_on=today,
    )
    later = max(c.due_on for c in RequiredCheck.objects.all()) + dt.timedelta(days=1)
    start, end = today - dt.timedelta(days=400), today + dt.timedelta(days=400)
    rows = compliance_for(
        people.national_lead, start=start, end=end, group_by=("month",), today=later
    )
    due = RequiredCheck.objects.filter(due_on__range=(start, end)).filter(
        Q(status=CheckStatus.COMPLETED) | Q(due_on__lt=later)
    )
    expected: dict[str, list[int]] = {}
    for check in due:
        counts = expected.setdefault(f"{check.due_on:%Y-%m}", [0, 0])
        counts[0] += 1
        on_time = check.status == CheckStatus.COMPLETED and check.completed_on <= check.due_on
        counts[1] += int(on_time)
    assert {row.key[0]: [row.due, row.on_time] for row in rows} == expected
    assert sum(row.on_time for row in rows) == due.filter(completed_on__lte=F("due_on")).count()
    assert all(
        row.labels[0] == dt.date.fromisoformat(f"{row.key[0]}-01").strftime("%B %Y") for row in rows
    )


def test_django_can_still_read_the_table_it_generated() -> None:
    """Schema operations introspect the table; the generated columns must not break that."""
    with connection.cursor() as cursor:
        columns = connection.introspection.get_table_description(
            cursor, RequiredCheck._meta.db_table
        )
    assert {"due_month", "on_time"} <= {column.name for column in columns}
