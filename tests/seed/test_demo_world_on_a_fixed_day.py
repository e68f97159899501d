"""The demo world as of a fixed day (10 March 2026): 24 months of assessments, checks near the
inspection's baselines then near 100%, contacts with realistic gaps, and meetings with agreed
actions, overdue ones included.

The world is seeded once for the module (tests/support/demo_world.py); each test only reads it.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count, Min, Q
from django.utils import timezone

from jointcase.accounts.models import User
from jointcase.cases.models import Case, CaseTeamMember, Phase
from jointcase.meetings.models import (
    ActionEvent,
    ActionStatus,
    AgreedAction,
    Meeting,
    MinutesSection,
)
from jointcase.risk.models import CheckStatus, RequiredCheck
from jointcase.risk.models.assessments import (
    Assessment,
    AssessmentSection,
    AssessmentStatus,
    RiskDomain,
)
from jointcase.risk.selectors.assessments import risk_summary_for
from jointcase.risk.selectors.checks import DueFilters, checks_due_for, compliance_for
from jointcase.supervision.models import CaseStanding, Contact, ContactOutcome, Enforcement
from jointcase.supervision.selectors.contacts import contacts_due_for
from jointcase.supervision.standards import standards_current
from jointcase.supervision.standing import standings_bulk
from jointcase.supervision.standing_store import STORED_FIELDS, standings_read, stored_standing
from tests.support.demo_world import demo_world_fixture

TODAY = dt.date(2026, 3, 10)

demo_world = demo_world_fixture(today=TODAY)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("demo_world"),
    pytest.mark.xdist_group("demo_world_on_a_fixed_day"),
]


def test_every_case_has_24_months_of_complete_assessments() -> None:
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


def test_checks_show_the_improvement_and_every_persona_has_one_due() -> None:
    """The first 12 months near the inspection's baselines, the last 12 near 100%."""
    checks = RequiredCheck.objects.all()
    assert checks.count() > 300
    assert checks.filter(triggered_on__lt=TODAY - dt.timedelta(days=600)).exists()
    assert checks.filter(status=CheckStatus.OPEN, due_on__lt=TODAY).exists()
    national = User.objects.get(username="national.lead")
    first = compliance_for(
        national,
        start=TODAY - dt.timedelta(days=730),
        end=TODAY - dt.timedelta(days=366),
        group_by=("family",),
        today=TODAY,
    )
    last = compliance_for(
        national,
        start=TODAY - dt.timedelta(days=365),
        end=TODAY,
        group_by=("family",),
        today=TODAY,
    )
    before = {row.key[0]: row.percent or 0 for row in first}
    after = {row.key[0]: row.percent or 0 for row in last}
    assert 30 <= before["DOMESTIC_ABUSE"] <= 68, before
    assert 35 <= before["SAFEGUARDING"] <= 75, before
    assert after["DOMESTIC_ABUSE"] >= 88, after
    assert after["SAFEGUARDING"] >= 88, after
    for username in ("nsd.practitioner", "ctnm.officer", "pom.bpss"):
        user = User.objects.get(username=username)
        assert checks_due_for(user, DueFilters(scope="mine")).exists(), username
    for username in ("nsd.lead", "ct.supervisor"):
        user = User.objects.get(username=username)
        assert checks_due_for(user, DueFilters(scope="team")).exists(), username


def test_two_years_of_contacts_with_gaps() -> None:
    """Some cases below their standard now, failed appointments with warnings, a breach, and
    the practitioner has a case below standard and an appointment coming up."""
    now = timezone.make_aware(dt.datetime.combine(TODAY, dt.time(12)))
    contacts = Contact.objects.all()
    assert contacts.count() > 500
    assert contacts.filter(occurred_at__lt=now - dt.timedelta(days=600)).exists()
    assert (
        contacts.filter(outcome=ContactOutcome.FAILED_TO_ATTEND, enforcement=Enforcement.WARNING)
        .exclude(enforcement_reason="")
        .exists()
    )
    assert contacts.filter(enforcement=Enforcement.BREACH).exists()
    assert not contacts.filter(occurred_at__gt=now + dt.timedelta(days=1)).exists()
    open_ids = list(Case.objects.exclude(phase=Phase.CLOSED).values_list("pk", flat=True))
    standings = standings_bulk(open_ids, today=TODAY, now=now)
    below = sum(1 for s in standings.values() if s.below)
    assert 0 < below < len(standings) / 2, (below, len(standings))
    practitioner = User.objects.get(username="nsd.practitioner")
    due = contacts_due_for(practitioner, now=now)
    assert due.below
    assert due.upcoming


def test_the_seed_stores_every_standing_and_each_agrees_with_the_live_one() -> None:
    """Read as of the seeded world's end of day and on later days with no run between, the
    stored standings agree with the standings computed live (those the staleness rule refuses
    are read live)."""
    end_of_day = timezone.make_aware(dt.datetime.combine(TODAY, dt.time(23, 59)))
    ids = list(Case.objects.order_by("pk").values_list("pk", flat=True))
    assert CaseStanding.objects.count() == len(ids)
    rows = list(CaseStanding.objects.values("case_id", *STORED_FIELDS))
    for days in (0, 1, 7, 30, 90):
        later = end_of_day + dt.timedelta(days=days)
        today = timezone.localdate(later)
        stored = [
            stored_standing(row, today=today, now=later, standards=standards_current())
            for row in rows
        ]
        if days == 0:
            assert all(standing is not None for standing in stored)
        assert standings_read(ids, now=later) == standings_bulk(ids, now=later), days


def test_meetings_and_actions_with_histories_overdue_ones_included() -> None:
    assert AgreedAction.objects.count() == 300
    assert AgreedAction.objects.filter(status=ActionStatus.OPEN, due_date__lt=TODAY).exists()
    assert ActionEvent.objects.filter(kind="CREATED").count() == 300
    assert Meeting.objects.filter(chair__username="ct.supervisor").exists()
    assert MinutesSection.objects.filter(classification="SECRET").exists()
