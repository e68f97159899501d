"""Background work of meetings: the daily reminders and escalation run (django-tasks).

Like the register's phase run, each run started with ``reschedule=True`` enqueues the next
for the following morning; ``jointcase actions escalate --schedule`` starts the chain.
"""

from __future__ import annotations

import datetime as dt

from django_tasks import TaskResult, task

from jointcase.lib.daily import next_daily_run
from jointcase.meetings.escalation import escalate

DAILY_AT = dt.time(7, 0)


@task()
def actions_escalate(reschedule: bool = False) -> int:
    sent = escalate()
    if reschedule:
        actions_schedule_next()
    return sent


def actions_next_run(now: dt.datetime | None = None) -> dt.datetime:
    return next_daily_run(DAILY_AT, now)


def actions_schedule_next(now: dt.datetime | None = None) -> TaskResult[int]:
    return actions_escalate.using(run_after=actions_next_run(now)).enqueue(reschedule=True)
