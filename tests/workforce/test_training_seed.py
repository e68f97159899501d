"""The seed step: prison staff with current, expired and missing training, establishments that
differ, 24 months of survey answers, and POM involvement that varies by establishment."""

from __future__ import annotations

import pytest
from django.utils import timezone

from jointcase.accounts.models import User
from jointcase.seed.world import world_seed
from jointcase.workforce.models import ConfidenceResponse, TrainingCompletion
from jointcase.workforce.selectors.pom import involvement_figures
from jointcase.workforce.selectors.training import (
    EXPIRED,
    MISSING,
    compliance_on,
    establishments_for,
    my_courses,
)


@pytest.mark.django_db
def test_the_demo_world_has_training_gaps_survey_answers_and_varied_pom_involvement(
    training_keyring: object,
) -> None:
    world_seed(scale="demo", seed=1, show_progress=False)
    today = timezone.localdate()
    national = User.objects.get(username="national.lead")
    places = list(establishments_for(national))
    assert len(places) == 20
    figures = compliance_on(places, today, with_gaps=frozenset(p.pk for p in places))
    shares = [f.percent for f in figures.values() if f.percent is not None]
    assert len(shares) == 20
    assert max(shares) - min(shares) >= 30
    statuses = {gap.status for f in figures.values() for gap in f.gaps}
    assert statuses == {EXPIRED, MISSING}
    assert TrainingCompletion.objects.filter(expires_on__lte=today).exists()

    pom = User.objects.get(username="pom.bpss")
    assert {row.status for row in my_courses(pom, today)} == {"current", EXPIRED, MISSING}

    answers = ConfidenceResponse.objects.all()
    assert answers.count() > 100
    oldest = answers.order_by("answered_on").first()
    assert oldest is not None
    assert (today - oldest.answered_on).days > 600

    pom_figures = [
        f.percent for f in involvement_figures([p.pk for p in places], today).values() if f.cases
    ]
    assert pom_figures
    assert max(pom_figures) - min(pom_figures) >= 30
