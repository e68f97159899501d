"""The nightly checks task: runs now (through the task or the command) and keeps itself
scheduled for the following night, after the phase run."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from jointcase.risk.models import RequiredCheck
from jointcase.risk.tasks import checks_next_run, checks_nightly_run, checks_schedule_next
from tests.register_fixtures import CaseWorld

pytestmark = pytest.mark.django_db


def test_the_next_run_is_at_three_after_the_phase_run() -> None:
    before = timezone.make_aware(dt.datetime(2026, 3, 1, 2, 30))
    assert timezone.localtime(checks_next_run(before)) == timezone.make_aware(
        dt.datetime(2026, 3, 1, 3, 0)
    )


def test_scheduling_enqueues_a_deferred_run() -> None:
    result = checks_schedule_next()
    assert result.task.run_after is not None
    assert result.task.run_after > timezone.now()


def test_the_task_and_the_command_run_the_nightly_evaluation(checks_world: CaseWorld) -> None:
    from tests.risk.conftest import enter_pre_release

    enter_pre_release(checks_world, release_in_days=10)
    result = checks_nightly_run.call()
    assert result["raised"] >= 1
    assert RequiredCheck.objects.filter(rule_code="DA_BEFORE_RELEASE").count() == 1
    out = StringIO()
    call_command("checks", "nightly", stdout=out)
    assert out.getvalue().startswith("0 check(s) raised")
