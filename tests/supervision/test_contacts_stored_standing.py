"""The stored contact standing (``CaseStanding``): every service that changes what a standing
depends on stores it again in its own transaction, the nightly run stores every case's, and a
stored standing read on any later day (the staleness rule of ``supervision.standing_store``)
agrees with the standing computed live from the facts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jointcase.cases import services as case_services
from jointcase.cases.models import Case, MappaCategory, MappaRegistration, Phase, Recall, Sentence
from jointcase.risk.models.assessments import RoshLevel
from jointcase.risk.services.assessments import (
    assessment_complete,
    assessment_countersign,
    assessment_save,
)
from jointcase.supervision.models import CaseStanding, Contact, ContactKind, ContactOutcome
from jointcase.supervision.services.contacts import (
    contact_cancel,
    contact_outcome_record,
    contact_plan,
    contact_record,
)
from jointcase.supervision.services.nightly import contacts_nightly
from jointcase.supervision.standards import Standing, standards_current
from jointcase.supervision.standing import standings_bulk
from jointcase.supervision.standing_store import (
    STORED_FIELDS,
    standings_read,
    standings_store,
    standings_store_all,
    stored_standing,
)
from tests.register_fixtures import CaseWorld
from tests.risk.conftest import AssessmentWorld, assessment_world, full_input  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _stored(case: Case, now: dt.datetime | None = None) -> Standing | None:
    """The stored standing as a reader at ``now`` takes it (None: the rule says live)."""
    now = now or timezone.now()
    row = CaseStanding.objects.filter(case=case).values(*STORED_FIELDS).first()
    if row is None:
        return None
    return stored_standing(
        row, today=timezone.localdate(now), now=now, standards=standards_current()
    )


def _live(case: Case, now: dt.datetime | None = None) -> Standing:
    return standings_bulk([case.pk], now=now or timezone.now())[case.pk]


def _agrees(case: Case) -> Standing:
    stored = _stored(case)
    assert stored is not None, "a change stores the standing"
    assert stored == _live(case)
    return stored


def _release(world: CaseWorld, days_ago: int) -> None:
    """Released on licence ``days_ago`` days ago (the sentence service: a phase change)."""
    case = Case.objects.get(pk=world.case.pk)
    case_services.sentence_update(
        actor=world.personas.nsd_practitioner,
        sentence=Sentence.objects.get(pk=world.sentence.pk),
        expected_version=case.version,
        released_on=timezone.localdate() - dt.timedelta(days=days_ago),
    )
    world.case.refresh_from_db()


def test_a_recorded_contact_and_a_recorded_outcome_store_the_standing(
    contacts_world: CaseWorld,
) -> None:
    actor, case = contacts_world.personas.nsd_practitioner, contacts_world.case
    today = timezone.localdate()
    contact_record(
        actor=actor,
        case=case,
        kind=ContactKind.OFFICE,
        occurred_at=_at(today - dt.timedelta(days=3)),
        outcome=ContactOutcome.ATTENDED,
    )
    assert _agrees(case).last_contact_on == today - dt.timedelta(days=3)
    planned = contact_plan(
        actor=actor, case=case, kind=ContactKind.VIDEO, planned_for=_at(today, 23)
    )
    assert _agrees(case).last_contact_on == today - dt.timedelta(days=3)
    contact_outcome_record(
        actor=actor,
        contact=planned,
        expected_version=planned.version,
        occurred_at=timezone.now() - dt.timedelta(minutes=1),
        outcome=ContactOutcome.ATTENDED,
    )
    assert _agrees(case).last_contact_on == today
    other = contact_plan(
        actor=actor, case=case, kind=ContactKind.OFFICE, planned_for=_at(today, 23)
    )
    contact_cancel(actor=actor, contact=other, expected_version=other.version, reason="Ill")
    assert _agrees(case).last_contact_on == today


def test_a_phase_change_a_mappa_registration_and_a_re_release_store_the_standing(
    contacts_world: CaseWorld,
) -> None:
    case, actor = contacts_world.case, contacts_world.personas.nsd_practitioner
    assert _agrees(case).standard.code == "CUSTODY_MONTHLY"  # type: ignore[union-attr]
    _release(contacts_world, days_ago=14)
    assert case.phase == Phase.LICENCE
    standing = _agrees(case)
    assert standing.standard is not None
    assert standing.standard.code == "LICENCE_MAPPA3_FIRST_12_WEEKS"
    case_services.mappa_register(
        actor=actor,
        case=case,
        category=MappaCategory.M4,
        level=1,
        review_date=timezone.localdate() + dt.timedelta(days=30),
    )
    assert _agrees(case).standard.code == "LICENCE_FIRST_12_WEEKS"  # type: ignore[union-attr]
    recall = case_services.recall_record(
        actor=actor,
        case=case,
        recalled_on=timezone.localdate() - dt.timedelta(days=6),
        reason="Breach of licence conditions (synthetic)",
    )
    assert Case.objects.get(pk=case.pk).phase == Phase.RECALLED
    assert _agrees(case).standard.code == "CUSTODY_MONTHLY"  # type: ignore[union-attr]
    case_services.recall_re_release(
        actor=actor, recall=recall, re_released_on=timezone.localdate() - dt.timedelta(days=1)
    )
    assert Case.objects.get(pk=case.pk).phase == Phase.LICENCE
    standing = _agrees(case)
    assert standing.due_on == timezone.localdate() - dt.timedelta(days=1) + dt.timedelta(
        days=standing.standard.every_days  # type: ignore[union-attr]
    )


def test_a_countersigned_assessment_stores_the_standing_with_its_rosh(
    assessment_world: AssessmentWorld,  # noqa: F811 - fixture
) -> None:
    world = assessment_world.world
    people = world.personas
    _release(world, days_ago=14)
    assert _agrees(world.case).standard.code == "LICENCE_MAPPA3_FIRST_12_WEEKS"  # type: ignore[union-attr]
    draft = assessment_world.draft
    assessment_save(
        actor=people.nsd_practitioner, assessment=draft, data=full_input(level=RoshLevel.HIGH)
    )
    assessment_complete(actor=people.nsd_practitioner, assessment=draft)
    assessment_countersign(actor=people.nsd_lead, assessment=draft)
    assert _agrees(world.case).standard.code == "LICENCE_HIGH_FIRST_12_WEEKS"  # type: ignore[union-attr]


def test_a_standing_stored_yesterday_reads_below_today_and_tier_changes_are_read_live(
    contacts_world: CaseWorld,
) -> None:
    case = contacts_world.case
    _release(contacts_world, days_ago=12 * 7 - 2)  # the 12-week tier ends in two days
    yesterday = timezone.now() - dt.timedelta(days=1)
    contact_record(
        actor=contacts_world.personas.nsd_practitioner,
        case=case,
        kind=ContactKind.OFFICE,
        occurred_at=yesterday - dt.timedelta(days=4),
        outcome=ContactOutcome.ATTENDED,
    )
    standings_store([case.pk], now=yesterday)
    row = CaseStanding.objects.get(case=case)
    assert row.stale_on == timezone.localdate() + dt.timedelta(days=2)
    # Stored yesterday, due yesterday: below today with no run in between.
    stored = _stored(case)
    assert stored is not None
    assert stored.below
    assert stored == _live(case)
    assert row.below_since == timezone.localdate()
    # From the day the tier changes the stored standing is not read: the live one is.
    later = timezone.now() + dt.timedelta(days=2)
    assert _stored(case, later) is None
    read = standings_read([case.pk], now=later)[case.pk]
    assert read == _live(case, later)
    assert read.standard is not None
    assert read.standard.code == "LICENCE_MAPPA_AFTER_12_WEEKS"


def test_the_nightly_run_and_the_seed_store_every_case(contacts_world: CaseWorld) -> None:
    case = contacts_world.case
    CaseStanding.objects.all().delete()
    # A fact written by another route (an import): the stored standing is wrong until the run.
    occurred_at = timezone.now() - dt.timedelta(hours=2)
    Contact.objects.create(
        case=case,
        kind=ContactKind.OFFICE,
        practitioner=contacts_world.personas.nsd_practitioner,
        agency_id=case.lead_agency_id,
        originator_id=case.lead_agency_id,
        occurred_at=occurred_at,
        outcome=ContactOutcome.ATTENDED,
    )
    assert standings_read([case.pk]) == {case.pk: _live(case)}  # none stored: read live
    contacts_nightly()
    assert CaseStanding.objects.filter(case=case).exists()
    # The contact's own day (two hours ago is yesterday between midnight and two).
    assert _agrees(case).last_contact_on == timezone.localdate(occurred_at)
    CaseStanding.objects.all().delete()
    assert standings_store_all() == Case.objects.count()
    _agrees(case)


def test_standards_changed_since_a_standing_was_stored_are_read_live(
    contacts_world: CaseWorld,
) -> None:
    case = contacts_world.case
    standings_store([case.pk])
    CaseStanding.objects.filter(case=case).update(standards_digest="another file")
    assert _stored(case) is None
    assert standings_read([case.pk]) == {case.pk: _live(case)}


# --- The stored standing agrees with the live one, on every day it is read -----------------

OFFSETS = st.integers(-200, 60)


def _facts_set(world: CaseWorld, facts: dict[str, Any], today: dt.date) -> None:
    """Write the generated facts straight to the tables (no service: nothing stored)."""
    case = world.case
    Case.objects.filter(pk=case.pk).update(phase=facts["phase"])
    released = facts["released"]
    Sentence.objects.filter(pk=world.sentence.pk).update(
        released_on=today + dt.timedelta(days=released) if released is not None else None
    )
    MappaRegistration.objects.filter(case=case).delete()
    for level, start, length in facts["mappa"]:
        MappaRegistration.objects.create(
            case=case,
            category=MappaCategory.M4,
            level=level,
            review_date=today + dt.timedelta(days=90),
            valid_from=today + dt.timedelta(days=start),
            valid_to=today + dt.timedelta(days=start + length) if length is not None else None,
        )
    for recalled, back in facts["recalls"]:
        Recall.objects.create(
            case=case,
            recalled_on=today + dt.timedelta(days=recalled),
            re_released_on=today + dt.timedelta(days=recalled + back) if back is not None else None,
            reason="Synthetic",
        )
    for days, kind, outcome in facts["contacts"]:
        Contact.objects.create(
            case=case,
            kind=kind,
            practitioner=world.personas.nsd_practitioner,
            agency_id=case.lead_agency_id,
            originator_id=case.lead_agency_id,
            occurred_at=_at(today + dt.timedelta(days=days), 9 + (days % 8)),
            outcome=outcome,
        )


FACTS = st.fixed_dictionaries(
    {
        "phase": st.sampled_from([p for p in Phase.values]),
        "released": st.one_of(st.none(), OFFSETS),
        "mappa": st.lists(
            st.tuples(
                st.sampled_from([1, 2, 3]), OFFSETS, st.one_of(st.none(), st.integers(0, 90))
            ),
            max_size=2,
        ),
        "recalls": st.lists(
            st.tuples(st.integers(-200, 0), st.one_of(st.none(), st.integers(0, 120))),
            max_size=1,
        ),
        "contacts": st.lists(
            st.tuples(
                st.integers(-120, 3),
                st.sampled_from([ContactKind.OFFICE, ContactKind.VIDEO, ContactKind.TELEPHONE]),
                st.sampled_from([ContactOutcome.ATTENDED, ContactOutcome.FAILED_TO_ATTEND]),
            ),
            max_size=4,
        ),
        "days": st.lists(st.integers(0, 200), min_size=1, max_size=6),
    }
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(facts=FACTS)
def test_a_stored_standing_agrees_with_the_live_one_on_every_day_it_is_read(
    case_world: CaseWorld, facts: dict[str, Any]
) -> None:
    now = timezone.now()
    today = timezone.localdate(now)
    case = case_world.case
    with transaction.atomic():
        _facts_set(case_world, facts, today)
        standings_store([case.pk], now=now)
        for day in facts["days"]:
            later = now + dt.timedelta(days=day)
            live = _live(case, later)
            stored = _stored(case, later)
            if stored is not None:
                assert stored == live, (day, facts)
            assert standings_read([case.pk], now=later) == {case.pk: live}
        # The day it was stored it is read, unless a fact changes later that very day.
        row = CaseStanding.objects.get(case=case)
        assert row.stale_on is None or row.stale_on >= today
        if row.stale_on != today:
            assert _stored(case, now) == _live(case, now)
        transaction.set_rollback(True)
