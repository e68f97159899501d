"""Reminders and escalation run on working days (England and Wales), monotonic and idempotent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from jointcase.lib.working_days import add_working_days, is_working_day
from jointcase.meetings.escalation import (
    DUE_SOON,
    MANAGER,
    SENIOR,
    Thresholds,
    escalate,
    escalation_level,
    stages_due,
)
from jointcase.meetings.models import ActionEvent, AgreedAction
from jointcase.meetings.services.actions import action_complete, action_create
from jointcase.notifications.models import Notification
from tests.register_fixtures import CaseWorld

DEFAULT = Thresholds(due_soon=3, manager=2, senior=5)
days = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2030, 12, 31))
thresholds = st.builds(
    Thresholds,
    due_soon=st.integers(0, 10),
    manager=st.integers(1, 10),
    senior=st.integers(1, 15),
)


@given(due=days, today=days, t=thresholds)
@settings(max_examples=300, deadline=None)
def test_nothing_fires_on_a_weekend_or_bank_holiday(
    due: dt.date, today: dt.date, t: Thresholds
) -> None:
    if not is_working_day(today):
        assert stages_due(due, today, t) == frozenset()


@given(due=days, offset=st.integers(0, 60), later=st.integers(1, 30), t=thresholds)
@settings(max_examples=300, deadline=None)
def test_escalation_never_steps_back_as_working_days_pass(
    due: dt.date, offset: int, later: int, t: Thresholds
) -> None:
    first = add_working_days(due, offset)
    second = add_working_days(first, later)
    assert escalation_level(due, first, t) <= escalation_level(due, second, t)


@given(due=days, n=st.integers(0, 40), t=thresholds)
@settings(max_examples=300, deadline=None)
def test_the_manager_is_told_after_exactly_n_working_days_overdue(
    due: dt.date, n: int, t: Thresholds
) -> None:
    today = add_working_days(due, n)
    stages = stages_due(due, today, t)
    assert (MANAGER in stages) == (n >= t.manager)
    assert (SENIOR in stages) == (n >= t.manager + t.senior)


@given(today=days, n=st.integers(0, 12), t=thresholds)
@settings(max_examples=200, deadline=None)
def test_due_soon_counts_working_days_before_the_due_date(
    today: dt.date, n: int, t: Thresholds
) -> None:
    if not is_working_day(today):
        return
    due = add_working_days(today, n)
    assert (DUE_SOON in stages_due(due, today, t)) == (n <= t.due_soon)


def test_a_friday_to_tuesday_over_a_bank_holiday_weekend_counts_one_working_day() -> None:
    # Due Friday 3 May 2024; Monday 6 May is the early May bank holiday.
    due = dt.date(2024, 5, 3)
    assert escalation_level(due, dt.date(2024, 5, 7), DEFAULT) == 0
    assert escalation_level(due, dt.date(2024, 5, 8), DEFAULT) == 1
    assert stages_due(due, dt.date(2024, 5, 6), DEFAULT) == frozenset()


@pytest.mark.django_db
def test_escalation_notifies_owner_manager_then_senior_once_each(
    team_world: CaseWorld, settings: object
) -> None:
    people = team_world.personas
    settings.JOINTCASE_ACTION_EMAIL = True  # type: ignore[attr-defined]
    people.nsd_practitioner.email = "practitioner@example.invalid"
    people.nsd_practitioner.save()
    due = dt.date(2031, 3, 3)  # a Monday
    action = action_create(
        actor=people.ct_supervisor,
        case=team_world.case,
        description="Secret detail that must never be e-mailed",
        owner=people.nsd_practitioner,
        due_date=due,
        source_kind="ASSESSMENT",
        today=due - dt.timedelta(days=10),
    )
    Notification.objects.all().delete()
    assert escalate(today=dt.date(2031, 2, 27)) == 1  # Thursday, 2 working days before
    assert escalate(today=dt.date(2031, 2, 27)) == 0  # idempotent
    assert escalate(today=dt.date(2031, 3, 1)) == 0  # Saturday: nothing
    assert escalate(today=dt.date(2031, 3, 5)) == 1  # 2 working days overdue: the manager
    assert escalate(today=dt.date(2031, 3, 12)) == 1  # 7 working days: the senior lead
    assert escalate(today=dt.date(2031, 3, 13)) == 0
    recipients = sorted(n.recipient.username for n in Notification.objects.all())
    assert recipients == ["nsd.lead", "nsd.lead", "nsd.practitioner"]
    kinds = sorted(
        ActionEvent.objects.filter(action=action, kind__in=["REMINDED", "ESCALATED"]).values_list(
            "to_value", flat=True
        )
    )
    assert kinds == [f"due_soon:{due}", f"manager:{due}", f"senior:{due}"]
    assert all("Secret detail" not in n.text for n in Notification.objects.all())
    assert len(mail.outbox) == 3
    for message in mail.outbox:
        assert "Secret detail" not in message.body + message.subject
        assert f"/meetings/actions/{action.public_id}/" in message.body


@pytest.mark.django_db
def test_a_done_action_never_escalates(team_world: CaseWorld) -> None:
    people = team_world.personas
    due = dt.date(2031, 3, 3)
    action = action_create(
        actor=people.ct_supervisor,
        case=team_world.case,
        description="Done in time",
        owner=people.nsd_practitioner,
        due_date=due,
        source_kind="ASSESSMENT",
        today=due - dt.timedelta(days=10),
    )
    action_complete(actor=people.nsd_practitioner, action=action, evidence="Done")
    assert escalate(today=dt.date(2031, 3, 20)) == 0


@pytest.mark.django_db
def test_the_command_runs_the_escalation(
    team_world: CaseWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("actions", "escalate", "--today", "2031-03-01")
    assert "0 notice(s) sent" in capsys.readouterr().out
    assert not AgreedAction.objects.exists()
