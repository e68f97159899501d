"""Background work of the required checks: the nightly run (django-tasks).

Like the register's phase run, a run started with ``reschedule=True`` enqueues the next for the
following night; ``jointcase checks nightly --schedule`` starts the chain. It runs after the
phase re-evaluation (02:00), so checks of phases entered overnight already exist.
"""

from __future__ import annotations

import datetime as dt

from django_tasks import TaskResult, task

from jointcase.lib.daily import next_daily_run
from jointcase.risk.services.checks_nightly import checks_nightly

DAILY_AT = dt.time(3, 0)


@task()
def checks_nightly_run(reschedule: bool = False) -> dict[str, int]:
    result = checks_nightly()
    if reschedule:
        checks_schedule_next()
    return result


def checks_next_run(now: dt.datetime | None = None) -> dt.datetime:
    return next_daily_run(DAILY_AT, now)


def checks_schedule_next(now: dt.datetime | None = None) -> TaskResult[dict[str, int]]:
    return checks_nightly_run.using(run_after=checks_next_run(now)).enqueue(reschedule=True)
