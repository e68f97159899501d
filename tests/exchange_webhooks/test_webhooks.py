"""Signed webhooks: a partner subscribes to events and JointCase posts each one, signed, to a
real HTTP server here. The signature is checked by an independent implementation (this file's
own HMAC over the documented string, not JointCase's); payloads carry identifiers only and reach
only subscribers who may see the case; a receiver that fails is retried with exponential backoff
and then given up; an event rolled back is never announced; bad subscriptions are refused."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from jointcase.accounts.models import User
from jointcase.accounts.tokens import api_token_create
from jointcase.exchange.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from jointcase.exchange.webhooks.services import webhook_deliver, webhook_subscribe
from jointcase.meetings.models import AgreedAction
from jointcase.meetings.services.actions import action_create
from tests.register_fixtures import CaseWorld
from tests.risk.conftest import keyring  # noqa: F401 - fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("keyring")]


class Receiver:
    """A partner's endpoint: records what it is sent, answers ``status``."""

    def __init__(self) -> None:
        self.status = 200
        self.received: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver(settings: SettingsWrapper) -> Iterator[Receiver]:
    settings.JOINTCASE_WEBHOOK_HTTP_ALLOWED = True  # a local test server speaks plain http
    endpoint = Receiver()
    yield endpoint
    endpoint.server.shutdown()


def independent_verify(secret: str, header: str, body: bytes, window: int = 300) -> bool:
    """The documented check, written from docs/exchange.md alone."""
    fields = dict(part.split("=", 1) for part in header.split(","))
    timestamp = int(fields["t"])
    if abs(time.time() - timestamp) > window:
        return False
    expected = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(expected, fields["v1"])


def _assign(world: CaseWorld, owner: User) -> AgreedAction:
    return action_create(
        actor=world.personas.ct_supervisor,
        case=world.case,
        description="Check the associate's vehicle (synthetic)",
        owner=owner,
        due_date=timezone.localdate() + dt.timedelta(days=5),
        source_kind="ASSESSMENT",
    )


def test_an_assigned_action_is_posted_signed_with_identifiers_only(
    case_world: CaseWorld,
    receiver: Receiver,
) -> None:
    subscriber = case_world.personas.nsd_practitioner
    made = webhook_subscribe(actor=subscriber, url=receiver.url, events=["action.assigned"])
    assert made.secret.encode() not in bytes(made.subscription.secret_ciphertext)
    action = _assign(case_world, subscriber)
    delivery = WebhookDelivery.objects.get()
    assert delivery.subscription == made.subscription
    done = webhook_deliver(delivery.pk)
    assert done.status == DeliveryStatus.DELIVERED
    assert done.last_status_code == 200
    [(headers, body)] = receiver.received
    assert independent_verify(made.secret, headers["jointcase-signature"], body)
    assert not independent_verify("whsec_wrong", headers["jointcase-signature"], body)
    payload = json.loads(body)
    assert set(payload) == {"id", "event", "occurred_at", "case", "object"}
    assert payload["event"] == "action.assigned"
    assert payload["case"] == str(case_world.case.public_id)
    assert payload["object"] == str(action.public_id)
    assert "vehicle" not in body.decode()  # the action's text never travels
    assert headers["jointcase-event"] == "action.assigned"
    # A stale signature is refused by the documented replay window.
    stale = headers["jointcase-signature"].replace(
        f"t={int(time.time())}", f"t={int(time.time()) - 3600}"
    )
    assert not independent_verify(made.secret, stale, body)


def test_only_subscribers_who_may_see_the_case_and_are_addressed_hear(
    case_world: CaseWorld,
    receiver: Receiver,
) -> None:
    people = case_world.personas
    excluded = case_world.exclusion.user
    assert excluded is not None
    for user in (people.nsd_practitioner, excluded, people.partner_liaison, people.ctnm_officer):
        webhook_subscribe(actor=user, url=receiver.url, events=["action.assigned"])
    _assign(case_world, people.nsd_practitioner)
    heard = set(WebhookDelivery.objects.values_list("subscription__owner__username", flat=True))
    # The excluded user never hears of the case; the partner and police are not the agency
    # the action was assigned to.
    assert heard == {people.nsd_practitioner.username}


def test_a_failing_receiver_is_retried_with_exponential_backoff_then_given_up(
    case_world: CaseWorld,
    receiver: Receiver,
    settings: SettingsWrapper,
) -> None:
    settings.JOINTCASE_WEBHOOK_MAX_ATTEMPTS = 4
    settings.JOINTCASE_WEBHOOK_BACKOFF_SECONDS = 30
    subscriber = case_world.personas.nsd_practitioner
    webhook_subscribe(actor=subscriber, url=receiver.url, events=["action.assigned"])
    _assign(case_world, subscriber)
    delivery = WebhookDelivery.objects.get()
    receiver.status = 503
    now = timezone.now()
    waits = []
    for attempt in range(1, 4):
        delivery = webhook_deliver(delivery.pk, now=now)
        assert (delivery.status, delivery.attempts) == (DeliveryStatus.RETRYING, attempt)
        assert delivery.last_status_code == 503
        waits.append((delivery.next_attempt_at - now).total_seconds())
    assert waits == [30, 60, 120]
    delivery = webhook_deliver(delivery.pk, now=now)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.GAVE_UP, 4)
    assert len(receiver.received) == 4
    # A given-up delivery is not tried again; a receiver that is down is logged, not fatal.
    assert webhook_deliver(delivery.pk).attempts == 4


def test_an_unreachable_receiver_is_logged_and_retried(
    case_world: CaseWorld,
    receiver: Receiver,
) -> None:
    subscriber = case_world.personas.nsd_practitioner
    made = webhook_subscribe(actor=subscriber, url=receiver.url, events=["action.assigned"])
    receiver.server.shutdown()
    receiver.server.server_close()
    _assign(case_world, subscriber)
    delivery = webhook_deliver(WebhookDelivery.objects.get(subscription=made.subscription).pk)
    assert delivery.status == DeliveryStatus.RETRYING
    assert delivery.last_status_code is None
    assert delivery.last_error


def test_an_event_rolled_back_is_never_announced(
    case_world: CaseWorld,
    receiver: Receiver,
) -> None:
    subscriber = case_world.personas.nsd_practitioner
    webhook_subscribe(actor=subscriber, url=receiver.url, events=["action.assigned"])

    def assign_then_fail() -> None:
        with transaction.atomic():
            _assign(case_world, subscriber)
            raise RuntimeError("the write failed after the event")

    with pytest.raises(RuntimeError):
        assign_then_fail()
    assert not WebhookDelivery.objects.exists()


@pytest.mark.parametrize(
    ("url", "events", "field"),
    [
        ("http://partner.example/hooks", ["action.assigned"], "url"),
        ("ftp://partner.example/hooks", ["action.assigned"], "url"),
        ("https://user:pw@partner.example/hooks", ["action.assigned"], "url"),
        ("https://partner.example/hooks", [], "events"),
        ("https://partner.example/hooks", ["case.deleted"], "events"),
    ],
)
def test_bad_subscriptions_are_refused_and_nothing_is_stored(
    case_world: CaseWorld,
    url: str,
    events: list[str],
    field: str,
) -> None:
    with pytest.raises(ValidationError) as refused:
        webhook_subscribe(actor=case_world.personas.nsd_practitioner, url=url, events=events)
    assert field in refused.value.message_dict
    assert not WebhookSubscription.objects.exists()


def test_the_api_subscribes_lists_logs_and_ends_only_the_callers_own(
    case_world: CaseWorld,
    receiver: Receiver,
) -> None:
    owner = case_world.personas.nsd_practitioner

    def client(user: User) -> Client:
        _token, plaintext = api_token_create(actor=None, user=user, name="hooks", days=1)
        return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")

    mine = client(owner)
    made = mine.post(
        "/api/v1/webhooks",
        json.dumps({"url": receiver.url, "events": ["action.assigned", "check.due"]}),
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["secret"].startswith("whsec_")
    assert body["events"] == ["action.assigned", "check.due"]
    listing = mine.get("/api/v1/webhooks").json()
    assert listing["count"] == 1
    assert "secret" not in listing["results"][0]
    _assign(case_world, owner)
    log = mine.get(f"/api/v1/webhooks/{body['id']}/deliveries").json()
    assert [row["event"] for row in log["results"]] == ["action.assigned"]
    other = client(case_world.personas.ctnm_officer)
    assert other.get(f"/api/v1/webhooks/{body['id']}/deliveries").status_code == 404
    assert other.delete(f"/api/v1/webhooks/{body['id']}").status_code == 404
    bad = mine.post(
        "/api/v1/webhooks",
        json.dumps({"url": "ftp://insecure.example/", "events": ["action.assigned"]}),
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "url"
    ended = mine.delete(f"/api/v1/webhooks/{body['id']}")
    assert ended.status_code == 200
    assert ended.json()["ended_at"] is not None
    _assign(case_world, owner)
    assert WebhookDelivery.objects.count() == 1  # nothing more for an ended subscription
    # Ended is deleted to the partner: gone from the list, it and its log a 404 like a missing
    # one (no use after free), while its rows stay as evidence of what was sent.
    assert mine.get(f"/api/v1/webhooks/{body['id']}/deliveries").status_code == 404
    assert mine.delete(f"/api/v1/webhooks/{body['id']}").status_code == 404
    assert mine.get("/api/v1/webhooks").json()["count"] == 0
    assert WebhookSubscription.objects.filter(public_id=body["id"]).exists()


def test_phase_changes_and_checks_due_reach_subscribers_who_may_see_the_case(
    case_world: CaseWorld, receiver: Receiver
) -> None:
    import uuid
    from types import SimpleNamespace

    from jointcase.cases.models import Case
    from jointcase.cases.signals import case_phase_changed
    from jointcase.risk.signals import check_due

    people = case_world.personas
    excluded = case_world.exclusion.user
    events = ["case.phase_changed", "check.due"]
    for user in (people.ctnm_officer, excluded):
        webhook_subscribe(actor=user, url=receiver.url, events=events)
    case_phase_changed.send(sender=Case, case=case_world.case, old="CUSTODY", new="LICENCE")
    check = SimpleNamespace(case_id=case_world.case.pk, public_id=uuid.uuid4())
    check_due.send(sender=None, check=check)
    heard = sorted(WebhookDelivery.objects.values_list("subscription__owner__username", "event"))
    assert heard == [
        (people.ctnm_officer.username, "case.phase_changed"),
        (people.ctnm_officer.username, "check.due"),
    ]
