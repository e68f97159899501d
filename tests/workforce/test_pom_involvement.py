"""POM involvement on a constructed world: per establishment, the share of custody cases whose
POM was present at a meeting, contributed to an assessment, read a tearline or recorded a
contact in the last three months; and the list of those without, filtered by the case rule."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jointcase.access.labels import Classification
from jointcase.accounts.models import User
from jointcase.agencies.models import Agency
from jointcase.audit.models import Outcome
from jointcase.audit.services import audit_record
from jointcase.cases.models import (
    Case,
    CaseRole,
    CaseTeamMember,
    Cohort,
    CustodyPlacement,
    Ideology,
    Phase,
    SecurityCategory,
)
from jointcase.material.models import ItemKind, MaterialItem, TearlineStatus
from jointcase.meetings.models import Invitation, Meeting, MeetingType
from jointcase.people.models import Person
from jointcase.risk.models.assessments import Assessment, AssessmentEvent, AssessmentEventKind
from jointcase.supervision.models import Contact, ContactKind, ContactOutcome
from jointcase.workforce.selectors.pom import involvement_figures, not_involved_for
from tests.workforce.training_fixtures import TrainingWorld

pytestmark = pytest.mark.django_db


def _custody_case(
    reference: str, place: Agency, pom: User | None, *, phase: str = Phase.CUSTODY
) -> Case:
    today = timezone.localdate()
    case = Case.objects.create(
        person=Person.objects.create(),
        reference=reference,
        cohort=Cohort.TACT,
        ideology=Ideology.OTHER,
        lead_agency=place,
        phase=phase,
    )
    CustodyPlacement.objects.create(
        case=case,
        establishment=place,
        security_category=SecurityCategory.B,
        valid_from=today - dt.timedelta(days=300),
    )
    if pom is not None:
        CaseTeamMember.objects.create(
            case=case,
            user=pom,
            role=CaseRole.POM,
            agency=place,
            start=today - dt.timedelta(days=300),
        )
    return case


def _ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def _meeting(case: Case, pom: User, chair: User, *, days_ago: int, attended: bool) -> None:
    meeting = Meeting.objects.create(
        type=MeetingType.CT_CASE_CONFERENCE, starts_at=_ago(days_ago), chair=chair
    )
    meeting.cases.add(case)
    Invitation.objects.create(meeting=meeting, user=pom, attended=attended)


@pytest.fixture
def pom_world(training_world: TrainingWorld) -> dict[str, Case]:
    people = training_world.case_world.personas
    pom, frankland = people.pom, training_world.frankland
    present = training_world.case_world.case  # custody at Frankland, POM on its team
    _meeting(present, pom, people.nsd_practitioner, days_ago=30, attended=True)

    invited_only = _custody_case("JC-700002", frankland, pom)
    _meeting(invited_only, pom, people.nsd_practitioner, days_ago=20, attended=False)
    CaseTeamMember.objects.create(
        case=invited_only,
        user=people.prison_ct_lead,
        role=CaseRole.PRISON_CT_LEAD,
        agency=frankland,
        start=timezone.localdate() - dt.timedelta(days=10),
    )

    stale_contact = _custody_case("JC-700003", frankland, pom, phase=Phase.PRE_RELEASE)
    Contact.objects.create(
        case=stale_contact,
        kind=ContactKind.OFFICE,
        practitioner=pom,
        agency=frankland,
        originator=frankland,
        occurred_at=_ago(120),
        outcome=ContactOutcome.ATTENDED,
        classification=Classification.OFFICIAL_SENSITIVE,
    )

    read_tearline = _custody_case("JC-700004", frankland, pom, phase=Phase.RECALLED)
    fuller = MaterialItem.objects.create(
        case=read_tearline,
        kind=ItemKind.INTELLIGENCE_REPORT,
        title="Report",
        classification=Classification.SECRET,
        originator=training_world.frankland,
        created_at=_ago(40),
    )
    tearline = MaterialItem.objects.create(
        id=uuid.uuid4(),
        case=read_tearline,
        kind=ItemKind.INTELLIGENCE_REPORT,
        title="Gist",
        classification=Classification.OFFICIAL_SENSITIVE,
        originator=training_world.frankland,
        created_at=_ago(39),
        parent=fuller,
        tearline_status=TearlineStatus.APPROVED,
    )
    audit_record(
        action="material.read",
        actor=pom,
        outcome=Outcome.ALLOW,
        object_type="material",
        object_id=str(tearline.pk),
    )

    contributed = _custody_case("JC-700005", frankland, pom)
    assessment = Assessment.objects.create(
        case=contributed,
        instrument_code="WHOLE_RISK",
        instrument_version=1,
        assessor=people.nsd_practitioner,
        originator=frankland,
    )
    AssessmentEvent.objects.create(
        assessment=assessment, kind=AssessmentEventKind.SUBMITTED, actor=pom, occurred_at=_ago(5)
    )

    no_pom = _custody_case("JC-700006", frankland, None)
    on_licence = _custody_case("JC-700007", frankland, pom, phase=Phase.LICENCE)
    elsewhere = _custody_case("JC-700008", training_world.garth, training_world.garth_pom)
    return {
        "present": present,
        "invited_only": invited_only,
        "stale_contact": stale_contact,
        "read_tearline": read_tearline,
        "contributed": contributed,
        "no_pom": no_pom,
        "on_licence": on_licence,
        "elsewhere": elsewhere,
    }


def test_the_share_of_custody_cases_with_pom_involvement_per_establishment(
    training_world: TrainingWorld, pom_world: dict[str, Case]
) -> None:
    today = timezone.localdate()
    figures = involvement_figures([training_world.frankland.pk, training_world.garth.pk], today)
    frankland = figures[training_world.frankland.pk]
    # Custody, pre-release and recalled cases at Frankland: present, read a tearline and
    # contributed are involved; invited only, a contact four months ago and no POM are not.
    assert (frankland.involved, frankland.cases, frankland.percent) == (3, 6, 50)
    assert (figures[training_world.garth.pk].involved, figures[training_world.garth.pk].cases) == (
        0,
        1,
    )


def test_the_list_names_only_cases_the_viewer_may_see(
    training_world: TrainingWorld, pom_world: dict[str, Case]
) -> None:
    today = timezone.localdate()
    people = training_world.case_world.personas
    lead_sees = not_involved_for(people.prison_ct_lead, training_world.frankland.pk, today)
    assert [row.reference for row in lead_sees] == ["JC-700002"]
    assert lead_sees[0].invited
    assert not lead_sees[0].present
    pom_sees = {
        r.reference: r for r in not_involved_for(people.pom, training_world.frankland.pk, today)
    }
    assert sorted(pom_sees) == ["JC-700002", "JC-700003"]
    assert pom_sees["JC-700003"].last_contact is not None
    assert not pom_sees["JC-700003"].contact_in_window
    assert not_involved_for(people.national_lead, training_world.frankland.pk, today) == []


def test_a_meeting_attended_four_months_ago_no_longer_counts(
    training_world: TrainingWorld, pom_world: dict[str, Case]
) -> None:
    later = timezone.localdate() + dt.timedelta(days=80)
    frankland = involvement_figures([training_world.frankland.pk], later)[
        training_world.frankland.pk
    ]
    # 80 days on, the meeting (30 days ago) is outside the window; the assessment step (5 days
    # ago) and the tearline read (now) are still inside it.
    assert (frankland.involved, frankland.cases) == (2, 6)


def test_the_establishment_page_shows_the_figure_and_the_visible_list(
    training_world: TrainingWorld,
    pom_world: dict[str, Case],
    client_for: Callable[[User], Client],
) -> None:
    url = reverse("workforce:training-establishment", args=["hmp-frankland"])
    lead = client_for(training_world.case_world.personas.prison_ct_lead).get(url).content.decode()
    national = (
        client_for(training_world.case_world.personas.national_lead).get(url).content.decode()
    )
    for body in (lead, national):
        assert "50% of custody cases (3 of 6)" in body
    assert "JC-700002" in lead
    assert "JC-700003" not in lead
    assert "pom-not-involved" not in national
    assert "JC-7000" not in national
