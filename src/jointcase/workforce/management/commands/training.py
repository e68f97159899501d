"""``jointcase training notify [--schedule] [--today YYYY-MM-DD]``: tell staff (and their line
managers) of required counter-terrorism training about to lapse, now, or start the nightly chain
on the worker.

``jointcase training check COURSES_FILE``: validate a changed course catalogue with the code
start-up uses (nothing is written).
"""

from __future__ import annotations

import datetime as dt

from jointcase.lib.commands import DailyJobCommand
from jointcase.workforce.courses import courses_load
from jointcase.workforce.services.training_expiry import training_expiry_notices
from jointcase.workforce.tasks import training_schedule_next


class Command(DailyJobCommand):
    help = "Prison training: send the expiry notices, or check a course catalogue."
    run_operation = "notify"
    file_kind = "course catalogue"

    def run(self, today: dt.date | None) -> str:
        done = training_expiry_notices(today=today)
        return f"{done['due']} completion(s) lapsing soon, {done['told']} member(s) of staff told"

    def schedule(self) -> str:
        return f"Scheduled the nightly training expiry notices ({training_schedule_next().id})"

    def check_file(self, path: str) -> str:
        return f"{len(courses_load(path).courses)} course(s)"
