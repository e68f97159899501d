"""The seed step makes 24 months of assessments on every seeded case."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count, Min, Q

from jointcase.keyring import Keyring
from jointcase.risk.models.assessments import (
    Assessment,
    AssessmentSection,
    AssessmentStatus,
    RiskDomain,
)
from jointcase.risk.selectors.assessments import risk_summary_for
from jointcase.seed.world import world_seed

TODAY = dt.date(2026, 3, 10)


@pytest.mark.django_db
def test_the_demo_world_has_24_months_of_complete_assessments_on_every_case(
    keyring: Keyring,
) -> None:
    from jointcase.accounts.models import User
    from jointcase.cases.models import Case, CaseTeamMember

    world_seed(scale="demo", seed=1, show_progress=False, today=TODAY)
    per_case = Assessment.objects.values("case_id").annotate(
        n=Count("pk"), first=Min("completed_at")
    )
    staffed = (
        CaseTeamMember.objects.filter(user__isnull=False, start__lte=TODAY)
        .filter(Q(end__isnull=True) | Q(end__gte=TODAY))
        .values("case_id")
        .distinct()
    )
    assert per_case.count() == staffed.count() > 50  # every case with a current team
    assert all(row["n"] >= 3 for row in per_case)
    oldest = min(row["first"] for row in per_case).date()
    assert (TODAY - oldest).days >= 20 * 30  # reaches back about two years
    sample = Assessment.objects.order_by("pk").first()
    assert sample is not None
    assert sample.status == AssessmentStatus.COMPLETED
    assert {d.domain for d in sample.domains.all()} >= set(RiskDomain.values) - {
        RiskDomain.RISK_TO_PRISONERS
    }
    assert AssessmentSection.objects.filter(classification="SECRET").exists()
    practitioner = User.objects.get(username="nsd.practitioner")
    case = Case.objects.filter(team_members__user=practitioner).first()
    assert case is not None
    summary = risk_summary_for(user=practitioner, case=case)
    assert summary is not None
    assert summary.rosh.highest is not None
