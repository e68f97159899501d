"""The demo world as `make demo` seeds it today: every phase, the personas in place, coherent
stories, prison training with gaps and varied POM involvement, and an allocation queue with
part-time people and people over capacity.

The world is seeded once for the module (tests/support/demo_world.py); each test only reads it.
"""

from __future__ import annotations

import pytest
from django.db.models import Count
from django.utils import timezone

from jointcase.access.policy import case_decision, cases_visible_to
from jointcase.accounts.models import User
from jointcase.cases.models import (
    Case,
    CaseExclusion,
    CaseRole,
    MappaRegistration,
    Phase,
    TimelineEvent,
)
from jointcase.cases.services import phases_reevaluate_all
from jointcase.meetings.models import AgreedAction
from jointcase.people.models import Identifier, NameKind, PersonName
from jointcase.people.validators import identifier_clean
from jointcase.workforce.models import CapacityRecord, ConfidenceResponse, TrainingCompletion
from jointcase.workforce.selectors.allocation import allocation_queue_for
from jointcase.workforce.selectors.caseload import capacity_for, team_caseload_for
from jointcase.workforce.selectors.pom import involvement_figures
from jointcase.workforce.selectors.training import (
    EXPIRED,
    MISSING,
    compliance_on,
    establishments_for,
    my_courses,
)
from tests.support.demo_world import demo_world_fixture

demo_world = demo_world_fixture(today=None)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("demo_world"),
    pytest.mark.xdist_group("demo_world_today"),
]


def test_the_demo_world_has_every_phase_and_the_personas_in_place() -> None:
    phases = dict(Case.objects.values_list("phase").annotate(n=Count("pk")))
    assert set(phases) == set(Phase.values)
    assert sum(phases.values()) == 60
    assert phases_reevaluate_all() == 0  # the seeded phases agree with the seeded dates

    user = {u.username: u for u in User.objects.filter(username__contains=".")}
    practitioner_cases = set(
        cases_visible_to(user["nsd.practitioner"]).values_list("pk", flat=True)
    )
    assert len(practitioner_cases) >= 10
    led = Case.objects.filter(
        team_members__user=user["nsd.practitioner"],
        team_members__role=CaseRole.LEAD_NSD_PRACTITIONER,
    )
    assert led.count() == 10
    assert len(set(led.values_list("phase", flat=True))) == 6
    ctnm = set(cases_visible_to(user["ctnm.officer"]).values_list("pk", flat=True))
    assert len(ctnm & practitioner_cases) >= 3
    frankland = Case.objects.filter(
        team_members__user=user["pom.bpss"],
        placements__establishment__code="hmp-frankland",
        placements__valid_to__isnull=True,
    ).distinct()
    assert frankland.exists()
    assert set(frankland.values_list("phase", flat=True)) <= {
        Phase.CUSTODY,
        Phase.PRE_RELEASE,
        Phase.RECALLED,
    }
    assert cases_visible_to(user["prison.ctlead"]).exists()
    excluded = CaseExclusion.objects.filter(user=user["excluded.officer"]).select_related("case")
    assert excluded.exists()
    for exclusion in excluded:
        assert exclusion.case.team_members.filter(
            team__memberships__user=user["excluded.officer"]
        ).exists()
        assert case_decision(user["excluded.officer"], exclusion.case).reason == "excluded"
    assert not (
        set(cases_visible_to(user["officer.notoncase"]).values_list("pk", flat=True))
        & practitioner_cases
    )
    assert not cases_visible_to(user["national.lead"]).exists()

    # Histories: aliases (nickname forms and misspellings), identifiers in real formats, timelines.
    assert PersonName.objects.filter(kind=NameKind.ALIAS).count() >= 40
    assert PersonName.objects.filter(
        kind=NameKind.ALIAS, given_names="Danny", family_name="Hollowey"
    ).exists()
    for identifier in Identifier.objects.all():
        assert identifier_clean(identifier.type, identifier.value) == identifier.value
    assert TimelineEvent.objects.count() >= 60 * 8


def test_the_demo_world_tells_coherent_stories() -> None:
    """No closed case with a MAPPA review still ahead; no action due before the meeting that
    agreed it; the NSD senior operational lead sees every case their practitioner leads."""
    closed = Case.objects.filter(phase=Phase.CLOSED)
    assert closed.exists()
    for case in closed:
        assert case.closed_at is not None
        registrations = MappaRegistration.objects.filter(case=case)
        assert not registrations.filter(valid_to__isnull=True).exists(), case
        assert not registrations.filter(review_date__gt=case.closed_at).exists(), case
    agreed = AgreedAction.objects.filter(meeting__isnull=False).select_related("meeting")
    assert agreed.exists()
    for action in agreed:
        assert action.meeting is not None
        assert action.due_date > action.meeting.starts_at.date(), action
        assert action.created_at >= action.meeting.starts_at.replace(hour=0, minute=0), action
    user = {u.username: u for u in User.objects.filter(username__contains=".")}
    led = Case.objects.filter(
        team_members__user=user["nsd.practitioner"],
        team_members__role=CaseRole.LEAD_NSD_PRACTITIONER,
        team_members__end__isnull=True,
    )
    seen = set(cases_visible_to(user["nsd.lead"]).values_list("pk", flat=True))
    assert set(led.values_list("pk", flat=True)) <= seen


def test_the_demo_world_has_training_gaps_survey_answers_and_varied_pom_involvement() -> None:
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


def test_the_demo_world_has_a_queue_part_timers_and_people_over_capacity() -> None:
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


def test_the_timelines_tell_the_whole_story() -> None:
    """Material added, actions agreed and completed and minutes are on the timelines, each
    read at its reader's label: the POM never reads the title of an item she may not see."""
    from jointcase.access.material import material_visible_to
    from jointcase.cases.models import TimelineKind
    from jointcase.cases.selectors import case_timeline_for, timeline_shown
    from jointcase.material.models import MaterialItem
    from jointcase.meetings.models import ActionStatus

    items = MaterialItem.objects.filter(parent__isnull=True)
    material = TimelineEvent.objects.filter(kind=TimelineKind.MATERIAL)
    assert material.count() == items.count() > 0
    actions = TimelineEvent.objects.filter(kind=TimelineKind.ACTION)
    done = AgreedAction.objects.filter(status=ActionStatus.DONE, completed_at__isnull=False)
    assert actions.count() == AgreedAction.objects.count() + done.count()
    assert TimelineEvent.objects.filter(kind=TimelineKind.MINUTES).exists()

    pom = User.objects.get(username="pom.bpss")
    seen = set(material_visible_to(pom).values_list("title", flat=True))
    unseen = set(items.values_list("title", flat=True)) - seen
    for case in cases_visible_to(pom):
        events = list(case_timeline_for(user=pom, case=case))
        for shown in timeline_shown(pom, case, events):
            assert not any(f"'{title}'" in shown.title for title in unseen), shown.title
