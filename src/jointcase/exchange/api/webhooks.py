"""Signed webhooks in the API: subscribe to events, list and end subscriptions, read a
subscription's delivery log. A subscription belongs to the token's user and hears only what
that user may see (docs/exchange.md "Signed webhooks")."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from jointcase.api_common import (
    FORBIDDEN_CHARACTER_CLASS,
    ErrorOut,
    PageQuery,
    api_user,
    paginate,
    shown_as,
    shown_in,
    token_auth,
)
from jointcase.exchange.models import WebhookEvent
from jointcase.exchange.webhooks.selectors import (
    deliveries_for,
    subscription_get_for,
    subscriptions_for,
)
from jointcase.exchange.webhooks.services import (
    NewSubscription,
    webhook_end,
    webhook_subscribe,
)

#: An https URL with a host, and nothing free text refuses (``api_common.FREE_TEXT_PATTERN``).
HTTPS_URL_PATTERN = (
    f"^https://[^\\s/?#@:\\[\\]{FORBIDDEN_CHARACTER_CLASS}]+(/[^\\s{FORBIDDEN_CHARACTER_CLASS}]*)?$"
)

router = Router(tags=["webhooks"], auth=token_auth(write_scope="webhooks"))


class WebhookNotFoundOut(Schema):
    detail: str = Field(..., description='Always "Not Found": missing and another\'s alike')


class SubscriptionIn(Schema):
    url: str = Field(
        ...,
        max_length=500,
        description="Where to post events (https)",
        json_schema_extra={"pattern": HTTPS_URL_PATTERN},
    )
    events: list[str] = Field(
        ...,
        min_length=1,
        max_length=10,
        description=f"Any of: {', '.join(WebhookEvent.values)}",
        json_schema_extra={"items": {"type": "string", "enum": list(WebhookEvent.values)}},
    )


class SubscriptionOut(Schema):
    id: uuid.UUID
    url: str
    events: list[str]
    created_at: dt.datetime
    ended_at: dt.datetime | None

    @staticmethod
    def resolve_id(obj: Any) -> uuid.UUID:
        return obj.public_id

    @staticmethod
    def resolve_events(obj: Any) -> list[str]:
        return list(obj.event_list)


class NewSubscriptionOut(SubscriptionOut):
    # Answered through ``api_common.shown_as`` with the ``NewSubscription``.
    secret: str = Field(..., description="The signing secret: shown this once only")

    @staticmethod
    def resolve_secret(obj: Any, context: Any) -> str:
        return shown_in(context, NewSubscription).secret


class SubscriptionPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[SubscriptionOut]


class DeliveryOut(Schema):
    id: uuid.UUID
    event: str
    payload: dict[str, Any] = Field(..., description="What was posted (identifiers only)")
    status: str = Field(..., description="pending, delivered, retrying or gave_up")
    attempts: int
    last_status_code: int | None
    last_error: str
    next_attempt_at: dt.datetime
    delivered_at: dt.datetime | None
    created_at: dt.datetime

    @staticmethod
    def resolve_id(obj: Any) -> uuid.UUID:
        return obj.public_id


class DeliveryPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[DeliveryOut]


@router.post(
    "/webhooks",
    response={201: NewSubscriptionOut, 400: ErrorOut, 403: ErrorOut},
    summary="Subscribe to events (the signing secret is in this answer only)",
)
def webhook_create(request: HttpRequest, payload: SubscriptionIn) -> Any:
    made = webhook_subscribe(
        actor=api_user(request), url=payload.url, events=payload.events, request=request
    )
    return Status(201, shown_as(NewSubscriptionOut, made.subscription, made, request))


@router.get("/webhooks", response=SubscriptionPage, summary="The caller's subscriptions")
def webhook_list(request: HttpRequest, query: Query[PageQuery]) -> Any:
    return paginate(subscriptions_for(api_user(request)), query)


@router.delete(
    "/webhooks/{subscription_id}",
    response={200: SubscriptionOut, 404: WebhookNotFoundOut},
    summary="End a subscription: gone from the API after (its log kept as evidence)",
)
def webhook_delete(request: HttpRequest, subscription_id: uuid.UUID) -> Any:
    user = api_user(request)
    subscription = subscription_get_for(user, subscription_id, request=request)
    return webhook_end(actor=user, subscription=subscription, request=request)


@router.get(
    "/webhooks/{subscription_id}/deliveries",
    response={200: DeliveryPage, 404: WebhookNotFoundOut},
    summary="A subscription's delivery log, newest first",
)
def webhook_deliveries(
    request: HttpRequest, subscription_id: uuid.UUID, query: Query[PageQuery]
) -> Any:
    subscription = subscription_get_for(api_user(request), subscription_id, request=request)
    return paginate(deliveries_for(subscription), query)
