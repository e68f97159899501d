"""API token scopes: a token acts with its user's access *and no more than its scopes*. Every
operation of the API, generated from the routers so a new one is covered the day it is added:
its area's write scope is the one documented, a token without the scope an operation needs is
refused with 403 and a DENY audit entry before the operation runs (whatever the ids), and the
scope alone never widens what the user may do."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from jointcase.access.accounts import READ, TOKEN_SCOPES
from jointcase.accounts.models import ApiToken
from jointcase.accounts.tokens import ApiTokenError, api_token_create
from jointcase.api import api
from jointcase.audit.models import AuditEntry, Outcome
from tests.factories import UserFactory

# A generic gate over every API operation, like the route walk: run once (the SQLite run).
pytestmark = [pytest.mark.django_db, pytest.mark.route_walk]

#: The write scope of each area of the API (docs/api.md "Scopes").
AREA_SCOPES = {
    "persons": "write:register",
    "cases": "write:register",
    "material": "write:material",
    "meetings": "write:meetings",
    "risk assessments": "write:risk",
    "required checks": "write:risk",
    "supervision contacts": "write:supervision",
    "prison training": "write:workforce",
    "workforce": "write:workforce",
    "imports": "import",
    "known": "known",
    "webhooks": "webhooks",
    "linkage": "import",
}


def _operations() -> Iterator[tuple[str, str, str, Any]]:
    """(tag, method, path template, router) of every operation."""
    for _prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    yield (router.tags or [""])[0], method, path, router


OPERATIONS = sorted({(tag, method, path) for tag, method, path, _router in _operations()})


def test_every_area_names_its_write_scope() -> None:
    for tag, _method, path, router in _operations():
        assert tag in AREA_SCOPES, f"{path}: an area without a documented scope"
        assert router.auth.write_scope == AREA_SCOPES[tag], path
        assert router.auth.write_scope in TOKEN_SCOPES


def _url(path: str) -> str:
    filled = path
    while "{" in filled:
        start = filled.index("{")
        end = filled.index("}", start)
        filled = filled[:start] + str(uuid.uuid4()) + filled[end + 1 :]
    return "/api/v1" + filled


def _token(scopes: list[str]) -> str:
    user = UserFactory(roles=["NSD_PRACTITIONER"])
    _token_row, plaintext = api_token_create(
        actor=None, user=user, name="scoped", days=1, scopes=scopes
    )
    return plaintext


def _call(plaintext: str, method: str, path: str) -> Any:
    client = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    url = _url(path)
    if method == "GET":
        return client.get(url)
    return client.generic(method, url, json.dumps({}), content_type="application/json")


@pytest.mark.parametrize(("tag", "method", "path"), OPERATIONS)
def test_a_token_without_the_needed_scope_is_refused_before_the_operation_runs(
    tag: str, method: str, path: str
) -> None:
    needed = READ if method == "GET" else AREA_SCOPES[tag]
    plaintext = _token([scope for scope in TOKEN_SCOPES if scope != needed])
    before = AuditEntry.objects.filter(action="api.scope", outcome=Outcome.DENY).count()
    response = _call(plaintext, method, path)
    assert response.status_code == 403, (method, path, response.status_code)
    assert needed in response.json()["detail"]
    assert AuditEntry.objects.filter(action="api.scope", outcome=Outcome.DENY).count() > before


@pytest.mark.parametrize(("tag", "method", "path"), OPERATIONS)
def test_a_token_with_the_scope_goes_on_to_the_users_own_access(
    tag: str, method: str, path: str
) -> None:
    needed = READ if method == "GET" else AREA_SCOPES[tag]
    response = _call(_token([needed]), method, path)
    # Past the scope check: the operation's own answer (missing ids, bad bodies, the user's
    # access), never the scope refusal and never a 5xx.
    assert response.status_code < 500, (method, path)
    if response.status_code == 403:
        assert "scope" not in response.json().get("detail", ""), (method, path)


def test_tokens_default_to_every_scope_only_in_code_and_refuse_unknown_or_no_scopes() -> None:
    user = UserFactory()
    token, _ = api_token_create(actor=None, user=user, name="all", days=1)
    assert set(token.scope_list) == set(TOKEN_SCOPES)
    narrow, _ = api_token_create(
        actor=None, user=user, name="narrow", days=1, scopes=["import", "read"]
    )
    assert ApiToken.objects.get(pk=narrow.pk).scopes == "read import"
    with pytest.raises(ApiTokenError, match="Unknown scope"):
        api_token_create(actor=None, user=user, name="bad", days=1, scopes=["admin"])
    with pytest.raises(ApiTokenError, match="at least one"):
        api_token_create(actor=None, user=user, name="none", days=1, scopes=[])
