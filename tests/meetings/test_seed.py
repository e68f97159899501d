"""Above demo scale the seed step bulk-writes agreed actions with a sample of histories (the
demo world's meetings and actions: tests/seed/test_demo_world_on_a_fixed_day.py)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from jointcase.meetings.models import (
    ActionEvent,
    ActionStatus,
    AgreedAction,
)
from jointcase.seed.world import world_seed

TODAY = dt.date(2026, 3, 10)


@pytest.mark.django_db
def test_above_demo_scale_actions_are_bulk_written_with_a_sample_of_histories(
    keyring: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stress path (bulk rows, histories for a sample) on a small world; the ids it
    allocated leave the database able to add the next action normally."""
    from dataclasses import replace

    from jointcase.seed import scales

    small = replace(scales.SCALES["national"], users_per_team=2, extra_users=0, cases=30)
    monkeypatch.setitem(scales.SCALES, "national", replace(small, material_items=50, actions=2000))
    world_seed(scale="national", seed=2, show_progress=False, today=TODAY)
    assert AgreedAction.objects.count() == 2000
    created = ActionEvent.objects.filter(kind="CREATED")
    assert 20 < created.count() < 400  # about 5% have their history
    assert not ActionEvent.objects.exclude(action_id__in=AgreedAction.objects.values("pk")).exists()
    done = AgreedAction.objects.filter(status=ActionStatus.DONE)
    assert done.exists()
    assert not done.filter(completed_at__isnull=True).exists()
    assert not done.filter(evidence="").exists()
    template = AgreedAction.objects.order_by("pk").first()
    assert template is not None
    template.pk = None
    template.public_id = uuid.uuid4()  # a copy is a new action with its own opaque id
    template.save()  # the next id is free (sequences were reset after the bulk load)
    assert AgreedAction.objects.count() == 2001
