"""The next run of a daily background job (django-tasks has no scheduler of its own: each
daily run enqueues the next one for the time this gives)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def next_daily_run(at: dt.time, now: dt.datetime | None = None) -> dt.datetime:
    """The next local ``at`` strictly after ``now`` (today's if still ahead, else tomorrow's)."""
    local = timezone.localtime(now or timezone.now())
    candidate = timezone.make_aware(dt.datetime.combine(local.date(), at))
    if candidate <= local:
        candidate = timezone.make_aware(
            dt.datetime.combine(local.date() + dt.timedelta(days=1), at)
        )
    return candidate
