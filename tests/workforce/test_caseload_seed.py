"""The seed step: the demo's NSD senior lead finds cases waiting for reallocation, their team
page shows a practitioner with an overdue contact, and the world has part-time people and
people over capacity."""

from __future__ import annotations

import pytest

from jointcase.accounts.models import User
from jointcase.seed.world import world_seed
from jointcase.workforce.models import CapacityRecord
from jointcase.workforce.selectors.allocation import allocation_queue_for
from jointcase.workforce.selectors.caseload import capacity_for, team_caseload_for
from tests.risk.conftest import keyring  # noqa: F401 - fixture


@pytest.mark.django_db
def test_the_demo_world_has_a_queue_part_timers_and_people_over_capacity(
    keyring: object,  # noqa: F811
) -> None:
    world_seed(scale="demo", seed=1, show_progress=False)
    lead = User.objects.get(username="nsd.lead")
    queue = allocation_queue_for(lead)
    assert len(queue) >= 3
    assert {row.why for row in queue} == {"Lead left the case"}
    team = team_caseload_for(lead)
    assert any(load.overdue_contacts for load in team)
    assert CapacityRecord.objects.filter(hours_fraction__lt=1).exists()
    national = User.objects.get(username="national.lead")
    figures = capacity_for(national)
    assert sum(row.over_capacity for row in figures) >= 1
    assert sum(row.practitioners for row in figures) > 10
