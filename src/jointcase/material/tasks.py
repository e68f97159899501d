"""Background work of material: the daily retention run (django-tasks).

Like the meetings' escalation run, each run started with ``reschedule=True`` enqueues the next
for the following night; ``jointcase material retention --schedule`` starts the chain.
"""

from __future__ import annotations

import datetime as dt

from django_tasks import TaskResult, task

from jointcase.lib.daily import next_daily_run
from jointcase.material.services.retention import material_retention_run

DAILY_AT = dt.time(3, 0)


@task()
def material_retention(reschedule: bool = False) -> int:
    """Destroy the data keys of items past their retention date; the number destroyed."""
    destroyed = material_retention_run().destroyed
    if reschedule:
        retention_schedule_next()
    return destroyed


def retention_next_run(now: dt.datetime | None = None) -> dt.datetime:
    return next_daily_run(DAILY_AT, now)


def retention_schedule_next(now: dt.datetime | None = None) -> TaskResult[int]:
    return material_retention.using(run_after=retention_next_run(now)).enqueue(reschedule=True)
