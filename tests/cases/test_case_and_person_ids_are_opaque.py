"""Cases and persons are named in every URL and API field by an opaque identifier (a random
UUID), never by the sequential database key, so their existence cannot be counted or probed;
a missing, a malformed and a forbidden identifier get the same 404. The human reference
(JC-000001) stays for display."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from jointcase.accounts.models import User
from jointcase.accounts.tokens import api_token_create
from jointcase.cases import services as case_services
from jointcase.cases.models import Cohort, Ideology
from jointcase.meetings.models import ActionSource
from jointcase.meetings.services.actions import action_create
from jointcase.people import services as people_services
from tests.register_fixtures import CaseWorld

pytestmark = pytest.mark.django_db
ClientFor = Callable[[User], Client]


def _api(user: User) -> Client:
    _token, plaintext = api_token_create(actor=None, user=user, name="tests", days=1)
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")


def _random_uuid(text: str) -> uuid.UUID:
    value = uuid.UUID(text)
    assert value.version == 4
    assert str(value) == text
    return value


def _same_page(first: bytes, second: bytes) -> bool:
    """Equal but for what differs on every response (CSP nonces, masked CSRF tokens)."""

    def strip(body: bytes) -> bytes:
        body = re.sub(rb'nonce="[^"]*"', b"", body)
        return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", body)

    return strip(first) == strip(second)


def test_case_and_person_urls_and_api_ids_are_uuids_not_sequential_integers(
    case_world: CaseWorld, client_for: ClientFor
) -> None:
    case, person = case_world.case, case_world.person
    practitioner = case_world.personas.nsd_practitioner
    api = _api(practitioner)

    listed = api.get("/api/v1/cases").json()["results"]
    assert [row["id"] for row in listed] == [str(case.public_id)]
    assert _random_uuid(listed[0]["id"]) != case.pk
    assert listed[0]["reference"] == case.reference  # the human reference, for display
    assert listed[0]["person"]["id"] == str(person.public_id)
    detail = api.get(f"/api/v1/persons/{person.public_id}").json()
    assert (detail["id"], [c["id"] for c in detail["cases"]]) == (
        str(person.public_id),
        [str(case.public_id)],
    )
    persons = api.get("/api/v1/persons").json()["results"]
    assert str(person.public_id) in [row["id"] for row in persons]

    pages = client_for(practitioner)
    my_cases = pages.get("/cases/").content.decode()
    assert f'href="/cases/{case.public_id}/"' in my_cases
    assert f'href="/cases/{case.pk}/"' not in my_cases
    overview = pages.get(f"/cases/{case.public_id}/")
    assert overview.status_code == 200
    assert (
        f"/people/{person.public_id}/"
        in pages.get(f"/cases/{case.public_id}/history/").content.decode()
    )
    # the database key names nothing any more, on pages or in the API
    assert pages.get(f"/cases/{case.pk}/").status_code == 404
    assert pages.get(f"/people/{person.pk}/").status_code == 404
    assert api.get(f"/api/v1/cases/{case.pk}").status_code == 404
    assert api.get(f"/api/v1/persons/{person.pk}").status_code == 404


def test_two_cases_opened_one_after_the_other_have_unrelated_identifiers(
    case_world: CaseWorld,
) -> None:
    practitioner = case_world.personas.nsd_practitioner
    second_person = people_services.person_create(
        actor=practitioner, given_names="Robin", family_name="Ashdown"
    )
    second = case_services.case_open(
        actor=practitioner,
        person=second_person,
        cohort=Cohort.TACT,
        ideology=Ideology.ISLAMIST,
        lead_agency=practitioner.agency,
        opened_at=dt.date.today(),
    )
    assert second.pk == case_world.case.pk + 1  # the database key is sequential...
    first_id, second_id = case_world.case.public_id, second.public_id
    assert first_id.version == second_id.version == 4  # ...the identifier is random
    assert first_id.int + 1 != second_id.int
    assert second_person.public_id not in (case_world.person.public_id, first_id, second_id)


def test_a_missing_a_malformed_and_a_forbidden_case_get_the_same_404_on_pages(
    case_world: CaseWorld, client_for: ClientFor
) -> None:
    outsider = client_for(case_world.personas.officer_not_on_case)
    for template in ("/cases/{}/", "/cases/{}/material/", "/people/{}/"):
        real = case_world.person.public_id if "people" in template else case_world.case.public_id
        forbidden = outsider.get(template.format(real))
        missing = outsider.get(template.format(uuid.uuid4()))
        malformed = outsider.get(template.format("not-a-uuid"))
        assert forbidden.status_code == missing.status_code == malformed.status_code == 404
        assert _same_page(forbidden.content, missing.content), template
        assert _same_page(forbidden.content, malformed.content), template


def test_a_missing_a_malformed_and_a_forbidden_case_get_the_same_404_in_the_api(
    case_world: CaseWorld,
) -> None:
    api = _api(case_world.personas.officer_not_on_case)
    for template in (
        "/api/v1/cases/{}",
        "/api/v1/cases/{}/timeline",
        "/api/v1/cases/{}/material",
        "/api/v1/cases/{}/actions",
        "/api/v1/cases/{}/plan",
        "/api/v1/persons/{}",
    ):
        real = case_world.person.public_id if "persons" in template else case_world.case.public_id
        answers = [
            api.get(template.format(value))
            for value in (real, uuid.uuid4(), "not-a-uuid", "1", "-20209147429945326627259940864")
        ]
        assert {answer.status_code for answer in answers} == {404}, template
        assert len({answer.content for answer in answers}) == 1, template


def test_a_case_named_in_a_query_or_a_body_is_its_uuid_and_a_malformed_one_is_a_400(
    case_world: CaseWorld,
) -> None:
    api = _api(case_world.personas.nsd_practitioner)
    mine = api.get("/api/v1/actions/mine", {"case": str(case_world.case.public_id)})
    assert mine.status_code == 200
    unknown = api.get("/api/v1/actions/mine", {"case": str(uuid.uuid4())})
    assert (unknown.status_code, unknown.json()["count"]) == (200, 0)
    malformed = api.get("/api/v1/actions/mine", {"case": str(case_world.case.pk)})
    assert malformed.status_code == 400
    assert "case" in [error["field"] for error in malformed.json()["errors"]]

    body = {
        "type": "MAPPA_L3",
        "starts_at": (timezone.now() + dt.timedelta(days=3)).isoformat(),
        "chair": "nsd.practitioner",
        "cases": [case_world.case.pk],
    }
    refused = api.post("/api/v1/meetings", json.dumps(body), content_type="application/json")
    assert refused.status_code == 400
    assert any("cases" in error["field"] for error in refused.json()["errors"])
    body["cases"] = [str(case_world.case.public_id)]
    created = api.post("/api/v1/meetings", json.dumps(body), content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["cases"] == [str(case_world.case.public_id)]


def test_the_action_queue_filters_by_the_case_reference_or_its_uuid_never_its_key(
    case_world: CaseWorld, client_for: ClientFor
) -> None:
    officer = case_world.personas.ctnm_officer
    action_create(
        actor=case_world.personas.nsd_practitioner,
        case=case_world.case,
        description="Home visit (synthetic)",
        owner=officer,
        due_date=timezone.localdate() + dt.timedelta(days=10),
        source_kind=ActionSource.ASSESSMENT,
    )
    client = client_for(officer)

    def listed(case: str) -> bool:
        response = client.get("/meetings/actions/mine/", {"case": case})
        assert response.status_code == 200
        return "Home visit (synthetic)" in response.content.decode()

    def refused(case: str) -> str:
        response = client.get("/meetings/actions/mine/", {"case": case})
        assert response.status_code == 400
        page = response.content.decode()
        assert "Home visit (synthetic)" not in page
        assert "There is a problem" in page
        return page

    assert listed("")
    assert listed(case_world.case.reference)
    assert listed(case_world.case.reference.lower())
    assert listed(str(case_world.case.public_id))
    # The database key names nothing; an unknown reference or id is named as such.
    assert "Enter a case reference like JC-000001" in refused(str(case_world.case.pk))
    assert "There is no case JC-999999 among the cases you can see" in refused("jc-999999")
    assert "among the cases you can see" in refused(str(uuid.uuid4()))
