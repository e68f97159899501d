"""The seed step makes meetings and agreed actions with histories, overdue ones included."""

from __future__ import annotations

import datetime as dt

import pytest

from jointcase.meetings.models import (
    ActionEvent,
    ActionStatus,
    AgreedAction,
    Meeting,
    MinutesSection,
)
from jointcase.seed.world import world_seed

TODAY = dt.date(2026, 3, 10)


@pytest.mark.django_db
def test_the_demo_world_has_actions_overdue_ones_included_and_persona_meetings(
    keyring: object,
) -> None:
    world_seed(scale="demo", seed=1, show_progress=False, today=TODAY)
    assert AgreedAction.objects.count() == 300
    assert AgreedAction.objects.filter(status=ActionStatus.OPEN, due_date__lt=TODAY).exists()
    assert ActionEvent.objects.filter(kind="CREATED").count() == 300
    assert Meeting.objects.filter(chair__username="ct.supervisor").exists()
    assert MinutesSection.objects.filter(classification="SECRET").exists()
