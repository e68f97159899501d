"""Reminders and escalation of agreed actions, on working days (England and Wales).

For an open action and a working day ``today``:
- due soon: due today or within ``JOINTCASE_ACTION_DUE_SOON_WORKING_DAYS`` working days ->
  remind the owner;
- overdue by at least ``JOINTCASE_ACTION_ESCALATE_MANAGER_WORKING_DAYS`` working days ->
  notify the owner's line manager;
- overdue by at least that plus ``JOINTCASE_ACTION_ESCALATE_SENIOR_WORKING_DAYS`` ->
  notify the senior operational lead / CT supervisor of the case team.

Nothing fires on a weekend or bank holiday. Each notice is recorded as an ``ActionEvent``
keyed by stage and due date (a unique constraint), so re-running never repeats a notice, and
a changed due date starts afresh. Notices and e-mails carry a fixed text and a link only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from jointcase.access.meetings import case_seniors
from jointcase.access.policy import case_decision
from jointcase.access.roles import agency_managers
from jointcase.accounts.models import User
from jointcase.audit.services import audit_record
from jointcase.lib.working_days import add_working_days, is_working_day, working_days_between
from jointcase.meetings.models import OPEN_STATUSES, ActionEvent, ActionEventKind, AgreedAction
from jointcase.meetings.services.links import action_link
from jointcase.notifications.services import notify

DUE_SOON = "due_soon"
MANAGER = "manager"
SENIOR = "senior"
STAGES = (DUE_SOON, MANAGER, SENIOR)

#: An item that can fall due (an agreed action, a required check).
ItemT = TypeVar("ItemT", bound=Model)


@dataclass(frozen=True)
class Thresholds:
    due_soon: int
    manager: int
    senior: int

    @classmethod
    def from_settings(cls) -> Thresholds:
        return cls(
            due_soon=int(getattr(settings, "JOINTCASE_ACTION_DUE_SOON_WORKING_DAYS", 3)),
            manager=int(getattr(settings, "JOINTCASE_ACTION_ESCALATE_MANAGER_WORKING_DAYS", 2)),
            senior=int(getattr(settings, "JOINTCASE_ACTION_ESCALATE_SENIOR_WORKING_DAYS", 5)),
        )


def stages_due(due_date: dt.date, today: dt.date, thresholds: Thresholds) -> frozenset[str]:
    """The notices an open action due on ``due_date`` calls for on ``today`` (pure)."""
    if not is_working_day(today):
        return frozenset()
    if due_date >= today:
        if working_days_between(today, due_date) <= thresholds.due_soon:
            return frozenset({DUE_SOON})
        return frozenset()
    overdue = working_days_between(due_date, today)
    stages = set()
    if overdue >= thresholds.manager:
        stages.add(MANAGER)
    if overdue >= thresholds.manager + thresholds.senior:
        stages.add(SENIOR)
    return frozenset(stages)


def escalation_level(due_date: dt.date, today: dt.date, thresholds: Thresholds) -> int:
    """0 none, 1 manager, 2 senior (for the property tests: never decreases with time)."""
    stages = stages_due(due_date, today, thresholds)
    return 2 if SENIOR in stages else 1 if MANAGER in stages else 0


_TEXT = {
    DUE_SOON: "An agreed action you own is due soon",
    MANAGER: "An agreed action owned by someone you manage is overdue",
    SENIOR: "An agreed action on a case you oversee is still overdue",
}


def _recipients(action: AgreedAction, stage: str, today: dt.date) -> list[User]:
    if stage == DUE_SOON:
        people = [action.owner]
    elif stage == MANAGER:
        manager = action.owner.line_manager
        people = [manager] if manager is not None else []
    else:
        seniors = list(case_seniors(action.case_id, today))
        # The owner's own agency's senior (SOL for probation, CT supervisor for police) first.
        people = [u for u in seniors if u.agency_id == action.owner_agency_id] or seniors
        if not people:  # no senior on the team: the seniors of the owner's agency
            people = list(agency_managers(action.owner_agency_id))
    # Never notify someone who may not see the case (notifications reveal nothing, but the link
    # would be a dead end and the notice itself says the case has an action).
    return [
        u
        for u in people
        if u is not None and u.is_active and case_decision(u, action.case_id).allowed
    ]


def _notify(action: AgreedAction, stage: str, today: dt.date) -> int:
    key = f"{stage}:{action.due_date.isoformat()}"
    try:
        with transaction.atomic():
            ActionEvent.objects.create(
                action=action,
                kind=ActionEventKind.REMINDED if stage == DUE_SOON else ActionEventKind.ESCALATED,
                to_value=key,
            )
            link = action_link(action)
            notices = notify(
                recipients=_recipients(action, stage, today), text=_TEXT[stage], link=link
            )
            recipients = [notice.recipient for notice in notices]
            audit_record(
                action=f"action.{'remind' if stage == DUE_SOON else 'escalate'}",
                object_type="action",
                object_id=action.pk,
                details={"stage": stage, "recipients": [u.pk for u in recipients]},
                actor_username="system",
            )
    except IntegrityError:
        return 0  # already sent (a concurrent run got there first)
    if getattr(settings, "JOINTCASE_ACTION_EMAIL", False):
        base = str(getattr(settings, "JOINTCASE_BASE_URL", "")).rstrip("/")
        for user in recipients:
            if user.email:
                send_mail(
                    subject="JointCase: an agreed action needs attention",
                    message=f"{_TEXT[stage]}. Sign in to JointCase to see it: {base}{link}",
                    from_email=None,
                    recipient_list=[user.email],
                    fail_silently=True,
                )
    return 1


def escalate_due(
    *,
    today: dt.date | None,
    thresholds: Thresholds | None,
    candidates: Callable[[dt.date, dt.date, dt.date], QuerySet[ItemT]],
    due_of: Callable[[ItemT], dt.date],
    sent_keys: Callable[[ItemT], set[str]],
    send: Callable[[ItemT, str, dt.date], int],
) -> int:
    """The escalation loop shared by agreed actions and required checks (one rule for both):
    on a working day, each open item due soon or overdue (``candidates(today, horizon,
    overdue_before)``) gets every stage it calls for whose ``stage:due`` key is not yet in
    ``sent_keys``; ``send`` records and sends one notice and returns 1 (0 if already sent)."""
    today = today or timezone.localdate()
    thresholds = thresholds or Thresholds.from_settings()
    if not is_working_day(today):
        return 0
    horizon = add_working_days(today, thresholds.due_soon)
    overdue_before = add_working_days(today, -thresholds.manager)
    sent = 0
    for item in candidates(today, horizon, overdue_before).iterator(chunk_size=1000):
        due = due_of(item)
        wanted = stages_due(due, today, thresholds)
        if not wanted:
            continue
        done = sent_keys(item)
        for stage in STAGES:
            if stage in wanted and f"{stage}:{due.isoformat()}" not in done:
                sent += send(item, stage, today)
    return sent


def _action_candidates(
    today: dt.date, horizon: dt.date, overdue_before: dt.date
) -> QuerySet[AgreedAction]:
    return (
        AgreedAction.objects.filter(status__in=OPEN_STATUSES)
        .filter(Q(due_date__gte=today, due_date__lte=horizon) | Q(due_date__lte=overdue_before))
        .select_related("owner", "owner__line_manager")
        .order_by("pk")
    )


def _action_sent_keys(action: AgreedAction) -> set[str]:
    return set(
        ActionEvent.objects.filter(
            action=action, kind__in=[ActionEventKind.REMINDED, ActionEventKind.ESCALATED]
        ).values_list("to_value", flat=True)
    )


def escalate(*, today: dt.date | None = None, thresholds: Thresholds | None = None) -> int:
    """Send the reminders and escalations due on ``today``; returns how many notices were sent."""
    return escalate_due(
        today=today,
        thresholds=thresholds,
        candidates=_action_candidates,
        due_of=lambda action: action.due_date,
        sent_keys=_action_sent_keys,
        send=_notify,
    )
