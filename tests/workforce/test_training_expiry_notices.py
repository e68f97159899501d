"""Before required training lapses, its holder and their line manager are told: once per
completion, on a working day, within the window, never for a renewed completion or a course no
longer required. My training marks the course "Expires soon"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from jointcase.accounts.models import User
from jointcase.audit.models import AuditEntry
from jointcase.lib.working_days import is_working_day
from jointcase.notifications.models import Notification
from jointcase.workforce.courses import add_months
from jointcase.workforce.models import TrainingCompletion
from jointcase.workforce.services.training import completion_record
from jointcase.workforce.services.training_expiry import (
    MANAGER_TEXT,
    STAFF_TEXT,
    training_expiry_notices,
)
from tests.workforce.training_fixtures import TrainingWorld

pytestmark = pytest.mark.django_db


def _working_day_on_or_before(day: dt.date) -> dt.date:
    while not is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


def _next_saturday(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(5 - day.weekday()) % 7 or 7)


def _completion(world: TrainingWorld, completed_on: dt.date) -> TrainingCompletion:
    return completion_record(
        actor=world.frankland_lead,
        staff=world.frankland_pom,
        course_code="CT_AWARENESS",
        completed_on=completed_on,
    )


@pytest.fixture
def managed_pom(training_world: TrainingWorld) -> TrainingWorld:
    pom = training_world.frankland_pom
    pom.line_manager = training_world.frankland_lead
    pom.save(update_fields=["line_manager"])
    return training_world


def _told(user: User, text: str) -> int:
    return Notification.objects.filter(recipient=user, text=text).count()


def test_the_holder_and_their_manager_are_told_once_within_the_window(
    managed_pom: TrainingWorld, settings: SettingsWrapper
) -> None:
    settings.JOINTCASE_TRAINING_EXPIRY_NOTICE_DAYS = 30
    done = _completion(managed_pom, timezone.localdate() - dt.timedelta(days=200))
    run_on = _working_day_on_or_before(done.expires_on - dt.timedelta(days=10))
    too_early = _working_day_on_or_before(done.expires_on - dt.timedelta(days=45))

    assert training_expiry_notices(today=too_early) == {"due": 0, "told": 0}
    assert training_expiry_notices(today=run_on) == {"due": 1, "told": 1}
    assert _told(managed_pom.frankland_pom, STAFF_TEXT) == 1
    assert _told(managed_pom.frankland_lead, MANAGER_TEXT) == 1
    assert TrainingCompletion.objects.get(pk=done.pk).expiry_notified_on == run_on
    entry = AuditEntry.objects.get(action="training.expiry_notice")
    assert entry.details["courses"] == ["CT_AWARENESS"]
    # The next night tells nobody again.
    again = _working_day_on_or_before(run_on + dt.timedelta(days=3))
    assert training_expiry_notices(today=again)["told"] == 0
    assert _told(managed_pom.frankland_pom, STAFF_TEXT) == 1


def test_a_window_opening_at_the_weekend_is_told_on_the_next_working_day(
    managed_pom: TrainingWorld,
) -> None:
    done = _completion(managed_pom, timezone.localdate() - dt.timedelta(days=100))
    saturday = _next_saturday(done.expires_on - dt.timedelta(days=20))
    assert training_expiry_notices(today=saturday) == {"due": 0, "told": 0}
    assert not Notification.objects.filter(text=STAFF_TEXT).exists()
    monday = saturday + dt.timedelta(days=2)
    while not is_working_day(monday):
        monday += dt.timedelta(days=1)
    assert training_expiry_notices(today=monday)["told"] == 1


def test_a_renewed_completion_and_a_course_no_longer_required_are_not_told(
    managed_pom: TrainingWorld,
) -> None:
    today = timezone.localdate()
    old = _completion(managed_pom, add_months(today, -24) + dt.timedelta(days=20))
    _completion(managed_pom, today)  # the refresher, recorded before the old one lapses
    run_on = _working_day_on_or_before(old.expires_on - dt.timedelta(days=5))
    assert training_expiry_notices(today=run_on) == {"due": 0, "told": 0}

    garth_pom = managed_pom.garth_pom
    completion_record(
        actor=managed_pom.garth_lead,
        staff=garth_pom,
        course_code="CT_AWARENESS",
        completed_on=add_months(today, -24) + dt.timedelta(days=20),
    )
    garth_pom.role_assignments.all().delete()  # no longer a POM: nothing is required of them
    assert training_expiry_notices(today=run_on) == {"due": 0, "told": 0}


def test_my_training_marks_a_course_that_expires_soon(
    managed_pom: TrainingWorld, client_for: Callable[[User], Client]
) -> None:
    _completion(managed_pom, add_months(timezone.localdate(), -24) + dt.timedelta(days=5))
    page = client_for(managed_pom.frankland_pom).get(reverse("workforce:training-mine"))
    assert page.status_code == 200
    assert "Expires soon" in page.content.decode()


def test_the_console_command_runs_the_notices_and_refuses_a_bad_date(
    managed_pom: TrainingWorld,
) -> None:
    done = _completion(managed_pom, timezone.localdate() - dt.timedelta(days=300))
    run_on = _working_day_on_or_before(done.expires_on - dt.timedelta(days=7))
    out = StringIO()
    call_command("training", "notify", "--today", run_on.isoformat(), stdout=out)
    assert "1 completion(s) lapsing soon, 1 member(s) of staff told" in out.getvalue()
    with pytest.raises(Exception, match="YYYY-MM-DD"):
        call_command("training", "notify", "--today", "31/12/2026")
