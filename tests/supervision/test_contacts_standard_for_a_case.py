"""Which standard a case keeps, from its phase, RoSH, MAPPA level and weeks since release (the
bundled file: first match wins), and the facts read for it: the RoSH of the latest completed
assessment only, the current MAPPA registration, the release."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from jointcase.agencies.models import Agency
from jointcase.cases.models import Phase
from jointcase.risk.models.assessments import (
    Assessment,
    AssessmentStatus,
    RoshAudience,
    RoshLevel,
    RoshRating,
    RoshSetting,
)
from jointcase.supervision.standards import StandardFacts, standards_current, standing_of
from jointcase.supervision.standing import current_mappa_bulk, current_rosh_bulk
from tests.register_fixtures import CaseWorld

TODAY = dt.date(2026, 6, 1)


def _facts(
    phase: str = Phase.LICENCE,
    rosh: str | None = None,
    mappa: int | None = None,
    weeks: int | None = 3,
) -> StandardFacts:
    released = TODAY - dt.timedelta(weeks=weeks) if weeks is not None else None
    return StandardFacts(phase, rosh, mappa, released, dt.date(2024, 1, 1))


@pytest.mark.parametrize(
    ("facts", "code"),
    [
        (_facts(), "LICENCE_FIRST_12_WEEKS"),
        (_facts(rosh=RoshLevel.VERY_HIGH), "LICENCE_HIGH_FIRST_12_WEEKS"),
        (_facts(mappa=3), "LICENCE_MAPPA3_FIRST_12_WEEKS"),
        (_facts(weeks=12), "LICENCE_AFTER_12_WEEKS"),
        (_facts(weeks=30, rosh=RoshLevel.HIGH), "LICENCE_HIGH_AFTER_12_WEEKS"),
        (_facts(weeks=30, mappa=2), "LICENCE_MAPPA_AFTER_12_WEEKS"),
        (_facts(weeks=None), "LICENCE_AFTER_12_WEEKS"),
        (_facts(phase=Phase.CUSTODY, weeks=None), "CUSTODY_MONTHLY"),
        (_facts(phase=Phase.PRE_RELEASE, weeks=None), "PRE_RELEASE_FORTNIGHTLY"),
        (_facts(phase=Phase.CLOSED), None),
    ],
)
def test_the_first_matching_standard_is_the_cases_standard(
    facts: StandardFacts, code: str | None
) -> None:
    found = standards_current().for_case(facts, TODAY)
    assert (found.code if found else None) == code


@given(
    every=st.sampled_from([4, 7, 14, 31]),
    since=st.integers(0, 400),
    kind=st.sampled_from(["OFFICE", "TELEPHONE", "HOME_VISIT", "VIDEO"]),
)
def test_a_counting_contact_today_keeps_the_standard_and_none_for_longer_breaks_it(
    every: int, since: int, kind: str
) -> None:
    standard = next(s for s in standards_current().standards if s.every_days == every)
    facts = _facts(phase=next(iter(standard.phases)), weeks=None)
    today_contact = standing_of(standard, facts, {kind: TODAY}, TODAY)
    assert today_contact.below is False or kind not in standard.kinds
    last = TODAY - dt.timedelta(days=since)
    standing = standing_of(standard, facts, {kind: last}, TODAY)
    if kind in standard.kinds:
        assert standing.below == (since > every)
        assert standing.due_on == last + dt.timedelta(days=every)


@pytest.mark.django_db
def test_the_rosh_is_the_latest_completed_assessments_highest_cell(
    case_world: CaseWorld,
) -> None:
    case = case_world.case
    nsd = Agency.objects.get(code="nsd-north")
    now = timezone.now()

    def assessment(status: str, days_ago: int, levels: list[str]) -> None:
        made = Assessment.objects.create(
            case=case,
            instrument_code="WHOLE_RISK",
            instrument_version=1,
            status=status,
            assessor=case_world.personas.nsd_practitioner,
            originator=nsd,
            completed_at=now - dt.timedelta(days=days_ago)
            if status == AssessmentStatus.COMPLETED
            else None,
        )
        audiences = [RoshAudience.PUBLIC, RoshAudience.CHILDREN, RoshAudience.STAFF]
        for audience, level in zip(audiences, levels, strict=False):
            RoshRating.objects.create(
                assessment=made, setting=RoshSetting.COMMUNITY, audience=audience, level=level
            )

    assert current_rosh_bulk([case.pk]) == {}
    assessment(AssessmentStatus.COMPLETED, 300, [RoshLevel.VERY_HIGH])
    assessment(AssessmentStatus.COMPLETED, 20, [RoshLevel.LOW, RoshLevel.HIGH, RoshLevel.MEDIUM])
    assessment(AssessmentStatus.DRAFT, 1, [RoshLevel.VERY_HIGH])
    assert current_rosh_bulk([case.pk]) == {case.pk: RoshLevel.HIGH}
    # case_world registers the case at MAPPA level 3 from 400 days ago.
    assert current_mappa_bulk([case.pk], timezone.localdate()) == {case.pk: 3}
