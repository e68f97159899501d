"""The "Known to you?" security matrix: its page and every operation of
``exchange.api.known`` x every persona, generated from the URL resolver and the router.

Oracle: ``jointcase.access.known.known_ask_refusal``. Refused: 403 with a DENY audit entry and
no answer. Allowed: the page 200, an empty or hostile POST a 400 by field, no ask recorded and
no answer given. Never a 5xx; nothing is ever written but audit entries.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from jointcase.access.known import known_ask_refusal
from jointcase.accounts.models import User
from jointcase.accounts.tokens import api_token_create
from jointcase.audit.models import AuditEntry, Outcome
from jointcase.exchange.services.known import COUNTED_ACTIONS
from jointcase.people.models import Person
from tests.exchange_known.conftest import KnownWorld, known_world  # noqa: F401
from tests.security.routes import Route, api_route_names, route_inventory

pytestmark = [pytest.mark.django_db, pytest.mark.feature_matrix]


def _api_names() -> set[str]:
    from jointcase.exchange.api.known import router

    return api_route_names(router)


ROUTES = [
    route
    for route in route_inventory()
    if route.name == "exchange:known" or route.name in _api_names()
]
#: A question's parts that are no question: an impossible date, a malformed identifier,
#: markup and path tricks.
HOSTILE = {
    "given_names": "<script>alert(1)</script>",
    "surname": "../../etc/passwd",
    "date_of_birth": "1990-02-30",
    "date_of_birth-day": "30",
    "date_of_birth-month": "2",
    "date_of_birth-year": "1990",
    "identifier_type": "crn",
    "identifier_value": "' or 1=1 --",
    "crn": "' or 1=1 --",
}


def test_the_matrix_covers_every_known_route() -> None:
    assert _api_names() == {"api:known", "api:person_matches_find"}
    assert {route.name for route in ROUTES} == {
        "exchange:known",
        "api:known",
        "api:person_matches_find",
    }


def _client(route: Route, user: User, client_for: Callable[[User], Client]) -> Client:
    if route.is_api:
        _token, plaintext = api_token_create(actor=None, user=user, name="matrix", days=1)
        return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    return client_for(user)


def _deny_count(user: User) -> int:
    return AuditEntry.objects.filter(actor_id=user.pk, outcome=Outcome.DENY).count()


@pytest.mark.parametrize("route", ROUTES, ids=[f"{r.name}:{r.template}" for r in ROUTES])
def test_every_persona_on_every_known_route(
    route: Route,
    known_world: KnownWorld,  # noqa: F811
    client_for: Callable[[User], Client],
) -> None:
    url = route.path({})
    people = Person.objects.count()
    for persona, user in known_world.world.personas.all().items():
        client = _client(route, user, client_for)
        allowed = known_ask_refusal(user) is None
        for method, body in (("get", None), ("post", {}), ("post", HOSTILE)):
            before = _deny_count(user)
            if method == "get":
                response = client.get(url)
            elif route.is_api:
                response = client.post(url, body, content_type="application/json")
            else:
                response = client.post(url, body)
            status = response.status_code
            where = f"{persona} {method.upper()} {url} {body!r} -> {status}"
            assert status < 500, where
            text = response.content.decode("utf-8", errors="replace")
            assert "managed record exists" not in text, where
            assert "<script>alert(1)</script>" not in text, where
            if status == 405:
                assert route.is_api, where
                assert method == "get", where
                continue
            if not allowed and route.is_api and status == 400:
                # The document's schema is checked before the operation runs: an empty body, or
                # one the document refuses (a date that does not exist), is a 400 keyed by
                # ``payload.`` for everyone, and reveals nothing.
                fields = [item["field"] for item in response.json()["errors"]]
                assert fields, where
                assert all(field.startswith("payload.") for field in fields), where
                continue
            if not allowed:
                assert status == 403, where
                assert _deny_count(user) > before, f"{where}: no DENY audit entry"
                continue
            assert status == (200 if method == "get" else 400), where
    assert Person.objects.count() == people
    assert not AuditEntry.objects.filter(
        action__in=COUNTED_ACTIONS, outcome=Outcome.SUCCESS
    ).exists()
