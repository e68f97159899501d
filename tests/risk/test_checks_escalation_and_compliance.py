"""An undone check turns overdue, escalates like an agreed action (working days, once per
stage) and lowers the compliance figure; the figures count only what the reader may count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jointcase.lib.working_days import add_working_days
from jointcase.notifications.models import Notification
from jointcase.risk.models import RequiredCheck
from jointcase.risk.selectors.checks import DueFilters, checks_due_for, compliance_for
from jointcase.risk.services.checks_acts import check_complete
from jointcase.risk.services.checks_nightly import checks_escalate
from tests.register_fixtures import CaseWorld

pytestmark = pytest.mark.django_db


def _next_working_day(day: dt.date) -> dt.date:
    return add_working_days(day - dt.timedelta(days=1), 1)


def test_an_overdue_check_escalates_to_the_manager_then_the_seniors_once_each(
    checks_world: CaseWorld,
) -> None:
    people = checks_world.personas
    check = RequiredCheck.objects.get(case=checks_world.case, rule_code="DA_AT_ALLOCATION")
    RequiredCheck.objects.exclude(pk=check.pk).update(due_on=check.due_on + dt.timedelta(days=90))
    manager_day = add_working_days(check.due_on, 2)
    assert checks_escalate(today=manager_day) == 1
    assert Notification.objects.filter(recipient=people.nsd_lead).count() == 1
    check.refresh_from_db()
    assert check.escalation_level == 1
    assert checks_escalate(today=manager_day) == 0  # once per stage
    senior_day = add_working_days(check.due_on, 7)
    checks_escalate(today=senior_day)
    check.refresh_from_db()
    assert check.escalation_level == 2
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert {"nsd.lead", "ct.supervisor"} <= told
    assert "officer.notoncase" not in told
    assert "excluded.officer" not in told
    texts = set(Notification.objects.values_list("text", flat=True))
    assert all("JC-900001" not in text for text in texts)


def test_nothing_escalates_on_a_weekend(checks_world: CaseWorld) -> None:
    check = RequiredCheck.objects.get(case=checks_world.case, rule_code="DA_AT_ALLOCATION")
    day = add_working_days(check.due_on, 3)
    while day.weekday() < 5:
        day += dt.timedelta(days=1)
    assert checks_escalate(today=day) == 0


def test_an_undone_check_lowers_the_compliance_figure(checks_world: CaseWorld) -> None:
    people = checks_world.personas
    today = timezone.localdate()
    da = RequiredCheck.objects.get(case=checks_world.case, rule_code="DA_AT_ALLOCATION")
    csc = RequiredCheck.objects.get(case=checks_world.case, rule_code="CSC_AT_ALLOCATION")
    check_complete(
        actor=people.nsd_practitioner,
        check=da,
        outcome="NO_TRACE",
        requested_on=today,
        received_on=today,
    )
    window = {"start": today - dt.timedelta(days=30), "end": today + dt.timedelta(days=60)}
    # Before the safeguarding check falls due it counts for nothing either way: 1 of 1.
    (row,) = compliance_for(people.nsd_lead, **window, group_by=("type",), today=today)
    assert (row.due, row.on_time, row.percent) == (1, 1, 100)
    # Once it is past due and undone, the figure falls to 1 of 2.
    later = csc.due_on + dt.timedelta(days=1)
    rows = compliance_for(people.nsd_lead, **window, group_by=("family",), today=later)
    assert {(r.labels[0], r.due, r.on_time) for r in rows} == {
        ("Domestic abuse", 1, 1),
        ("Safeguarding", 1, 0),
    }
    (total,) = compliance_for(people.national_lead, **window, group_by=("region",), today=later)
    assert (total.due, total.on_time, total.percent) == (2, 1, 50)


def test_compliance_is_for_seniors_and_national_roles_only(checks_world: CaseWorld) -> None:
    people = checks_world.personas
    today = timezone.localdate()
    window = {"start": today - dt.timedelta(days=400), "end": today + dt.timedelta(days=400)}
    later = today + dt.timedelta(days=60)
    assert compliance_for(people.nsd_practitioner, **window, today=later) == []
    assert compliance_for(people.pom, **window, today=later) == []
    # A senior not on the case counts nothing of it (no count leaks).
    assert compliance_for(people.prison_ct_lead, **window, today=later) == []
    assert sum(r.due for r in compliance_for(people.nsd_lead, **window, today=later)) == 2


def test_checks_due_for_me_and_my_team(checks_world: CaseWorld) -> None:
    people = checks_world.personas
    mine = checks_due_for(people.nsd_practitioner, DueFilters(scope="mine"))
    assert sorted(c.rule_code for c in mine) == ["CSC_AT_ALLOCATION", "DA_AT_ALLOCATION"]
    assert not checks_due_for(people.ctnm_officer, DueFilters(scope="mine")).exists()
    team = checks_due_for(people.nsd_lead, DueFilters(scope="team"))
    assert team.count() == 2  # the practitioner is in the lead's team
    assert not checks_due_for(people.officer_not_on_case, DueFilters(scope="team")).exists()
    only_da = checks_due_for(
        people.nsd_practitioner, DueFilters(scope="mine", check_type="POLICE_DA_CALLOUT")
    )
    assert [c.rule_code for c in only_da] == ["DA_AT_ALLOCATION"]
    by_case = checks_due_for(people.nsd_practitioner, DueFilters(case_reference="jc-900001"))
    assert by_case.count() == 2
