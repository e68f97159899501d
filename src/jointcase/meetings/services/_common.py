"""What the meetings services share: links, the meeting event writer, display helpers, and
``checked`` (the permission check that runs before a service and its transaction)."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jointcase.accounts.models import User
from jointcase.cases.models import Case
from jointcase.meetings.models import Meeting, MeetingEvent
from jointcase.meetings.services.links import action_link, meeting_link

__all__ = ["action_link", "checked", "choice", "meeting_event", "meeting_link", "person", "when"]

P = ParamSpec("P")
T = TypeVar("T")


def checked(check: Callable[..., None]) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Run ``check(**kwargs)`` (one of ``services.checks``: ``permission_require``, a DENY
    entry that stays, then ``NotPermitted``) before the service, then the service in one
    transaction. A refused service writes nothing but the DENY entry."""

    def wrap(service: Callable[P, T]) -> Callable[P, T]:
        atomic = transaction.atomic(service)

        @functools.wraps(service)
        def run(*args: P.args, **kwargs: P.kwargs) -> T:
            check(**kwargs)
            return atomic(*args, **kwargs)

        return run

    return wrap


def choice(value: str, choices: Any, field: str, message: str) -> None:
    if value not in choices.values:
        raise ValidationError({field: message})


def meeting_event(
    meeting: Meeting,
    kind: str,
    *,
    actor: User | None,
    field: str = "",
    from_value: str = "",
    to_value: str = "",
    case: Case | None = None,
) -> MeetingEvent:
    return MeetingEvent.objects.create(
        meeting=meeting,
        actor=actor,
        kind=kind,
        field=field,
        from_value=from_value[:200],
        to_value=to_value[:200],
        case=case,
    )


def person(user: User) -> str:
    return str(user.get_full_name() or user.username)


def when(value: dt.datetime) -> str:
    return f"{timezone.localtime(value):%-d %B %Y %H:%M}"
