"""The domain events partners may subscribe to, heard from the apps' own signals (connected in
``ExchangeConfig.ready``). Each queues deliveries in the transaction that made the event."""

from __future__ import annotations

from typing import Any

from jointcase.cases.signals import case_phase_changed
from jointcase.exchange.models import WebhookEvent
from jointcase.exchange.webhooks.services import webhooks_queue
from jointcase.material.signals import share_request_decided
from jointcase.meetings.signals import action_assigned
from jointcase.risk.signals import check_due


def on_action_assigned(sender: Any, *, action: Any, **kwargs: Any) -> None:
    webhooks_queue(
        WebhookEvent.ACTION_ASSIGNED,
        case_id=action.case_id,
        object_id=str(action.public_id),
        agency_ids=frozenset({action.owner_agency_id}),
    )


def on_share_request_decided(sender: Any, *, share_request: Any, item: Any, **kwargs: Any) -> None:
    if item.case_id is None:
        return
    webhooks_queue(
        WebhookEvent.SHARE_REQUEST_DECIDED,
        case_id=item.case_id,
        object_id=str(item.pk),
        agency_ids=frozenset({share_request.requester.agency_id}),
    )


def on_case_phase_changed(sender: Any, *, case: Any, **kwargs: Any) -> None:
    webhooks_queue(WebhookEvent.CASE_PHASE_CHANGED, case_id=case.pk, object_id=str(case.public_id))


def on_check_due(sender: Any, *, check: Any, **kwargs: Any) -> None:
    webhooks_queue(WebhookEvent.CHECK_DUE, case_id=check.case_id, object_id=str(check.public_id))


def receivers_connect() -> None:
    action_assigned.connect(on_action_assigned, dispatch_uid="webhooks_action_assigned")
    share_request_decided.connect(on_share_request_decided, dispatch_uid="webhooks_share_decided")
    case_phase_changed.connect(on_case_phase_changed, dispatch_uid="webhooks_phase_changed")
    check_due.connect(on_check_due, dispatch_uid="webhooks_check_due")
