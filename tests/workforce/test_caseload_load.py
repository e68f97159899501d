"""How a load is made: the case's phase, the highest RoSH of its latest completed assessment,
its current MAPPA level and cohort, co-working at the file's fraction, closed cases not at all;
capacity from the latest record in force (part-time and other duties)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from jointcase.cases.models import Case, CaseRole, CaseTeamMember, Phase
from jointcase.risk.models.assessments import Assessment, AssessmentStatus, RoshRating
from jointcase.workforce.caseload import load_of
from jointcase.workforce.models import CapacityRecord
from tests.workforce.caseload_fixtures import CaseloadWorld

pytestmark = pytest.mark.django_db


def _assessed(case: Case, levels: list[str], *, days_ago: int, status: str) -> None:
    assessment = Assessment.objects.create(
        case=case,
        instrument_code="WHOLE_RISK",
        instrument_version=1,
        status=status,
        assessor=case.created_by,
        originator=case.lead_agency,
        completed_at=timezone.now() - dt.timedelta(days=days_ago),
    )
    for index, level in enumerate(levels):
        RoshRating.objects.create(
            assessment=assessment,
            setting="COMMUNITY" if index % 2 == 0 else "CUSTODY",
            audience=["PUBLIC", "KNOWN_ADULT", "CHILDREN", "STAFF"][index % 4],
            level=level,
        )


def test_the_latest_completed_assessments_highest_rosh_weighs(
    caseload_world: CaseloadWorld,
) -> None:
    world = caseload_world
    case = world.world.case
    assert load_of(world.practitioner).load == Decimal("4.0")  # not assessed: 1.0
    _assessed(case, ["VERY_HIGH"], days_ago=30, status=AssessmentStatus.COMPLETED)
    assert load_of(world.practitioner).load == Decimal("5.0")  # VERY_HIGH: 2.0
    _assessed(case, ["LOW", "MEDIUM", "LOW"], days_ago=2, status=AssessmentStatus.COMPLETED)
    _assessed(case, ["VERY_HIGH"], days_ago=1, status=AssessmentStatus.DRAFT)  # not completed
    assert load_of(world.practitioner).load == Decimal("3.5")  # the latest: MEDIUM, 0.5


def test_co_working_counts_at_the_fraction_and_closed_cases_not_at_all(
    caseload_world: CaseloadWorld,
) -> None:
    world = caseload_world
    CaseTeamMember.objects.create(
        case=world.waiting,
        user=world.second,
        role=CaseRole.CO_WORKING_PRACTITIONER,
        agency=world.second.agency,
    )
    load = load_of(world.second)
    assert (load.load, load.cases) == (Decimal("1.8"), 1)  # 3.5 x 0.5, to one place
    Case.objects.filter(pk=world.waiting.pk).update(phase=Phase.CLOSED)
    assert load_of(world.second).cases == 0


def test_capacity_comes_from_the_latest_record_in_force(caseload_world: CaseloadWorld) -> None:
    world = caseload_world
    today = timezone.localdate()
    assert load_of(world.second).capacity == Decimal("20.0")  # no record: full time
    CapacityRecord.objects.create(
        user=world.second,
        hours_fraction=Decimal("0.80"),
        other_duties_reduction=Decimal("0.25"),
        other_duties="Training lead",
        effective_from=today - dt.timedelta(days=1),
    )
    CapacityRecord.objects.create(
        user=world.second,
        hours_fraction=Decimal("0.10"),
        effective_from=today + dt.timedelta(days=5),
    )
    load = load_of(world.second)
    assert load.capacity == Decimal("12.0")  # 20 x 0.8 x 0.75; the future record not yet
