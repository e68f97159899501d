"""API writes with an ``Idempotency-Key`` run once per token and key: a retry gets the first
answer again and never a second object; the key reused for another request, or malformed, is a
400 and nothing runs; a failed (5xx) write keeps nothing, so the retry runs afresh. Each token
makes at most ``JOINTCASE_API_RATE`` requests: beyond it, 429 with Retry-After."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from jointcase.accounts.models import IdempotentResponse
from jointcase.accounts.tokens import api_token_create
from jointcase.supervision.models import Contact
from tests.register_fixtures import CaseWorld
from tests.risk.conftest import keyring  # noqa: F401 - fixture
from tests.supervision.conftest import contacts_world  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counts() -> None:
    caches["shared"].clear()


def _client(world: CaseWorld) -> Client:
    _token, plaintext = api_token_create(
        actor=None, user=world.personas.nsd_practitioner, name="partner", days=1
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")


def _plan(client: Client, world: CaseWorld, key: str | None, **change: Any) -> Any:
    body = {
        "action": "plan",
        "kind": "OFFICE",
        # The same instant in every call: a retry sends exactly the same body.
        "planned_for": (timezone.localdate() + dt.timedelta(days=2)).isoformat() + "T10:00:00",
        **change,
    }
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(
        f"/api/v1/cases/{world.case.public_id}/contacts",
        json.dumps(body),
        content_type="application/json",
        **headers,
    )


def test_a_retry_with_the_same_key_gets_the_first_answer_and_no_second_object(
    contacts_world: CaseWorld,  # noqa: F811
) -> None:
    client = _client(contacts_world)
    first = _plan(client, contacts_world, "retry-7f3a")
    assert first.status_code == 201
    again = _plan(client, contacts_world, "retry-7f3a")
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Contact.objects.count() == 1
    # Another key is another request.
    assert _plan(client, contacts_world, "retry-8b21").status_code == 201
    assert Contact.objects.count() == 2
    # Without a key nothing is remembered.
    assert _plan(client, contacts_world, None).status_code == 201
    assert IdempotentResponse.objects.count() == 2


def test_keys_belong_to_their_token(contacts_world: CaseWorld) -> None:  # noqa: F811
    _plan(_client(contacts_world), contacts_world, "shared-key")
    other = _plan(_client(contacts_world), contacts_world, "shared-key")
    assert other.status_code == 201
    assert "Idempotent-Replayed" not in other
    assert Contact.objects.count() == 2


def test_a_key_reused_for_another_request_or_malformed_is_refused_and_nothing_runs(
    contacts_world: CaseWorld,  # noqa: F811
) -> None:
    client = _client(contacts_world)
    _plan(client, contacts_world, "k-1")
    reused = _plan(client, contacts_world, "k-1", kind="HOME_VISIT")
    assert reused.status_code == 400
    assert reused.json()["errors"][0]["field"] == "Idempotency-Key"
    for bad in ("", "x" * 201, "has space"):
        assert _plan(client, contacts_world, bad).status_code == 400
    assert Contact.objects.count() == 1


def test_a_refused_write_is_replayed_as_refused(contacts_world: CaseWorld) -> None:  # noqa: F811
    client = _client(contacts_world)
    refused = _plan(client, contacts_world, "bad-1", planned_for=None)
    assert refused.status_code == 400
    assert _plan(client, contacts_world, "bad-1", planned_for=None).json() == refused.json()
    assert Contact.objects.count() == 0


def test_a_failed_write_keeps_nothing_so_the_retry_runs_afresh(
    contacts_world: CaseWorld,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from jointcase.supervision.services import contacts as services

    original = services._timeline

    def broken(*args: Any, **kwargs: Any) -> None:
        original(*args, **kwargs)
        raise RuntimeError("the process died mid-write")

    client = _client(contacts_world)
    client.raise_request_exception = False
    monkeypatch.setattr(services, "_timeline", broken)
    failed = _plan(client, contacts_world, "crash-1")
    assert failed.status_code == 500
    assert Contact.objects.count() == 0
    assert not IdempotentResponse.objects.exists()
    monkeypatch.setattr(services, "_timeline", original)
    assert _plan(client, contacts_world, "crash-1").status_code == 201
    assert Contact.objects.count() == 1


def test_a_token_over_its_rate_gets_429_with_retry_after(
    contacts_world: CaseWorld,  # noqa: F811
    settings: SettingsWrapper,
) -> None:
    settings.JOINTCASE_API_RATE = "3/min"
    client = _client(contacts_world)
    url = f"/api/v1/cases/{contacts_world.case.public_id}/contacts"
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]
    over = client.get(url)
    assert over.status_code == 429
    assert 1 <= int(over["Retry-After"]) <= 60
    # Another token has its own count; a request without a token is a 401, not counted.
    assert _client(contacts_world).get(url).status_code == 200
    assert Client().get(url).status_code == 401
