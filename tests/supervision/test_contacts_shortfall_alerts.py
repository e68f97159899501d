"""Falling below the contact standard alerts the practitioner (the case lead) and their line
manager once per shortfall, on the right working day: a shortfall that begins on a weekend or
a bank holiday is alerted on the next working day. A recorded contact that brings the case back
to its standard resolves the shortfall, and no new alert follows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from jointcase.cases.models import Phase
from jointcase.lib.working_days import is_working_day
from jointcase.notifications.models import Notification
from jointcase.supervision.models import ContactKind, ContactOutcome, ContactShortfall
from jointcase.supervision.services.contacts import contact_record
from jointcase.supervision.services.nightly import (
    MANAGER_TEXT,
    PRACTITIONER_TEXT,
    contacts_nightly,
)
from jointcase.supervision.standards import standards_current
from tests.register_fixtures import CaseWorld

pytestmark = pytest.mark.django_db
EVERY = 31  # the bundled custody standard: a contact at least every 31 days


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _attended(world: CaseWorld, day: dt.date) -> None:
    contact_record(
        actor=world.personas.nsd_practitioner,
        case=world.case,
        kind=ContactKind.VIDEO,
        occurred_at=_at(day),
        outcome=ContactOutcome.ATTENDED,
    )


def _night(day: dt.date) -> dict[str, int]:
    return contacts_nightly(today=day, now=_at(day, 23))


def _alerts(text: str) -> list[str]:
    return list(
        Notification.objects.filter(text=text).values_list("recipient__username", flat=True)
    )


def _shortfall_begins(world: CaseWorld, first_day_below: dt.date) -> None:
    """The last counting contact such that the case is first below standard on the day given."""
    assert world.case.phase == Phase.CUSTODY
    assert any(s.every_days == EVERY for s in standards_current().standards)
    _attended(world, first_day_below - dt.timedelta(days=EVERY + 1))


def test_a_shortfall_beginning_on_a_saturday_is_alerted_on_the_monday(
    contacts_world: CaseWorld,
) -> None:
    saturday = dt.date(2026, 10, 10)
    assert saturday.weekday() == 5
    _shortfall_begins(contacts_world, saturday)
    assert _night(saturday - dt.timedelta(days=1))["below"] == 0  # Friday: still within
    assert _night(saturday) == {"below": 1, "alerted": 0, "resolved": 0}
    assert _night(saturday + dt.timedelta(days=1))["alerted"] == 0  # Sunday
    assert not Notification.objects.exists()
    monday = saturday + dt.timedelta(days=2)
    assert _night(monday)["alerted"] == 1
    assert _alerts(PRACTITIONER_TEXT) == ["nsd.practitioner"]
    assert _alerts(MANAGER_TEXT) == ["nsd.lead"]
    shortfall = ContactShortfall.objects.get(case=contacts_world.case)
    assert (shortfall.due_on, shortfall.alerted_on) == (saturday - dt.timedelta(days=1), monday)
    # Once per shortfall: the next nights alert nobody again.
    assert _night(monday + dt.timedelta(days=1))["alerted"] == 0
    assert Notification.objects.count() == 2


def test_a_shortfall_beginning_over_christmas_is_alerted_after_the_bank_holidays(
    contacts_world: CaseWorld,
) -> None:
    christmas = dt.date(2026, 12, 25)  # a Friday; Boxing Day is moved to Monday the 28th
    _shortfall_begins(contacts_world, christmas)
    for day in (christmas + dt.timedelta(days=n) for n in range(4)):
        assert not is_working_day(day)
        assert _night(day)["alerted"] == 0, day
    assert not Notification.objects.exists()
    assert _night(dt.date(2026, 12, 29))["alerted"] == 1
    assert ContactShortfall.objects.get().alerted_on == dt.date(2026, 12, 29)


def test_a_recorded_contact_clears_the_shortfall_and_no_new_alert_follows(
    contacts_world: CaseWorld,
) -> None:
    today = timezone.localdate()
    working = today
    while not is_working_day(working):
        working -= dt.timedelta(days=1)
    _attended(contacts_world, today - dt.timedelta(days=EVERY + 10))
    assert contacts_nightly(today=working)["alerted"] == 1
    shortfall = ContactShortfall.objects.get()
    assert shortfall.resolved_at is None
    page = f"/cases/{contacts_world.case.public_id}/contacts/"
    assert Notification.objects.filter(link=page).count() == 2

    contact_record(
        actor=contacts_world.personas.nsd_practitioner,
        case=contacts_world.case,
        kind=ContactKind.OFFICE,
        occurred_at=timezone.now() - dt.timedelta(minutes=5),
        outcome=ContactOutcome.ATTENDED,
    )
    shortfall.refresh_from_db()
    assert shortfall.resolved_at is not None
    assert contacts_nightly(today=working) == {"below": 0, "alerted": 0, "resolved": 0}
    assert Notification.objects.count() == 2


def test_a_failed_appointment_does_not_bring_the_case_back_to_standard(
    contacts_world: CaseWorld,
) -> None:
    today = timezone.localdate()
    _attended(contacts_world, today - dt.timedelta(days=EVERY + 10))
    contact_record(
        actor=contacts_world.personas.nsd_practitioner,
        case=contacts_world.case,
        kind=ContactKind.OFFICE,
        occurred_at=timezone.now() - dt.timedelta(minutes=5),
        outcome=ContactOutcome.FAILED_TO_ATTEND,
        enforcement="WARNING",
        enforcement_reason="Missed without explanation (synthetic)",
    )
    assert contacts_nightly(today=today)["below"] == 1


def test_the_nightly_command_runs_the_alerts(contacts_world: CaseWorld, capsys: object) -> None:
    _shortfall_begins(contacts_world, dt.date(2026, 10, 10))
    call_command("contacts", "nightly", "--today", "2026-10-12")
    assert ContactShortfall.objects.filter(alerted_on=dt.date(2026, 10, 12)).exists()
