"""Background work of the contact standards: the nightly run (django-tasks).

Like the required checks' run, a run started with ``reschedule=True`` enqueues the next for the
following night; ``jointcase contacts nightly --schedule`` starts the chain. It runs after the
phase re-evaluation (02:00), so each case's standard follows its phase of the day.
"""

from __future__ import annotations

import datetime as dt

from django_tasks import TaskResult, task

from jointcase.lib.daily import next_daily_run
from jointcase.supervision.services.nightly import contacts_nightly

DAILY_AT = dt.time(3, 30)


@task()
def contacts_nightly_run(reschedule: bool = False) -> dict[str, int]:
    result = contacts_nightly()
    if reschedule:
        contacts_schedule_next()
    return result


def contacts_next_run(now: dt.datetime | None = None) -> dt.datetime:
    return next_daily_run(DAILY_AT, now)


def contacts_schedule_next(now: dt.datetime | None = None) -> TaskResult[dict[str, int]]:
    return contacts_nightly_run.using(run_after=contacts_next_run(now)).enqueue(reschedule=True)
