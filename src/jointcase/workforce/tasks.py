"""Background work of prison training: the nightly expiry notices (django-tasks).

A run started with ``reschedule=True`` enqueues the next for the following night; ``jointcase
training notify --schedule`` starts the chain.
"""

from __future__ import annotations

import datetime as dt

from django_tasks import TaskResult, task

from jointcase.lib.daily import next_daily_run
from jointcase.workforce.services.training_expiry import training_expiry_notices

DAILY_AT = dt.time(3, 45)


@task()
def training_expiry_run(reschedule: bool = False) -> dict[str, int]:
    result = training_expiry_notices()
    if reschedule:
        training_schedule_next()
    return result


def training_next_run(now: dt.datetime | None = None) -> dt.datetime:
    return next_daily_run(DAILY_AT, now)


def training_schedule_next(now: dt.datetime | None = None) -> TaskResult[dict[str, int]]:
    return training_expiry_run.using(run_after=training_next_run(now)).enqueue(reschedule=True)
