"""Background work of the register: the daily phase re-evaluation (django-tasks).

django-tasks has no scheduler of its own, so the daily run keeps itself going: each run
(when started with ``reschedule=True``) enqueues the next one for the following night.
``jointcase phases --schedule`` starts the chain; ``jointcase phases`` runs it now.
"""

from __future__ import annotations

import datetime as dt

from django_tasks import TaskResult, task

from jointcase.cases.services import phases_reevaluate_all
from jointcase.lib.daily import next_daily_run

#: Local time of day the daily run is scheduled for.
DAILY_AT = dt.time(2, 0)


@task()
def phases_reevaluate(reschedule: bool = False) -> int:
    """Bring every open case's phase in line with its dates; returns how many changed."""
    changed = phases_reevaluate_all()
    if reschedule:
        phases_schedule_next()
    return changed


def phases_next_run(now: dt.datetime | None = None) -> dt.datetime:
    return next_daily_run(DAILY_AT, now)


def phases_schedule_next(now: dt.datetime | None = None) -> TaskResult[int]:
    return phases_reevaluate.using(run_after=phases_next_run(now)).enqueue(reschedule=True)
