"""The read API: persons and cases, scoped like the pages; bad input 400 with field errors."""

from __future__ import annotations

import pytest
from django.test import Client

from jointcase.accounts.tokens import api_token_create

pytestmark = pytest.mark.django_db


def _api(user):
    _token, plaintext = api_token_create(actor=None, user=user, name="tests", days=1)
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")


def test_a_team_member_lists_and_reads_the_case_and_the_person(case_world):
    client = _api(case_world.personas.ctnm_officer)
    listing = client.get("/api/v1/cases")
    assert listing.status_code == 200
    data = listing.json()
    assert data["count"] == 1
    assert [case["reference"] for case in data["results"]] == [case_world.case.reference]
    detail = client.get(f"/api/v1/cases/{case_world.case.public_id}").json()
    assert detail["person"]["display_name"] == case_world.person.display_name
    assert detail["mappa"]["category"] == "M4"
    assert {member["role"] for member in detail["team"]} >= {
        "LEAD_NSD_PRACTITIONER",
        "CTNM_OFFICER",
    }
    assert any(key_date["code"] == "crd" for key_date in detail["key_dates"])
    timeline = client.get(
        f"/api/v1/cases/{case_world.case.public_id}/timeline", {"kind": "MAPPA"}
    ).json()
    assert timeline["count"] >= 1
    assert all(event["kind"] == "MAPPA" for event in timeline["results"])
    person = client.get(f"/api/v1/persons/{case_world.person.public_id}").json()
    assert {identifier["value"] for identifier in person["identifiers"]} == {"X123456", "A1234BC"}
    assert [case["reference"] for case in person["cases"]] == [case_world.case.reference]
    found = client.get("/api/v1/persons", {"q": "Dany Holowey"}).json()
    assert [p["id"] for p in found["results"]] == [str(case_world.person.public_id)]


@pytest.mark.parametrize("who", ["officer_not_on_case", "excluded_officer", "national_lead"])
def test_without_need_to_know_the_api_shows_nothing_and_answers_404(case_world, who):
    client = _api(getattr(case_world.personas, who))
    assert client.get("/api/v1/cases").json()["count"] == 0
    assert client.get("/api/v1/persons").json()["count"] == 0
    assert client.get("/api/v1/persons", {"q": "Holloway"}).json()["count"] == 0
    for path in (
        f"/api/v1/cases/{case_world.case.public_id}",
        f"/api/v1/cases/{case_world.case.public_id}/timeline",
        f"/api/v1/persons/{case_world.person.public_id}",
    ):
        hidden = client.get(path)
        assert hidden.status_code == 404
        assert "Holloway" not in hidden.content.decode()
    assert (
        client.get("/api/v1/cases/999999").content
        == client.get(f"/api/v1/cases/{case_world.case.public_id}").content
    )


def test_a_member_removed_mid_session_is_refused_on_the_next_api_request(case_world):
    from jointcase.cases.services import team_member_remove

    client = _api(case_world.personas.ctnm_officer)
    url = f"/api/v1/cases/{case_world.case.public_id}"
    assert client.get(url).status_code == 200
    team_member_remove(actor=case_world.personas.nsd_practitioner, member=case_world.ctnm)
    assert client.get(url).status_code == 404
    assert client.get("/api/v1/cases").json()["count"] == 0


def test_no_token_is_401(case_world):
    assert Client().get("/api/v1/cases").status_code == 401
    assert (
        Client(HTTP_AUTHORIZATION="Bearer jc_nope")
        .get(f"/api/v1/cases/{case_world.case.public_id}")
        .status_code
        == 401
    )


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/api/v1/cases", {"page_size": "101"}, "page_size"),
        ("/api/v1/cases", {"page_size": "0"}, "page_size"),
        ("/api/v1/cases", {"page": "-1"}, "page"),
        ("/api/v1/cases", {"page": "abc"}, "page"),
        ("/api/v1/cases", {"phase": "ASLEEP"}, "phase"),
        ("/api/v1/cases", {"cohort": "<script>"}, "cohort"),
        ("/api/v1/persons", {"page_size": "1000"}, "page_size"),
        ("/api/v1/persons", {"q": "31/02/1990"}, "q"),
    ],
)
def test_bad_query_parameters_are_400_with_the_field_named(case_world, path, params, field):
    response = _api(case_world.personas.nsd_practitioner).get(path, params)
    assert response.status_code == 400
    body = response.json()
    assert field in [error["field"] for error in body["errors"]], body
    assert all(error["message"] for error in body["errors"])


def test_a_timeline_filter_with_a_bad_kind_is_400_and_an_unknown_agency_is_empty(case_world):
    client = _api(case_world.personas.nsd_practitioner)
    url = f"/api/v1/cases/{case_world.case.public_id}/timeline"
    assert client.get(url, {"kind": "NOPE"}).status_code == 400
    assert client.get(url, {"agency": "nobody"}).json()["count"] == 0


def test_pages_are_bounded(case_world):
    data = (
        _api(case_world.personas.nsd_practitioner)
        .get("/api/v1/cases", {"page": "5", "page_size": "100"})
        .json()
    )
    assert data["results"] == []
    assert data["page_size"] == 100


def test_the_openapi_document_lists_the_register_routes(case_world):
    schema = Client().get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.1")
    for path in (
        "/api/v1/persons",
        "/api/v1/persons/{person_id}",
        "/api/v1/cases",
        "/api/v1/cases/{case_id}",
    ):
        assert path in schema["paths"]
