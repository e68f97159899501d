"""The daily phase task: runs now through the command, and keeps itself scheduled nightly."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jointcase.cases.tasks import phases_next_run, phases_reevaluate, phases_schedule_next

pytestmark = pytest.mark.django_db


def test_the_next_daily_run_is_tonight_at_two_or_tomorrow_if_past() -> None:
    before = timezone.make_aware(dt.datetime(2026, 3, 1, 1, 30))
    after = timezone.make_aware(dt.datetime(2026, 3, 1, 2, 0))
    assert timezone.localtime(phases_next_run(before)) == timezone.make_aware(
        dt.datetime(2026, 3, 1, 2, 0)
    )
    assert timezone.localtime(phases_next_run(after)) == timezone.make_aware(
        dt.datetime(2026, 3, 2, 2, 0)
    )


def test_scheduling_enqueues_a_deferred_run() -> None:
    result = phases_schedule_next()
    assert result.task.run_after is not None
    assert result.task.run_after > timezone.now()


def test_the_task_reports_how_many_cases_changed_phase(case_world: object) -> None:
    assert phases_reevaluate.call() == 0
