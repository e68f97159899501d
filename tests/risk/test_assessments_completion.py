"""An assessment cannot be completed until every risk domain is addressed; ratings stay on
their scales; a senior other than the assessor countersigns or returns it with a reason."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from jointcase.access.acting import NotPermitted
from jointcase.audit.models import AuditEntry, Outcome
from jointcase.cases.models import TimelineEvent, TimelineKind
from jointcase.risk.models.assessments import (
    AssessmentDomainRating,
    AssessmentStatus,
    DomainRating,
    RiskDomain,
    RoshRating,
)
from jointcase.risk.services.assessments import (
    AssessmentInput,
    DomainInput,
    assessment_complete,
    assessment_countersign,
    assessment_return,
    assessment_save,
    assessment_start,
)
from tests.risk.conftest import AssessmentWorld, full_input

pytestmark = pytest.mark.django_db


def test_an_assessment_with_domestic_abuse_left_blank_cannot_be_completed(
    assessment_world: AssessmentWorld,
) -> None:
    draft = assessment_world.draft
    assessor = assessment_world.world.personas.nsd_practitioner
    with pytest.raises(ValidationError) as refused:
        assessment_complete(actor=assessor, assessment=draft)
    assert set(refused.value.message_dict) == {f"domain_{RiskDomain.DOMESTIC_ABUSE}"}
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.DRAFT
    denial = AuditEntry.objects.filter(action="risk.assessment.complete").latest("seq")
    assert denial.outcome == Outcome.DENY
    assert denial.reason == "invalid_input"


def test_no_concerns_without_a_reason_does_not_address_the_domain(
    assessment_world: AssessmentWorld,
) -> None:
    assessor = assessment_world.world.personas.nsd_practitioner
    assessment_save(
        actor=assessor,
        assessment=assessment_world.draft,
        data=AssessmentInput(
            domains={RiskDomain.DOMESTIC_ABUSE: DomainInput(DomainRating.NO_CONCERNS, "  ")}
        ),
    )
    with pytest.raises(ValidationError) as refused:
        assessment_complete(actor=assessor, assessment=assessment_world.draft)
    assert "reason no concerns" in refused.value.message_dict["domain_DOMESTIC_ABUSE"][0]


def test_a_rating_off_the_scale_is_refused_and_nothing_is_stored(
    assessment_world: AssessmentWorld,
) -> None:
    assessor = assessment_world.world.personas.nsd_practitioner
    before = list(AssessmentDomainRating.objects.values_list("domain", "rating"))
    with pytest.raises(ValidationError) as refused:
        assessment_save(
            actor=assessor,
            assessment=assessment_world.draft,
            data=AssessmentInput(
                domains={
                    RiskDomain.VIOLENCE: DomainInput(DomainRating.HIGH, "Synthetic"),
                    RiskDomain.SEXUAL_HARM: DomainInput("CATASTROPHIC", "Synthetic"),
                },
                rosh={("COMMUNITY", "PUBLIC"): "EXTREME"},
            ),
        )
    assert set(refused.value.message_dict) == {
        "domain_SEXUAL_HARM",
        "rosh_COMMUNITY_PUBLIC",
    }
    assert list(AssessmentDomainRating.objects.values_list("domain", "rating")) == before
    assert not RoshRating.objects.filter(level="EXTREME").exists()
    entry = AuditEntry.objects.filter(action="risk.assessment.save").latest("seq")
    assert (entry.outcome, entry.reason) == (Outcome.DENY, "invalid_input")


def test_a_complete_assessment_is_countersigned_by_a_senior_and_kept(
    assessment_world: AssessmentWorld,
) -> None:
    people = assessment_world.world.personas
    draft = assessment_world.draft
    assessment_save(actor=people.nsd_practitioner, assessment=draft, data=full_input())
    assessment_complete(actor=people.nsd_practitioner, assessment=draft)
    assert draft.status == AssessmentStatus.AWAITING_COUNTERSIGNATURE
    with pytest.raises(NotPermitted) as own:
        assessment_countersign(actor=people.nsd_practitioner, assessment=draft)
    assert own.value.refusal.reason == "not_senior"
    assessment_countersign(actor=people.nsd_lead, assessment=draft)
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.COMPLETED
    assert draft.countersigned_by == people.nsd_lead
    # The timeline shows each assessment as a risk assessment, not a free-text note.
    entries = TimelineEvent.objects.filter(case=draft.case, title__startswith="Risk assessment")
    assert set(entries.values_list("title", "kind")) == {
        ("Risk assessment completed, awaiting countersignature", TimelineKind.ASSESSMENT),
        ("Risk assessment countersigned", TimelineKind.ASSESSMENT),
    }
    countersigned = entries.get(title="Risk assessment countersigned")
    assert countersigned.get_kind_display() == "Risk assessment"
    with pytest.raises(NotPermitted) as frozen:
        assessment_save(actor=people.nsd_practitioner, assessment=draft, data=full_input())
    assert frozen.value.refusal.reason == "not_editable"


def test_a_senior_returns_an_assessment_only_with_a_reason(
    assessment_world: AssessmentWorld,
) -> None:
    people = assessment_world.world.personas
    draft = assessment_world.draft
    assessment_save(actor=people.nsd_practitioner, assessment=draft, data=full_input())
    assessment_complete(actor=people.nsd_practitioner, assessment=draft)
    with pytest.raises(ValidationError):
        assessment_return(actor=people.nsd_lead, assessment=draft, reason=" ")
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.AWAITING_COUNTERSIGNATURE
    assessment_return(
        actor=people.nsd_lead, assessment=draft, reason="Say more about the household"
    )
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.RETURNED
    assert draft.returned_reason == "Say more about the household"
    assessment_complete(actor=people.nsd_practitioner, assessment=draft)  # editable again


def test_someone_not_on_the_case_cannot_start_or_change_an_assessment(
    assessment_world: AssessmentWorld,
) -> None:
    people = assessment_world.world.personas
    for outsider in (people.officer_not_on_case, people.excluded_officer, people.national_lead):
        with pytest.raises(NotPermitted) as refused:
            assessment_start(
                actor=outsider, case=assessment_world.world.case, instrument_code="WHOLE_RISK"
            )
        assert refused.value.hidden
        with pytest.raises(NotPermitted) as hidden:
            assessment_complete(actor=outsider, assessment=assessment_world.draft)
        assert hidden.value.hidden
    with pytest.raises(NotPermitted) as not_assessor:
        assessment_save(
            actor=people.ctnm_officer, assessment=assessment_world.draft, data=full_input()
        )
    assert not_assessor.value.refusal.reason == "not_assessor"
    assert not not_assessor.value.hidden


def test_an_unknown_instrument_is_refused(assessment_world: AssessmentWorld) -> None:
    with pytest.raises(ValidationError) as refused:
        assessment_start(
            actor=assessment_world.world.personas.nsd_practitioner,
            case=assessment_world.world.case,
            instrument_code="NOT_AN_INSTRUMENT",
        )
    assert "instrument" in refused.value.message_dict


def test_what_changed_since_the_last_assessment_is_shown_domain_by_domain(
    assessment_world: AssessmentWorld,
) -> None:
    from jointcase.risk.models.assessments import RoshLevel
    from jointcase.risk.selectors.assessments import assessment_changes, previous_completed

    people = assessment_world.world.personas
    first = assessment_world.draft
    assessment_save(actor=people.nsd_practitioner, assessment=first, data=full_input())
    assessment_complete(actor=people.nsd_practitioner, assessment=first)
    assessment_countersign(actor=people.nsd_lead, assessment=first)
    second = assessment_start(
        actor=people.nsd_practitioner, case=first.case, instrument_code="WHOLE_RISK"
    )
    data = full_input(level=RoshLevel.HIGH)
    data.domains = {
        **data.domains,
        RiskDomain.DOMESTIC_ABUSE: DomainInput(DomainRating.HIGH, "New call-out (synthetic)"),
    }
    assessment_save(actor=people.nsd_practitioner, assessment=second, data=data)
    assessment_complete(actor=people.nsd_practitioner, assessment=second)
    assessment_countersign(actor=people.nsd_lead, assessment=second)
    previous = previous_completed(user=people.pom, assessment=second)
    assert previous == first
    changed = {
        c.what: (c.before, c.after) for c in assessment_changes(previous, second) if c.changed
    }
    assert changed["Domestic abuse"] == ("Medium", "High")
    assert changed["RoSH: Public in community"] == ("Medium", "High")
    assert "Violence outside extremism" not in changed
