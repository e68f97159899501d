"""Reading webhook subscriptions and their delivery logs, scoped by ``access.exchange``.

An ended subscription is gone from the API (a DELETE is a delete to a partner): it is no longer
listed, and it and its delivery log answer 404 like a missing one. Its rows stay, as evidence
of what was sent."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from jointcase.access.acting import permission_require
from jointcase.access.exchange import webhook_filter, webhook_see_refusal
from jointcase.accounts.models import User
from jointcase.exchange.models import WebhookDelivery, WebhookSubscription


def subscriptions_for(user: User) -> QuerySet[WebhookSubscription]:
    """``user``'s live subscriptions (an ended one is gone from the API)."""
    return WebhookSubscription.objects.filter(webhook_filter(user), ended_at__isnull=True).order_by(
        "-created_at", "-pk"
    )


def subscription_get_for(
    user: User, subscription_id: uuid.UUID | str, *, request: HttpRequest | None = None
) -> WebhookSubscription:
    """A live subscription of ``user``'s; 404 alike for missing, ended and another's (the
    refusal audited)."""
    try:
        key = uuid.UUID(str(subscription_id))
    except ValueError:
        raise Http404("Not found") from None
    subscription = WebhookSubscription.objects.filter(public_id=key).first()
    if subscription is None:
        raise Http404("Not found")
    permission_require(
        actor=user,
        refusal=webhook_see_refusal(user, subscription),
        action="webhook.read",
        object_type="webhook",
        object_id=str(subscription.public_id),
        request=request,
    )
    if subscription.ended_at is not None:
        raise Http404("Not found")
    return subscription


def deliveries_for(subscription: WebhookSubscription) -> QuerySet[WebhookDelivery]:
    return subscription.deliveries.order_by("-created_at", "-pk")
