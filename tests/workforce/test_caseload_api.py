"""``GET /api/v1/workforce/caseload``: the caller's own caseload, a managed person's with
``?user=``, 404 for anyone else (as for nobody), and its documentation in the OpenAPI."""

from __future__ import annotations

import pytest
from django.test import Client

from jointcase.accounts.models import User
from jointcase.accounts.tokens import api_token_create
from tests.workforce.caseload_fixtures import CaseloadWorld

pytestmark = pytest.mark.django_db
URL = "/api/v1/workforce/caseload"


def _client(user: User) -> Client:
    _token, plaintext = api_token_create(actor=None, user=user, name="caseload", days=1)
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")


def test_the_caller_gets_their_own_load_capacity_and_cases(caseload_world: CaseloadWorld) -> None:
    body = _client(caseload_world.practitioner).get(URL).json()
    assert body["load"] == "4.0" or float(body["load"]) == 4.0
    assert float(body["capacity"]) == 5.0
    assert body["percent_used"] == 80
    assert body["overdue_contacts"] == 1
    assert [case["reference"] for case in body["cases"]] == ["JC-900001"]
    assert body["cases"][0]["role"] == "Lead NSD practitioner"


def test_a_manager_asks_for_someone_they_manage(caseload_world: CaseloadWorld) -> None:
    world = caseload_world
    answer = _client(world.lead).get(URL, {"user": world.practitioner.pk})
    assert answer.status_code == 200
    assert answer.json()["user"] == world.practitioner.pk


def test_anyone_else_is_answered_as_for_nobody(caseload_world: CaseloadWorld) -> None:
    world = caseload_world
    client = _client(world.practitioner)
    assert client.get(URL, {"user": world.second.pk}).status_code == 404
    assert client.get(URL, {"user": 987654}).status_code == 404
    assert client.get(URL, {"user": "x"}).status_code == 400
    assert Client().get(URL).status_code == 401


def test_the_operation_is_documented(caseload_world: CaseloadWorld) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/workforce/caseload"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"user"}
    assert {"200", "400", "404"} <= set(operation["responses"])
