"""``jointcase contacts nightly [--schedule] [--today YYYY-MM-DD]``: the contact standards'
nightly run now (resolve shortfalls cleared by contacts, alert new ones on a working day), or
start its daily chain on the worker.

``jointcase contacts check STANDARDS_FILE``: validate a changed standards file with the code
start-up uses (nothing is written).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Contact standards: run the nightly alerts, or check a standards file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("operation", choices=["nightly", "check"])
        parser.add_argument("standards_file", nargs="?", help="The standards file to check")
        parser.add_argument("--schedule", action="store_true", help="Start the nightly chain")
        parser.add_argument("--today", help="Run as if on this date (YYYY-MM-DD)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["operation"] == "check":
            self._check(options["standards_file"])
            return
        today = None
        if options["today"]:
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError as error:
                raise CommandError("--today must be a date: YYYY-MM-DD") from error
        if options["schedule"]:
            from jointcase.supervision.tasks import contacts_schedule_next

            result = contacts_schedule_next()
            self.stdout.write(f"Scheduled the nightly contacts run ({result.id})")
            return
        from jointcase.supervision.services.nightly import contacts_nightly

        done = contacts_nightly(today=today)
        self.stdout.write(
            f"{done['below']} case(s) below standard, {done['alerted']} alerted, "
            f"{done['resolved']} shortfall(s) resolved"
        )

    def _check(self, path: str | None) -> None:
        from jointcase.supervision.standards import standards_load

        if not path:
            raise CommandError("Name the standards file: jointcase contacts check FILE")
        try:
            standards = standards_load(path)
        except FileNotFoundError as error:
            raise CommandError(f"{path}: no such file") from error
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"{path}: version {standards.version}, {len(standards.standards)} standard(s), valid"
        )
