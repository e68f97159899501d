"""``jointcase contacts nightly [--schedule] [--today YYYY-MM-DD]``: the contact standards'
nightly run now (resolve shortfalls cleared by contacts, alert new ones on a working day), or
start its daily chain on the worker.

``jointcase contacts check STANDARDS_FILE``: validate a changed standards file with the code
start-up uses (nothing is written).
"""

from __future__ import annotations

import datetime as dt

from jointcase.lib.commands import DailyJobCommand
from jointcase.supervision.services.nightly import contacts_nightly
from jointcase.supervision.standards import standards_load
from jointcase.supervision.tasks import contacts_schedule_next


class Command(DailyJobCommand):
    help = "Contact standards: run the nightly alerts, or check a standards file."
    run_operation = "nightly"
    file_kind = "standards file"

    def run(self, today: dt.date | None) -> str:
        done = contacts_nightly(today=today)
        return (
            f"{done['below']} case(s) below standard, {done['alerted']} alerted, "
            f"{done['resolved']} shortfall(s) resolved"
        )

    def schedule(self) -> str:
        return f"Scheduled the nightly contacts run ({contacts_schedule_next().id})"

    def check_file(self, path: str) -> str:
        standards = standards_load(path)
        return f"version {standards.version}, {len(standards.standards)} standard(s)"
