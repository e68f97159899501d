"""Background work of the workforce app (django-tasks): the nightly expiry notices of prison
training, and the nightly recompute of the stored caseload figures.

A run started with ``reschedule=True`` enqueues the next for the following night; ``jointcase
training notify --schedule`` and ``jointcase caseload refresh --schedule`` start the chains. The
caseload figures are recomputed after the phase re-evaluation (02:00), so each load follows its
cases' phases of the day.
"""

from __future__ import annotations

import datetime as dt

from django_tasks import TaskResult, task

from jointcase.lib.daily import next_daily_run
from jointcase.workforce.figures import figures_refresh_all
from jointcase.workforce.services.training_expiry import training_expiry_notices

DAILY_AT = dt.time(3, 45)
CASELOAD_DAILY_AT = dt.time(2, 30)


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


@task()
def caseload_refresh_run(reschedule: bool = False) -> dict[str, int]:
    result = {"figures": figures_refresh_all()}
    if reschedule:
        caseload_schedule_next()
    return result


def caseload_next_run(now: dt.datetime | None = None) -> dt.datetime:
    return next_daily_run(CASELOAD_DAILY_AT, now)


def caseload_schedule_next(now: dt.datetime | None = None) -> TaskResult[dict[str, int]]:
    return caseload_refresh_run.using(run_after=caseload_next_run(now)).enqueue(reschedule=True)
