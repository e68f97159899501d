"""The risk tab, the case overview's risk summary and the assessment pages, as users see them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from jointcase.accounts.models import User
from jointcase.risk.models.assessments import Assessment, AssessmentStatus, RiskDomain
from jointcase.risk.services.assessments import (
    assessment_complete,
    assessment_countersign,
    assessment_save,
)
from tests.risk.conftest import SECRET_NOTE, AssessmentWorld, full_input

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User], Client]


def _countersigned(world: AssessmentWorld) -> Assessment:
    people = world.world.personas
    assessment_save(actor=people.nsd_practitioner, assessment=world.draft, data=full_input())
    assessment_complete(actor=people.nsd_practitioner, assessment=world.draft)
    return assessment_countersign(actor=people.nsd_lead, assessment=world.draft)


def test_the_risk_tab_and_overview_show_the_latest_rosh_every_domain_and_the_review_date(
    assessment_world: AssessmentWorld, client_for: ClientFor
) -> None:
    case = assessment_world.world.case
    client = client_for(assessment_world.world.personas.pom)
    tab = client.get(reverse("risk:case-risk", args=[case.public_id]))
    assert tab.status_code == 200
    assert "No countersigned risk assessment yet" in tab.content.decode()
    done = _countersigned(assessment_world)
    for url in (
        reverse("risk:case-risk", args=[case.public_id]),
        reverse("cases:case", args=[case.public_id]),
    ):
        page = client.get(url).content.decode()
        assert "Risk of serious harm" in page
        assert "Domestic abuse" in page
        assert "Very high" not in page  # every cell was rated Medium
        assert "Medium" in page
        assert done.next_review_on is not None
        assert f"{done.next_review_on.day} " in page  # the next review date is shown
        assert "DOMESTIC_ABUSE" not in page  # labels, never codes


def test_people_not_on_the_case_get_the_same_404_for_the_tab_and_the_assessment(
    assessment_world: AssessmentWorld, client_for: ClientFor
) -> None:
    people = assessment_world.world.personas
    case = assessment_world.world.case
    for user in (people.officer_not_on_case, people.excluded_officer):
        client = client_for(user)
        assert client.get(reverse("risk:case-risk", args=[case.public_id])).status_code == 404
        url = reverse("risk:assessment", args=[assessment_world.draft.public_id])
        assert client.get(url).status_code == 404


def test_the_bpss_pom_reads_the_assessment_page_with_the_secret_section_withheld(
    assessment_world: AssessmentWorld, client_for: ClientFor
) -> None:
    client = client_for(assessment_world.world.personas.pom)
    page = client.get(reverse("risk:assessment", args=[assessment_world.draft.public_id]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Section withheld: held by NSD North at SECRET" in body
    assert SECRET_NOTE not in body
    assert "Offence pattern shows planning" in body


def test_completing_with_a_blank_domain_on_the_page_shows_the_error_and_changes_nothing(
    assessment_world: AssessmentWorld, client_for: ClientFor
) -> None:
    client = client_for(assessment_world.world.personas.nsd_practitioner)
    draft = assessment_world.draft
    page = client.post(reverse("risk:assessment-complete", args=[draft.public_id]))
    body = page.content.decode()
    assert page.status_code == 400
    assert "This assessment cannot be completed yet" in body
    assert "Rate domestic abuse, or record no concerns identified" in body
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.DRAFT


def test_a_rating_off_the_scale_on_the_form_is_refused_with_the_error_summary(
    assessment_world: AssessmentWorld, client_for: ClientFor
) -> None:
    client = client_for(assessment_world.world.personas.nsd_practitioner)
    draft = assessment_world.draft
    url = reverse("risk:assessment-edit", args=[draft.public_id])
    assert client.get(url).status_code == 200
    page = client.post(url, {f"domain_{RiskDomain.DOMESTIC_ABUSE}": "CATASTROPHIC"})
    assert page.status_code == 400
    assert "There is a problem" in page.content.decode()
    assert not draft.domains.filter(domain=RiskDomain.DOMESTIC_ABUSE).exists()
    saved = client.post(
        url,
        {
            f"domain_{RiskDomain.DOMESTIC_ABUSE}": "NO_CONCERNS",
            f"evidence_{RiskDomain.DOMESTIC_ABUSE}": "Police call-out check: no trace (synthetic)",
        },
    )
    assert saved.status_code == 302
    assert draft.domains.get(domain=RiskDomain.DOMESTIC_ABUSE).rating == "NO_CONCERNS"


def test_only_the_assessor_is_offered_the_forms_and_others_are_refused(
    assessment_world: AssessmentWorld, client_for: ClientFor
) -> None:
    client = client_for(assessment_world.world.personas.ctnm_officer)
    draft = assessment_world.draft
    assert client.get(reverse("risk:assessment-edit", args=[draft.public_id])).status_code == 403
    section = reverse("risk:assessment-section", args=[draft.public_id, "OFFENDING"])
    assert client.get(section).status_code == 403
    page = client.get(reverse("risk:assessment", args=[draft.public_id])).content.decode()
    assert "Complete and send for countersignature" not in page


def test_a_practitioner_starts_an_assessment_from_the_risk_tab(
    assessment_world: AssessmentWorld, client_for: ClientFor
) -> None:
    client = client_for(assessment_world.world.personas.ctnm_officer)
    case = assessment_world.world.case
    url = reverse("risk:assessment-new", args=[case.public_id])
    refused = client.post(url, {"instrument": "NOT_ONE"})
    assert refused.status_code == 400
    assert "Select an instrument from the list" in refused.content.decode()
    started = client.post(url, {"instrument": "EXTREMISM_RISK"})
    assert started.status_code == 302
    assessment = Assessment.objects.get(instrument_code="EXTREMISM_RISK")
    assert assessment.assessor == assessment_world.world.personas.ctnm_officer
    section = client.get(
        reverse("risk:assessment-section", args=[assessment.public_id, "CAPABILITY"])
    )
    assert "Relevant skills or knowledge" in section.content.decode()


def test_evidence_cites_material_the_assessor_may_see_and_each_reader_sees_only_theirs(
    assessment_world: AssessmentWorld, client_for: ClientFor
) -> None:
    from jointcase.material.models import ItemKind
    from jointcase.material.services.items import material_add

    people = assessment_world.world.personas
    case = assessment_world.world.case
    reply = material_add(
        actor=people.nsd_practitioner,
        case=case,
        kind=ItemKind.NOTE,
        title="Police domestic abuse call-out reply",
        classification="OFFICIAL-SENSITIVE",
        body="No call-outs recorded (synthetic).",
    )
    secret = material_add(
        actor=people.nsd_practitioner,
        case=case,
        kind=ItemKind.NOTE,
        title="Covert partner reporting",
        classification="SECRET",
        body="Synthetic.",
    )
    client = client_for(people.nsd_practitioner)
    url = reverse("risk:assessment-edit", args=[assessment_world.draft.public_id])
    form = client.get(url).content.decode()
    assert "Police domestic abuse call-out reply (OFFICIAL-SENSITIVE)" in form
    saved = client.post(
        url,
        {
            "domain_DOMESTIC_ABUSE": "LOW",
            "evidence_DOMESTIC_ABUSE": "Historic call-outs only (synthetic)",
            "material_DOMESTIC_ABUSE": [str(reply.pk), str(secret.pk)],
        },
    )
    assert saved.status_code == 302
    row = assessment_world.draft.domains.get(domain=RiskDomain.DOMESTIC_ABUSE)
    assert set(row.material.values_list("pk", flat=True)) == {reply.pk, secret.pk}
    detail = reverse("risk:assessment", args=[assessment_world.draft.public_id])
    assert "Covert partner reporting" in client.get(detail).content.decode()
    pom_page = client_for(people.pom).get(detail).content.decode()
    assert "Police domestic abuse call-out reply" in pom_page
    assert "Covert partner reporting" not in pom_page


def test_the_lead_returns_an_assessment_on_the_page_only_with_a_reason(
    assessment_world: AssessmentWorld, client_for: ClientFor
) -> None:
    people = assessment_world.world.personas
    draft = assessment_world.draft
    assessment_save(actor=people.nsd_practitioner, assessment=draft, data=full_input())
    assessment_complete(actor=people.nsd_practitioner, assessment=draft)
    lead = client_for(people.nsd_lead)
    detail = reverse("risk:assessment", args=[draft.public_id])
    assert "Return to the assessor" in lead.get(detail).content.decode()
    assert "Return to the assessor" not in client_for(people.pom).get(detail).content.decode()
    url = reverse("risk:assessment-return", args=[draft.public_id])
    refused = lead.post(url, {"reason": ""})
    assert refused.status_code == 400
    assert "Give the reason for returning the assessment" in refused.content.decode()
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.AWAITING_COUNTERSIGNATURE
    assert lead.post(url, {"reason": "Evidence for sexual harm is thin"}).status_code == 302
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.RETURNED
    page = client_for(people.nsd_practitioner).get(detail).content.decode()
    assert "Evidence for sexual harm is thin" in page
    assert client_for(people.pom).post(url, {"reason": "x"}).status_code == 403
