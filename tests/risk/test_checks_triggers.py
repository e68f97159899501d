"""Events raise their checks at once, in the event's own transaction, exactly once per event;
the nightly run raises the date-driven ones and, run twice, raises nothing new."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jointcase.cases import services as case_services
from jointcase.cases.models import CaseRole, Phase, TimelineEvent, TimelineKind
from jointcase.lib.working_days import add_working_days
from jointcase.people import services as people_services
from jointcase.people.models import AddressKind
from jointcase.risk.check_rules import rules_current
from jointcase.risk.models import ChangeKind, RequiredCheck
from jointcase.risk.services.checks import Occurrence, checks_raise
from jointcase.risk.services.checks_acts import change_record
from jointcase.risk.services.checks_nightly import checks_evaluate, periodic_occurrence
from tests.register_fixtures import CaseWorld
from tests.risk.conftest import enter_pre_release, pre_release_checks

pytestmark = pytest.mark.django_db


def test_allocation_raises_the_domestic_abuse_and_safeguarding_checks(
    case_world: CaseWorld,
) -> None:
    checks = RequiredCheck.objects.filter(case=case_world.case, trigger="ALLOCATION")
    assert sorted(checks.values_list("check_type", flat=True)) == [
        "CHILDRENS_SOCIAL_CARE",
        "POLICE_DA_CALLOUT",
    ]
    # Only the lead practitioner's arrival is the allocation: the CTNM officer and POM raised none.
    assert checks.count() == 2
    today = timezone.localdate()
    for check in checks:
        assert check.due_on == add_working_days(today, 10)
        assert check.responsible_role == CaseRole.LEAD_NSD_PRACTITIONER


def test_entering_pre_release_raises_its_checks_with_working_day_deadlines(
    checks_world: CaseWorld,
) -> None:
    enter_pre_release(checks_world)
    assert checks_world.case.phase == Phase.PRE_RELEASE
    checks = pre_release_checks(checks_world)
    assert [c.check_type for c in checks] == [
        "ADULT_SOCIAL_CARE",
        "CHILDRENS_SOCIAL_CARE",
        "POLICE_DA_CALLOUT",
    ]
    today = timezone.localdate()
    due = {c.check_type: c.due_on for c in checks}
    assert due["POLICE_DA_CALLOUT"] == add_working_days(today, 10)
    assert due["ADULT_SOCIAL_CARE"] == add_working_days(today, 15)
    assert all(c.phase == Phase.PRE_RELEASE for c in checks)
    titles = set(
        TimelineEvent.objects.filter(case=checks_world.case, kind=TimelineKind.CHECK).values_list(
            "title", flat=True
        )
    )
    assert "Police domestic abuse call-out check required" in titles


def test_the_same_phase_change_seen_twice_raises_nothing_new(checks_world: CaseWorld) -> None:
    enter_pre_release(checks_world)
    before = RequiredCheck.objects.count()
    case_services.phase_reevaluate(case=checks_world.case)  # nothing changes: no event
    case = checks_world.case
    changed_at = type(case).objects.values_list("phase_changed_at", flat=True).get(pk=case.pk)
    again = Occurrence(
        kind="PHASE_ENTERED",
        key=f"phase:PRE_RELEASE:{changed_at.isoformat()}",
        on=timezone.localdate(),
        phase="PRE_RELEASE",
    )
    assert checks_raise(case=case, event=again) == []
    assert RequiredCheck.objects.count() == before


def test_a_new_address_in_the_register_raises_fresh_checks_in_its_transaction(
    checks_world: CaseWorld,
) -> None:
    before = set(RequiredCheck.objects.values_list("pk", flat=True))
    address = people_services.address_add(
        actor=checks_world.personas.nsd_practitioner,
        person=checks_world.person,
        kind=AddressKind.HOME,
        line1="1 Synthetic Street",
        town="Leeds",
        postcode="LS1 1AA",
    )
    fresh = RequiredCheck.objects.exclude(pk__in=before)
    assert sorted(fresh.values_list("check_type", flat=True)) == [
        "CHILDRENS_SOCIAL_CARE",
        "POLICE_DA_CALLOUT",
    ]
    assert set(fresh.values_list("occurrence", flat=True)) == {f"address:{address.pk}"}


def _address_then_failure(world: CaseWorld) -> None:
    with transaction.atomic():
        people_services.address_add(
            actor=world.personas.nsd_practitioner,
            person=world.person,
            kind=AddressKind.HOME,
            line1="2 Synthetic Street",
            town="Leeds",
            postcode="LS1 1AB",
        )
        raise RuntimeError("the request fails after the address")


def test_an_address_that_fails_to_save_leaves_no_checks(checks_world: CaseWorld) -> None:
    before = RequiredCheck.objects.count()
    with pytest.raises(RuntimeError):
        _address_then_failure(checks_world)
    assert RequiredCheck.objects.count() == before


def test_a_recorded_relationship_raises_da_safeguarding_and_marac_checks(
    checks_world: CaseWorld,
) -> None:
    change, raised = change_record(
        actor=checks_world.personas.nsd_practitioner,
        case=checks_world.case,
        kind=ChangeKind.NEW_RELATIONSHIP,
        occurred_on=timezone.localdate(),
        description="New partner (synthetic)",
    )
    assert sorted(c.check_type for c in raised) == [
        "CHILDRENS_SOCIAL_CARE",
        "MARAC_REFERRAL",
        "POLICE_DA_CALLOUT",
    ]
    assert all(c.change_id == change.pk for c in raised)


def test_a_rule_for_other_cohorts_or_phases_does_not_fire(checks_world: CaseWorld) -> None:
    # HOME_VISIT_ON_MOVE is for cases on licence only; the case is in custody.
    people_services.address_add(
        actor=checks_world.personas.nsd_practitioner,
        person=checks_world.person,
        kind=AddressKind.HOME,
        line1="3 Synthetic Street",
        town="Leeds",
        postcode="LS1 1AC",
    )
    assert not RequiredCheck.objects.filter(rule_code="HOME_VISIT_ON_MOVE").exists()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    events=st.lists(
        st.tuples(
            st.sampled_from(
                [
                    ("CHANGE_OF_CIRCUMSTANCE", "NEW_RELATIONSHIP"),
                    ("CHANGE_OF_CIRCUMSTANCE", "INCIDENT_OR_ARREST"),
                    ("CHANGE_OF_CIRCUMSTANCE", "NEW_ADDRESS"),
                    ("PHASE_ENTERED", "PRE_RELEASE"),
                    ("PHASE_ENTERED", "LICENCE"),
                    ("ALLOCATION", "LEAD_NSD_PRACTITIONER"),
                    ("ALLOCATION", "POM"),
                ]
            ),
            st.integers(0, 3),  # which event of its kind (repeats are the same event)
        ),
        min_size=1,
        max_size=12,
    )
)
def test_each_trigger_fires_exactly_once_per_event(case_world: CaseWorld, events: list) -> None:
    rules = rules_current()
    case = case_world.case
    with transaction.atomic():
        start = RequiredCheck.objects.filter(case=case).count()
        distinct: set[tuple[str, str, int]] = set()
        for (kind, detail), number in events:
            event = Occurrence(
                kind=kind,
                key=f"test:{kind}:{detail}:{number}",
                on=timezone.localdate(),
                phase=detail if kind == "PHASE_ENTERED" else "",
                change_kind=detail if kind == "CHANGE_OF_CIRCUMSTANCE" else "",
                role=detail if kind == "ALLOCATION" else "",
            )
            checks_raise(case=case, event=event)
            distinct.add((kind, detail, number))
        expected = 0
        for kind, detail, _number in distinct:
            for rule in rules.rules_for(kind):
                t = rule.trigger
                fires = (
                    (kind == "ALLOCATION" and t.role == detail)
                    or (kind == "PHASE_ENTERED" and t.phase == detail)
                    or (kind == "CHANGE_OF_CIRCUMSTANCE" and detail in t.changes)
                )
                expected += fires and rule.applies_to(case.cohort, case.phase)
        assert RequiredCheck.objects.filter(case=case).count() - start == expected
        transaction.set_rollback(True)


def test_the_nightly_run_raises_before_release_checks_and_twice_raises_nothing(
    checks_world: CaseWorld,
) -> None:
    enter_pre_release(checks_world, release_in_days=20)
    today = timezone.localdate()
    first = checks_evaluate(today=today)
    release_checks = RequiredCheck.objects.filter(rule_code="DA_BEFORE_RELEASE")
    assert first >= 1
    assert release_checks.count() == 1
    check = release_checks.get()
    assert check.triggered_on == today + dt.timedelta(days=20) - dt.timedelta(days=28)
    total = RequiredCheck.objects.count()
    assert checks_evaluate(today=today) == 0
    assert checks_evaluate(today=today + dt.timedelta(days=1)) == 0
    assert RequiredCheck.objects.count() == total


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(offset=st.integers(-400, 400), release=st.integers(1, 40))
def test_the_nightly_run_twice_creates_nothing_new(
    checks_world: CaseWorld, offset: int, release: int
) -> None:
    today = timezone.localdate() + dt.timedelta(days=offset)
    with transaction.atomic():
        type(checks_world.case).objects.filter(pk=checks_world.case.pk).update(
            opened_at=today - dt.timedelta(days=183 + offset % 7)
        )
        type(checks_world.sentence).objects.filter(pk=checks_world.sentence.pk).update(
            crd=today + dt.timedelta(days=release)
        )
        checks_evaluate(today=today)
        count = RequiredCheck.objects.count()
        assert checks_evaluate(today=today) == 0
        assert RequiredCheck.objects.count() == count
        transaction.set_rollback(True)


def test_a_periodic_rule_fires_once_per_period_within_the_catch_up() -> None:
    rule = next(r for r in rules_current().rules if r.code == "MAPPA_REVIEW_HALF_YEARLY")
    opened = dt.date(2025, 1, 15)
    assert periodic_occurrence(rule, opened, dt.date(2025, 7, 14)) is None
    first = periodic_occurrence(rule, opened, dt.date(2025, 7, 15))
    assert first is not None
    assert first.key == "periodic:2025-07-15"
    later = periodic_occurrence(rule, opened, dt.date(2025, 7, 20))
    assert later is not None
    assert later.key == first.key
    assert periodic_occurrence(rule, opened, dt.date(2025, 8, 30)) is None
    assert periodic_occurrence(rule, opened, dt.date(2026, 1, 16)).key == "periodic:2026-01-15"  # type: ignore[union-attr]
