"""Phase boundaries: the pre-release window, release, licence end, recall and closure."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jointcase.cases.dates import add_months
from jointcase.cases.models import Phase, SentenceType
from jointcase.cases.phases import CaseFacts, phase_for
from tests.register_fixtures import CaseWorld

days = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2080, 12, 31))
windows = st.integers(0, 24)


@given(release=days, window=windows, before=st.integers(1, 4000))
def test_in_custody_the_pre_release_window_opens_exactly_window_months_before_release(
    release: dt.date, window: int, before: int
) -> None:
    facts = CaseFacts(sentence_type=SentenceType.SDS, expected_release=release)
    opens = add_months(release, -window)
    assert phase_for(facts, opens, window) == Phase.PRE_RELEASE
    assert phase_for(facts, opens - dt.timedelta(days=before), window) == Phase.CUSTODY
    assert phase_for(facts, release, window) == Phase.PRE_RELEASE  # until actually released


@given(released=days, licence_days=st.integers(0, 4000), window=windows)
def test_after_release_licence_runs_to_its_last_day_then_post_licence(
    released: dt.date, licence_days: int, window: int
) -> None:
    ends = released + dt.timedelta(days=licence_days)
    facts = CaseFacts(
        sentence_type=SentenceType.EDS,
        expected_release=released,
        released_on=released,
        licence_ends=ends,
    )
    day_before = phase_for(facts, released - dt.timedelta(days=1), window)
    assert day_before == (Phase.PRE_RELEASE if window else Phase.CUSTODY)
    assert phase_for(facts, released, window) == Phase.LICENCE
    assert phase_for(facts, ends, window) == Phase.LICENCE
    assert phase_for(facts, ends + dt.timedelta(days=1), window) == Phase.POST_LICENCE


@given(released=days, recall_after=st.integers(0, 1000), back_after=st.integers(0, 1000))
def test_a_recall_holds_until_re_release(
    released: dt.date, recall_after: int, back_after: int
) -> None:
    recalled = released + dt.timedelta(days=recall_after)
    back = recalled + dt.timedelta(days=back_after)
    facts = CaseFacts(
        sentence_type=SentenceType.SERIOUS_TERRORISM,
        released_on=released,
        licence_ends=back + dt.timedelta(days=5000),
        recalled_on=recalled,
        re_released_on=back,
    )
    assert phase_for(facts, recalled, 6) == (Phase.RECALLED if back > recalled else Phase.LICENCE)
    assert phase_for(facts, back, 6) == Phase.LICENCE


@given(closed=days, today=days)
def test_closure_beats_every_other_fact(closed: dt.date, today: dt.date) -> None:
    facts = CaseFacts(closed_at=closed, sentence_type=SentenceType.SDS, recalled_on=today)
    assert (phase_for(facts, today, 6) == Phase.CLOSED) == (closed <= today)


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (CaseFacts(), Phase.POST_LICENCE),
        (CaseFacts(in_custody_placement=True), Phase.CUSTODY),
        (
            CaseFacts(sentence_type=SentenceType.COMMUNITY_ORDER, licence_ends=dt.date(2030, 1, 1)),
            Phase.LICENCE,
        ),
        (CaseFacts(sentence_type=SentenceType.LIFE), Phase.CUSTODY),
    ],
)
def test_cases_without_a_release_date(facts: CaseFacts, expected: str) -> None:
    assert phase_for(facts, dt.date(2026, 6, 1), 6) == expected


def test_the_window_is_a_setting(settings: object) -> None:
    facts = CaseFacts(sentence_type=SentenceType.SDS, expected_release=dt.date(2027, 1, 1))
    settings.JOINTCASE_PRE_RELEASE_MONTHS = 6  # type: ignore[attr-defined]
    assert phase_for(facts, dt.date(2026, 8, 1)) == Phase.PRE_RELEASE
    settings.JOINTCASE_PRE_RELEASE_MONTHS = 3  # type: ignore[attr-defined]
    assert phase_for(facts, dt.date(2026, 8, 1)) == Phase.CUSTODY


@pytest.mark.django_db
def test_bulk_facts_are_the_same_facts(case_world: CaseWorld) -> None:
    from jointcase.cases.phases import case_facts, case_facts_bulk

    assert case_facts_bulk([case_world.case.pk])[case_world.case.pk] == case_facts(case_world.case)
