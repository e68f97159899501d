"""A domain's evidence cites required checks of the same case (the police domestic abuse
call-out check's "no trace", say): on the ratings page, through the API, and shown on the
assessment with a link to the check; a check of another case, or one that does not exist, is
refused with nothing stored and a DENY entry."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from jointcase.accounts.models import User
from jointcase.accounts.tokens import api_token_create
from jointcase.audit.models import AuditEntry, Outcome
from jointcase.cases import services as case_services
from jointcase.cases.models import Cohort, Ideology
from jointcase.people import services as people_services
from jointcase.risk.models import RequiredCheck
from jointcase.risk.models.assessments import RiskDomain
from jointcase.risk.services.assessments import AssessmentInput, DomainInput, assessment_save
from tests.risk.conftest import AssessmentWorld

pytestmark = pytest.mark.django_db
ClientFor = Callable[[User], Client]
DA = RiskDomain.DOMESTIC_ABUSE


def _da_check(world: AssessmentWorld) -> RequiredCheck:
    return RequiredCheck.objects.get(case=world.world.case, rule_code="DA_AT_ALLOCATION")


def _check_of_another_case(world: AssessmentWorld) -> RequiredCheck:
    """A copy of the case's check on a second case (same rule, its own id)."""
    actor = world.world.personas.nsd_practitioner
    person = people_services.person_create(actor=actor, given_names="Morgan", family_name="Ashdown")
    other = case_services.case_open(
        actor=actor,
        person=person,
        cohort=Cohort.TACT,
        ideology=Ideology.ISLAMIST,
        lead_agency=actor.agency,
        reference="JC-900002",
    )
    check = _da_check(world)
    check.pk = None
    check.public_id = uuid.uuid4()
    check.case = other
    check.save()
    return check


def test_the_assessor_cites_a_check_on_the_page_and_readers_see_it_linked(
    assessment_world: AssessmentWorld, client_for: ClientFor
) -> None:
    people, case = assessment_world.world.personas, assessment_world.world.case
    check = _da_check(assessment_world)
    client = client_for(people.nsd_practitioner)
    url = reverse("risk:assessment-edit", args=[assessment_world.draft.public_id])
    form = client.get(url).content.decode()
    assert "Cite required checks as evidence" in form
    assert f"Police domestic abuse call-out check, due {check.due_on:%-d %B %Y} (open)" in form
    saved = client.post(
        url,
        {
            f"domain_{DA}": "LOW",
            f"evidence_{DA}": "The police call-out check is requested (synthetic)",
            f"checks_{DA}": [str(check.public_id)],
        },
    )
    assert saved.status_code == 302
    row = assessment_world.draft.domains.get(domain=DA)
    assert list(row.checks.all()) == [check]
    anchor = f"{reverse('risk:case-checks', args=[case.public_id])}#check-{check.public_id}"
    detail = reverse("risk:assessment", args=[assessment_world.draft.public_id])
    for reader in (people.nsd_practitioner, people.pom):
        page = client_for(reader).get(detail).content.decode()
        assert anchor in page
        assert "Police domestic abuse call-out check</a>: open, due" in page
    checks_page = client.get(reverse("risk:case-checks", args=[case.public_id])).content.decode()
    assert f'id="check-{check.public_id}"' in checks_page  # the link lands on the check


@pytest.mark.parametrize("which", ["another_case", "missing"])
def test_citing_a_check_that_is_not_this_cases_is_refused_and_nothing_stored(
    assessment_world: AssessmentWorld, which: str
) -> None:
    people = assessment_world.world.personas
    wrong = (
        _check_of_another_case(assessment_world).public_id
        if which == "another_case"
        else (uuid.uuid4())
    )
    data = AssessmentInput(
        domains={DA: DomainInput(rating="LOW", evidence="Synthetic", checks=(wrong,))}
    )
    with pytest.raises(ValidationError) as refused:
        assessment_save(actor=people.nsd_practitioner, assessment=assessment_world.draft, data=data)
    assert refused.value.message_dict == {
        f"domain_{DA}": ["Cite only required checks of this case that you can see"]
    }
    assert not assessment_world.draft.domains.filter(domain=DA).exists()
    denial = AuditEntry.objects.filter(action="risk.assessment.save").latest("seq")
    assert denial.outcome == Outcome.DENY


def test_the_api_takes_and_returns_cited_checks_by_their_ids(
    assessment_world: AssessmentWorld,
) -> None:
    people, case = assessment_world.world.personas, assessment_world.world.case
    check = _da_check(assessment_world)
    _token, plaintext = api_token_create(
        actor=None, user=people.nsd_practitioner, name="risk tests", days=1
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    domains = {DA: {"rating": "LOW", "evidence": "Synthetic", "checks": [str(check.public_id)]}}
    made = client.post(
        f"/api/v1/cases/{case.public_id}/assessments",
        json.dumps({"instrument": "WHOLE_RISK", "domains": domains}),
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    read = client.get(f"/api/v1/assessments/{made.json()['id']}").json()
    cited = {row["domain"]: row["checks"] for row in read["domains"]}
    assert cited[DA] == [str(check.public_id)]
    other = _check_of_another_case(assessment_world)
    domains[DA]["checks"] = [str(other.public_id)]
    refused = client.post(
        f"/api/v1/cases/{case.public_id}/assessments",
        json.dumps({"instrument": "WHOLE_RISK", "domains": domains}),
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert [e["field"] for e in refused.json()["errors"]] == [f"domains.{DA}"]
