"""The webhooks security matrix: every operation of ``exchange.api.webhooks`` x every persona,
generated from the router so a new operation is covered the day it is added.

Oracle: ``jointcase.access.exchange`` (a subscription is its owner's alone). Another persona's
subscription answers 404 exactly like a missing one, with a DENY audit entry and none of its
details; nobody lists or ends anyone else's; hostile bodies change nothing; never a 5xx."""

from __future__ import annotations

import json
import uuid

import pytest
from django.test import Client

from jointcase.accounts.models import User
from jointcase.accounts.tokens import api_token_create
from jointcase.audit.models import AuditEntry, Outcome
from jointcase.exchange.api.webhooks import router
from jointcase.exchange.models import WebhookSubscription
from jointcase.exchange.webhooks.services import webhook_subscribe
from tests.conftest import Personas
from tests.risk.conftest import keyring  # noqa: F401 - fixture
from tests.security.routes import Route, api_route_names, route_inventory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.feature_matrix,
    pytest.mark.usefixtures("keyring"),
]

ROUTES = [route for route in route_inventory() if route.name in api_route_names(router)]
SECRET_URL = "https://owner-only.example/hooks/7f3a"


def test_the_matrix_covers_every_webhook_operation() -> None:
    assert api_route_names(router) == {
        "api:webhook_create",
        "api:webhook_list",
        "api:webhook_delete",
        "api:webhook_deliveries",
    }
    # One URL pattern per path: "/webhooks" (create and list), "/webhooks/{id}" (end) and its
    # deliveries; each pattern is driven with every method below.
    assert {route.name for route in ROUTES} == {
        "api:webhook_create",
        "api:webhook_delete",
        "api:webhook_deliveries",
    }


def _client(user: User) -> Client:
    _token, plaintext = api_token_create(actor=None, user=user, name="matrix", days=1)
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")


def _denies(user: User) -> int:
    return AuditEntry.objects.filter(actor_id=user.pk, outcome=Outcome.DENY).count()


@pytest.mark.parametrize("route", ROUTES, ids=[route.name for route in ROUTES])
def test_every_persona_on_every_webhook_route(route: Route, personas: Personas) -> None:
    owner = personas.nsd_practitioner
    mine = webhook_subscribe(actor=owner, url=SECRET_URL, events=["action.assigned"])
    key = str(mine.subscription.public_id)
    for name, user in personas.all().items():
        client = _client(user)
        values = {"subscription_id": key}
        url = route.path({p: values[p] for _kind, p in route.parameters})
        is_owner = user.pk == owner.pk
        for method in ("get", "post", "delete"):
            before = _denies(user)
            if method == "get":
                response = client.get(url)
            elif method == "post":
                hostile = {"url": "https://attacker.example/", "events": ["case.deleted"]}
                response = client.post(url, json.dumps(hostile), content_type="application/json")
            else:
                response = client.delete(url)
            where = f"{name} {method.upper()} {url} -> {response.status_code}"
            assert response.status_code < 500, where
            body = response.content.decode()
            if response.status_code == 405:
                continue
            if "{" in route.template or "<" in route.template:
                if not is_owner:
                    assert response.status_code == 404, where
                    assert SECRET_URL not in body, where
                    assert _denies(user) > before, f"{where}: no DENY entry"
            elif method == "get":
                assert response.status_code == 200, where
                assert (SECRET_URL in body) == is_owner, where
            elif method == "post":
                assert response.status_code == 400, where  # an unknown event
        # A missing id is the same 404 as another's.
        if "<" in route.template:
            missing = route.path({p: str(uuid.uuid4()) for _kind, p in route.parameters})
            answers = {client.get(missing).status_code, client.delete(missing).status_code}
            assert answers - {405} == {404}, (name, missing, answers)
    # Nothing hostile was created; only the owner's own DELETE could end it (the others got 404).
    assert WebhookSubscription.objects.count() == 1
