"""Every integer path id and query parameter is range-checked, on pages and in the API: an id
that cannot exist is 404, an integer beyond the database's 64-bit range in a query is a 400
naming the parameter, never a 500 (``GET /api/v1/actions/mine?case=-2020...`` once crashed).

The API operations are read from the OpenAPI document and the page routes from the URL
resolver, so a new operation or route is covered the day it is added.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from jointcase.accounts.tokens import api_token_create
from jointcase.api import api
from tests.registerui_support import reader
from tests.security.routes import route_inventory

pytestmark = pytest.mark.django_db

HUGE = "20209147429945326627259940864"
#: Path ids that name nothing that could exist: beyond 64 bits, just past it, zero, negative.
IMPOSSIBLE_IDS = [HUGE, "9223372036854775808", "0", "-1", f"-{HUGE}"]
#: Query integers the database cannot hold.
OUT_OF_RANGE = [HUGE, f"-{HUGE}", "9223372036854775808"]


def _is_integer(schema: dict[str, Any]) -> bool:
    options = [schema, *schema.get("anyOf", []), *schema.get("oneOf", [])]
    return any(option.get("type") == "integer" for option in options)


def _operations() -> list[tuple[str, str, list[dict[str, Any]]]]:
    document = api.get_openapi_schema()
    found = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            found.append((method.upper(), path, operation.get("parameters", [])))
    return found


def _fill(path: str, parameters: list[dict[str, Any]], **values: str) -> str:
    for parameter in parameters:
        if parameter["in"] == "path":
            path = path.replace("{" + parameter["name"] + "}", values.get(parameter["name"], "1"))
    return path


@pytest.fixture
def api_client(case_world) -> Client:
    _token, plaintext = api_token_create(
        actor=None, user=case_world.personas.nsd_practitioner, name="bounds", days=1
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}", raise_request_exception=False)


def _send(client: Client, method: str, url: str) -> Any:
    if method == "GET":
        return client.get(url)
    return client.generic(method, url, data="{}", content_type="application/json")


def test_the_walk_finds_integer_path_and_query_parameters():
    kinds = {
        (parameter["in"], parameter["name"])
        for _method, _path, parameters in _operations()
        for parameter in parameters
        if _is_integer(parameter.get("schema", {}))
    }
    # meeting and action ids are UUIDs (tests/meetings/test_meeting_and_action_ids_are_opaque.py)
    assert {("query", "page"), ("query", "page_size")} <= kinds
    # case and person ids are UUIDs too (tests/cases/test_case_and_person_ids_are_opaque.py)
    assert not {("path", "case_id"), ("path", "person_id"), ("query", "case")} & kinds


def test_every_impossible_integer_path_id_in_the_api_is_not_found(api_client):
    """Integer path ids and opaque ones (``{case_id}``: a whole number is no UUID) alike."""
    checked = 0
    for method, path, parameters in _operations():
        for parameter in parameters:
            if parameter["in"] != "path" or not (
                _is_integer(parameter.get("schema", {})) or parameter["name"].endswith("_id")
            ):
                continue
            for value in IMPOSSIBLE_IDS:
                url = _fill(path, parameters, **{parameter["name"]: value})
                response = _send(api_client, method, url)
                assert response.status_code == 404, (method, url, response.status_code)
                assert response["Content-Type"].startswith("application/json"), url
                checked += 1
    assert checked > 50


def test_every_out_of_range_integer_query_parameter_in_the_api_is_a_400_naming_it(api_client):
    checked = 0
    for method, path, parameters in _operations():
        for parameter in parameters:
            if parameter["in"] != "query" or not _is_integer(parameter.get("schema", {})):
                continue
            for value in OUT_OF_RANGE:
                url = _fill(path, parameters)
                response = api_client.generic(method, f"{url}?{parameter['name']}={value}")
                assert response.status_code == 400, (method, url, parameter["name"], value)
                fields = [error["field"] for error in response.json()["errors"]]
                assert parameter["name"] in fields, (url, fields)
                checked += 1
    assert checked > 20


def test_the_reported_crash_is_a_400_and_a_negative_case_is_simply_no_match(api_client):
    response = api_client.get(f"/api/v1/actions/mine?case=-{HUGE}")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "case"
    # the case is named by its UUID: any whole number is malformed, a 400 naming it
    small = api_client.get("/api/v1/actions/mine?case=-5")
    assert small.status_code == 400
    assert small.json()["errors"][0]["field"] == "case"


def test_an_out_of_range_integer_in_a_request_body_is_a_400(api_client, case_world):
    response = api_client.post(
        f"/api/v1/cases/{case_world.case.public_id}/actions",
        {
            "description": "Visit",
            "owner": "ctnm.officer",
            "due_date": "2030-01-01",
            "meeting": int(HUGE),
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == ["payload.meeting"]


def test_an_impossible_path_id_without_a_token_is_still_refused_as_unauthenticated():
    assert Client().get(f"/api/v1/cases/{HUGE}").status_code == 401


def test_every_impossible_page_id_is_not_found(case_world):
    client = reader(case_world.personas.nsd_practitioner, case_world.case.pk)
    client.raise_request_exception = False
    checked = 0
    for route in route_inventory():
        ids = [name for kind, name in route.parameters if kind in ("id", "uuid")]
        if route.is_api or not ids:
            continue
        others = {name: "x" for _kind, name in route.parameters}
        for value in IMPOSSIBLE_IDS:
            url = route.path({**others, **{name: value for name in ids}})
            response = client.get(url)
            assert response.status_code == 404, (url, response.status_code)
            checked += 1
    assert checked > 100


@pytest.mark.parametrize("value", [HUGE, f"-{HUGE}", "²", "1e9", "x"])
def test_page_query_integers_fall_back_instead_of_crashing(case_world, value):
    client = reader(case_world.personas.nsd_practitioner, case_world.case.pk)
    client.raise_request_exception = False
    for url in (
        "/meetings/actions/mine/",
        "/meetings/new/",
        f"/cases/{case_world.case.public_id}/material/",
    ):
        for name in ("case", "page"):
            response = client.get(url, {name: value})
            assert response.status_code < 500, (url, name, value, response.status_code)
