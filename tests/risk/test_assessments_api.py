"""The assessments API: the same rules and errors as the pages."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from jointcase.accounts.models import User
from jointcase.accounts.tokens import api_token_create
from jointcase.audit.models import AuditEntry, Outcome
from jointcase.risk.models.assessments import (
    ROSH_AUDIENCES,
    Assessment,
    AssessmentStatus,
    RiskDomain,
)
from tests.risk.conftest import SECRET_NOTE, AssessmentWorld

pytestmark = pytest.mark.django_db


def api(user: User) -> Client:
    _token, plaintext = api_token_create(actor=None, user=user, name="risk tests", days=1)
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")


def post(client: Client, url: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def _body(skip: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "instrument": "WHOLE_RISK",
        "domains": {
            d: {"rating": "LOW", "evidence": f"Synthetic evidence: {d}"}
            for d in RiskDomain.values
            if d not in skip
        },
        "rosh": [
            {"setting": s, "audience": a, "level": "HIGH"}
            for s, audiences in ROSH_AUDIENCES.items()
            for a in audiences
        ],
        "nature_of_risk": "Synthetic",
        "who_is_at_risk": "Synthetic",
        "when_most_likely": "Synthetic",
        "increasing_factors": "Synthetic",
        "mitigating_factors": "Synthetic",
        "next_review_on": "2099-01-31",
        "sections": [
            {
                "section": "RELATIONSHIPS",
                "notes": "Synthetic SECRET judgement",
                "factors": {"INTIMATE_PARTNER": "SOME"},
                "classification": "SECRET",
            }
        ],
    }


def test_an_assessment_with_a_blank_domain_cannot_be_completed_through_the_api(
    assessment_world: AssessmentWorld,
) -> None:
    people = assessment_world.world.personas
    client = api(people.nsd_practitioner)
    case = assessment_world.world.case
    made = post(client, f"/api/v1/cases/{case.public_id}/assessments", _body(skip=("SEXUAL_HARM",)))
    assert made.status_code == 201, made.content
    new_id = made.json()["id"]
    refused = post(client, f"/api/v1/assessments/{new_id}/complete")
    assert refused.status_code == 400
    assert [e["field"] for e in refused.json()["errors"]] == ["domains.SEXUAL_HARM"]
    assert Assessment.objects.get(public_id=new_id).status == AssessmentStatus.DRAFT
    denial = AuditEntry.objects.filter(action="risk.assessment.complete").latest("seq")
    assert denial.outcome == Outcome.DENY


def test_a_full_assessment_is_created_and_completed_through_the_api(
    assessment_world: AssessmentWorld,
) -> None:
    client = api(assessment_world.world.personas.ctnm_officer)
    case = assessment_world.world.case
    made = post(client, f"/api/v1/cases/{case.public_id}/assessments", _body())
    assert made.status_code == 201, made.content
    done = post(client, f"/api/v1/assessments/{made.json()['id']}/complete")
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "AWAITING_COUNTERSIGNATURE"
    listed = client.get(f"/api/v1/cases/{case.public_id}/assessments").json()
    assert listed["count"] == 2  # the fixture's draft and this one


def test_a_rating_off_the_scale_through_the_api_is_refused_and_nothing_is_stored(
    assessment_world: AssessmentWorld,
) -> None:
    client = api(assessment_world.world.personas.nsd_practitioner)
    case = assessment_world.world.case
    body = _body()
    body["domains"]["VIOLENCE"]["rating"] = "APOCALYPTIC"
    body["sections"][0]["factors"] = {"INTIMATE_PARTNER": "ELEVEN"}
    before = Assessment.objects.count()
    refused = post(client, f"/api/v1/cases/{case.public_id}/assessments", body)
    assert refused.status_code == 400
    fields = {e["field"] for e in refused.json()["errors"]}
    assert fields == {"domains.VIOLENCE", "sections[0].factors.INTIMATE_PARTNER"}
    assert Assessment.objects.count() == before
    entry = AuditEntry.objects.filter(action="risk.assessment.start").latest("seq")
    assert (entry.outcome, entry.reason) == (Outcome.DENY, "invalid_input")


def test_the_bpss_pom_reads_the_assessment_through_the_api_with_the_secret_section_withheld(
    assessment_world: AssessmentWorld,
) -> None:
    answer = api(assessment_world.world.personas.pom).get(
        f"/api/v1/assessments/{assessment_world.draft.public_id}"
    )
    assert answer.status_code == 200
    assert SECRET_NOTE not in answer.content.decode()
    sections = {s["section"]: s for s in answer.json()["sections"]}
    assert sections["RELATIONSHIPS"]["withheld"] is True
    assert sections["RELATIONSHIPS"]["notes"] is None
    assert sections["RELATIONSHIPS"]["factors"] == {}
    assert sections["OFFENDING"]["notes"].startswith("Offence pattern")
    assert answer.json()["marking"] == "OFFICIAL-SENSITIVE"


def test_the_api_answers_404_alike_for_people_off_the_case_and_missing_ids(
    assessment_world: AssessmentWorld,
) -> None:
    people = assessment_world.world.personas
    case = assessment_world.world.case
    for user in (people.officer_not_on_case, people.excluded_officer, people.national_lead):
        client = api(user)
        urls = [
            f"/api/v1/assessments/{assessment_world.draft.public_id}",
            f"/api/v1/cases/{case.public_id}/assessments",
        ]
        for url in urls:
            assert client.get(url).status_code == 404
        assert (
            post(client, f"/api/v1/cases/{case.public_id}/assessments", _body()).status_code == 404
        )
        assert (
            post(
                client, f"/api/v1/assessments/{assessment_world.draft.public_id}/complete"
            ).status_code
            == 404
        )
    client = api(people.nsd_practitioner)
    missing = "00000000-0000-4000-8000-000000000000"
    assert client.get(f"/api/v1/assessments/{missing}").status_code == 404


def test_someone_who_sees_the_assessment_but_is_not_its_assessor_gets_403(
    assessment_world: AssessmentWorld,
) -> None:
    client = api(assessment_world.world.personas.ctnm_officer)
    refused = post(client, f"/api/v1/assessments/{assessment_world.draft.public_id}/complete")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Only the assessor can change this"


def test_extra_fields_are_refused(assessment_world: AssessmentWorld) -> None:
    client = api(assessment_world.world.personas.nsd_practitioner)
    body = _body()
    body["assessor"] = "partner.liaison"
    answer = post(
        client, f"/api/v1/cases/{assessment_world.world.case.public_id}/assessments", body
    )
    assert answer.status_code == 400
