"""Webhook subscriptions and deliveries (docs/exchange.md "Signed webhooks").

- **Subscribe**: a partner's account names an ``https`` URL (``http`` only where
  ``JOINTCASE_WEBHOOK_HTTP_ALLOWED``, the demo) and the events it wants; it gets a signing
  secret, shown once and kept sealed under the keyring's OFFICIAL key-encryption key.
- **Queue**: when an event happens (the domain apps' signals, inside the transaction that made
  it), one delivery per subscription that hears it (``access.exchange.webhook_hears``: its owner
  may see the case now) is written in the same transaction and sent by the worker after the
  commit: an event rolled back is never announced.
- **Deliver**: a POST of the payload (identifiers only) signed with HMAC-SHA256 over the
  timestamp and body (``webhooks.signing``). A 2xx answer marks it delivered; anything else
  (an error status, a redirect, a timeout, a refused connection) is logged and retried with
  exponential backoff (``JOINTCASE_WEBHOOK_BACKOFF_SECONDS`` doubled each time) up to
  ``JOINTCASE_WEBHOOK_MAX_ATTEMPTS``, then marked given up.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from jointcase.access.acting import permission_require
from jointcase.access.exchange import (
    webhook_hears,
    webhook_see_refusal,
    webhook_subscribe_refusal,
)
from jointcase.accounts.models import User
from jointcase.audit.services import audit_record
from jointcase.cases.models import Case
from jointcase.exchange.models import (
    DeliveryStatus,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)
from jointcase.exchange.webhooks.signing import HEADER, signature_header
from jointcase.lib.edits import StateConflict
from jointcase.material.crypto import keyring_current

SECRET_PREFIX = "whsec_"  # noqa: S105 - the public marker of a secret, not a secret
MAX_SUBSCRIPTIONS = 10
_SEAL_CLASSIFICATION = "OFFICIAL"


@dataclass(frozen=True)
class NewSubscription:
    subscription: WebhookSubscription
    #: The signing secret, shown once; only its sealed form is kept.
    secret: str


def _aad(subscription: WebhookSubscription) -> bytes:
    return f"webhook:{subscription.public_id}".encode()


def _url_errors(url: str, errors: dict[str, str]) -> None:
    try:
        parts = urlsplit(url.strip())
        hostname = parts.hostname
    except ValueError:  # e.g. an unclosed "[" in the host: not a URL at all
        parts, hostname = urlsplit(""), None
    allowed = ("https", "http") if settings.JOINTCASE_WEBHOOK_HTTP_ALLOWED else ("https",)
    if not url.strip():
        errors["url"] = "Enter the URL to send events to"
    elif len(url) > 500:
        errors["url"] = "The URL must be 500 characters or fewer"
    elif parts.scheme not in allowed or not hostname:
        errors["url"] = "Enter an https URL, like https://partner.example/jointcase/events"
    elif parts.username or parts.password:
        errors["url"] = "The URL must not carry a user name or password"


def webhook_subscribe(
    *, actor: User, url: str, events: list[str], request: HttpRequest | None = None
) -> NewSubscription:
    """Subscribe ``actor``'s system to ``events`` at ``url``."""
    permission_require(
        actor=actor,
        refusal=webhook_subscribe_refusal(actor),
        action="webhook.subscribe",
        object_type="webhook",
        object_id="new",
        request=request,
    )
    errors: dict[str, str] = {}
    _url_errors(url, errors)
    chosen = [event for event in WebhookEvent.values if event in set(events)]
    unknown = sorted(set(events) - set(WebhookEvent.values))
    if unknown:
        errors["events"] = (
            f"Unknown event {unknown[0]!r}: choose from {', '.join(WebhookEvent.values)}"
        )
    elif not chosen:
        errors["events"] = "Choose at least one event"
    active = WebhookSubscription.objects.filter(owner=actor, ended_at__isnull=True).count()
    if active >= MAX_SUBSCRIPTIONS:
        full = f"You already have {MAX_SUBSCRIPTIONS} subscriptions: end one first"
        if not errors:
            raise StateConflict({"url": full})  # a well-formed request: the limit refuses it
        errors["url"] = full
    if errors:
        raise ValidationError(errors)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    version, kek = keyring_current().kek(_SEAL_CLASSIFICATION)
    nonce = os.urandom(12)
    with transaction.atomic():
        subscription = WebhookSubscription(
            owner=actor,
            url=url.strip(),
            events=" ".join(chosen),
            secret_nonce=nonce,
            secret_ciphertext=b"",
            secret_key_version=version,
        )
        subscription.secret_ciphertext = AESGCM(kek).encrypt(
            nonce, secret.encode(), _aad(subscription)
        )
        subscription.save()
        audit_record(
            action="webhook.subscribe",
            actor=actor,
            object_type="webhook",
            object_id=str(subscription.public_id),
            details={"url": subscription.url, "events": chosen},
            request=request,
        )
    return NewSubscription(subscription=subscription, secret=secret)


def webhook_end(
    *, actor: User, subscription: WebhookSubscription, request: HttpRequest | None = None
) -> WebhookSubscription:
    """End a subscription: nothing more is queued for it (its log stays)."""
    permission_require(
        actor=actor,
        refusal=webhook_see_refusal(actor, subscription),
        action="webhook.end",
        object_type="webhook",
        object_id=str(subscription.public_id),
        request=request,
    )
    with transaction.atomic():
        if subscription.ended_at is None:
            subscription.ended_at = timezone.now()
            subscription.save(update_fields=["ended_at"])
            audit_record(
                action="webhook.end",
                actor=actor,
                object_type="webhook",
                object_id=str(subscription.public_id),
                request=request,
            )
    return subscription


def webhook_secret(subscription: WebhookSubscription) -> bytes:
    """The subscription's signing secret (for signing; never shown again)."""
    _version, kek = keyring_current().kek(_SEAL_CLASSIFICATION, subscription.secret_key_version)
    return AESGCM(kek).decrypt(
        bytes(subscription.secret_nonce), bytes(subscription.secret_ciphertext), _aad(subscription)
    )


# -- Queueing ----------------------------------------------------------------------------------


def webhooks_queue(
    event: str, *, case_id: int, object_id: str, agency_ids: frozenset[int] | None = None
) -> list[WebhookDelivery]:
    """One delivery of ``event`` for each active subscription that hears it, written in the
    caller's transaction and sent by the worker after it commits."""
    subscriptions = [
        subscription
        for subscription in WebhookSubscription.objects.filter(
            ended_at__isnull=True, events__contains=event
        ).select_related("owner")
        if event in subscription.event_list
        and webhook_hears(subscription, case_id=case_id, agency_ids=agency_ids)
    ]
    if not subscriptions:
        return []
    case_key = str(Case.objects.values_list("public_id", flat=True).get(pk=case_id))
    now = timezone.now()
    deliveries = []
    for subscription in subscriptions:
        delivery = WebhookDelivery(subscription=subscription, event=event, next_attempt_at=now)
        delivery.payload = {
            "id": str(delivery.public_id),
            "event": event,
            "occurred_at": now.isoformat(),
            "case": case_key,
            "object": object_id,
        }
        deliveries.append(delivery)
    WebhookDelivery.objects.bulk_create(deliveries)
    ids = [d.public_id for d in deliveries]
    transaction.on_commit(lambda: _enqueue_all(ids))
    return deliveries


def _enqueue_all(public_ids: list[Any]) -> None:
    from jointcase.exchange.tasks import webhook_deliver_run  # noqa: PLC0415 - cycle: exchange.tasks imports this

    for pk in WebhookDelivery.objects.filter(public_id__in=public_ids).values_list("pk", flat=True):
        webhook_deliver_run.enqueue(pk)


# -- Delivering --------------------------------------------------------------------------------


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is a failed delivery, never followed (the body would go elsewhere)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str]:
    if urlsplit(url).scheme not in ("https", "http"):  # checked at subscription too
        return None, "Not an http(s) URL"
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)  # noqa: S310
    try:
        timeout = settings.JOINTCASE_WEBHOOK_TIMEOUT_SECONDS
        with _OPENER.open(request, timeout=timeout) as answer:
            return int(answer.status), ""
    except urllib.error.HTTPError as error:
        return int(error.code), f"HTTP {error.code}"
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        return None, str(reason)[:300] or error.__class__.__name__


def backoff(attempts: int) -> dt.timedelta:
    """How long to wait after the ``attempts``-th failure: the base doubled each time."""
    return dt.timedelta(seconds=settings.JOINTCASE_WEBHOOK_BACKOFF_SECONDS * 2 ** (attempts - 1))


def webhook_deliver(delivery_id: int, *, now: dt.datetime | None = None) -> WebhookDelivery:
    """Make one attempt at ``delivery_id`` (if it is still owed), record it, and schedule the
    next on failure. Returns the delivery as it now stands."""
    delivery = WebhookDelivery.objects.select_related("subscription").get(pk=delivery_id)
    if delivery.status not in (DeliveryStatus.PENDING, DeliveryStatus.RETRYING):
        return delivery
    subscription = delivery.subscription
    if subscription.ended_at is not None:
        delivery.status = DeliveryStatus.GAVE_UP
        delivery.last_error = "The subscription has ended"
        delivery.save(update_fields=["status", "last_error"])
        return delivery
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "JointCase-Webhooks/1",
        "JointCase-Event": delivery.event,
        "JointCase-Delivery": str(delivery.public_id),
        HEADER: signature_header(webhook_secret(subscription), body),
    }
    status, error = _post(subscription.url, body, headers)
    now = now or timezone.now()
    delivery.attempts += 1
    delivery.last_status_code = status
    if status is not None and 200 <= status < 300:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = now
        delivery.last_error = ""
    elif delivery.attempts >= settings.JOINTCASE_WEBHOOK_MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.GAVE_UP
        delivery.last_error = error
    else:
        delivery.status = DeliveryStatus.RETRYING
        delivery.last_error = error
        delivery.next_attempt_at = now + backoff(delivery.attempts)
    delivery.save(
        update_fields=[
            "status",
            "attempts",
            "last_status_code",
            "last_error",
            "delivered_at",
            "next_attempt_at",
        ]
    )
    if delivery.status == DeliveryStatus.RETRYING:
        from jointcase.exchange.tasks import webhook_deliver_run  # noqa: PLC0415 - cycle: exchange.tasks imports this

        webhook_deliver_run.using(run_after=delivery.next_attempt_at).enqueue(delivery.pk)
    return delivery
