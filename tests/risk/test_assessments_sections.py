"""Sections carry their own labels: each reader sees the assessment at their clearance, with
withheld sections shown as withheld and never decrypted."""

from __future__ import annotations

import pytest
from django.http import Http404

from jointcase.access.acting import NotPermitted
from jointcase.access.labels import Classification
from jointcase.audit.models import AuditEntry
from jointcase.risk.selectors.assessments import assessment_get_for, assessment_view
from jointcase.risk.services.assessments import assessment_section_save
from tests.risk.conftest import SECRET_NOTE, AssessmentWorld

pytestmark = pytest.mark.django_db


def test_the_bpss_pom_reads_the_assessment_with_its_secret_section_withheld(
    assessment_world: AssessmentWorld,
) -> None:
    pom = assessment_world.world.personas.pom
    assessment = assessment_get_for(user=pom, assessment_id=assessment_world.draft.public_id)
    view = assessment_view(user=pom, assessment=assessment)
    written = {row.spec.code: row for row in view.sections if row.written}
    assert not written["OFFENDING"].withheld
    assert written["OFFENDING"].notes.startswith("Offence pattern")
    assert written["RELATIONSHIPS"].withheld
    assert written["RELATIONSHIPS"].notes == ""
    assert written["RELATIONSHIPS"].withheld_text == (
        "Section withheld: held by NSD North at SECRET"
    )
    assert view.marking == Classification.OFFICIAL_SENSITIVE
    assert all(SECRET_NOTE not in row.notes for row in view.sections)
    entry = AuditEntry.objects.filter(
        action="risk.assessment.sections.read", actor_id=pom.pk
    ).latest("seq")
    assert entry.details["withheld"] == [assessment_world.secret_section.pk]


def test_the_sc_practitioner_reads_every_section_and_the_page_is_marked_secret(
    assessment_world: AssessmentWorld,
) -> None:
    user = assessment_world.world.personas.ctnm_officer
    view = assessment_view(user=user, assessment=assessment_world.draft)
    notes = {row.spec.code: row.notes for row in view.sections if row.written}
    assert notes["RELATIONSHIPS"] == SECRET_NOTE
    factors = {
        f.factor.code: f.value_label for row in view.sections for f in row.factors if f.value
    }
    assert factors["INTIMATE_PARTNER"] == "Significant concern"
    assert view.marking == Classification.SECRET


def test_people_not_on_the_case_cannot_open_the_assessment(
    assessment_world: AssessmentWorld,
) -> None:
    people = assessment_world.world.personas
    for user in (people.officer_not_on_case, people.excluded_officer, people.national_lead):
        with pytest.raises(Http404):
            assessment_get_for(user=user, assessment_id=assessment_world.draft.public_id)
    with pytest.raises(Http404):
        assessment_get_for(user=people.pom, assessment_id="not-a-uuid")


def test_no_one_writes_a_section_with_a_label_they_could_not_read(
    assessment_world: AssessmentWorld,
) -> None:
    from jointcase.risk.services.assessments import assessment_start

    pom = assessment_world.world.personas.pom
    mine = assessment_start(
        actor=pom, case=assessment_world.world.case, instrument_code="WHOLE_RISK"
    )
    with pytest.raises(NotPermitted) as refused:
        assessment_section_save(
            actor=pom,
            assessment=mine,
            section_code="OFFENDING",
            notes="Synthetic",
            factors={},
            classification=Classification.SECRET,
        )
    assert refused.value.refusal.reason == "clearance"
    assert not mine.sections.exists()
