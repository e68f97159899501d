"""``jointcase training notify [--schedule] [--today YYYY-MM-DD]``: tell staff (and their line
managers) of required counter-terrorism training about to lapse, now, or start the nightly chain
on the worker.

``jointcase training check COURSES_FILE``: validate a changed course catalogue with the code
start-up uses (nothing is written).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jointcase.workforce.courses import courses_load
from jointcase.workforce.services.training_expiry import training_expiry_notices
from jointcase.workforce.tasks import training_schedule_next


class Command(BaseCommand):
    help = "Prison training: send the expiry notices, or check a course catalogue."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("operation", choices=["notify", "check"])
        parser.add_argument("courses_file", nargs="?", help="The course catalogue to check")
        parser.add_argument("--schedule", action="store_true", help="Start the nightly chain")
        parser.add_argument("--today", help="Run as if on this date (YYYY-MM-DD)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["operation"] == "check":
            self._check(options["courses_file"])
            return
        today = None
        if options["today"]:
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError as error:
                raise CommandError("--today must be a date: YYYY-MM-DD") from error
        if options["schedule"]:
            result = training_schedule_next()
            self.stdout.write(f"Scheduled the nightly training expiry notices ({result.id})")
            return
        done = training_expiry_notices(today=today)
        self.stdout.write(
            f"{done['due']} completion(s) lapsing soon, {done['told']} member(s) of staff told"
        )

    def _check(self, path: str | None) -> None:
        if not path:
            raise CommandError("Name the course catalogue: jointcase training check FILE")
        try:
            catalogue = courses_load(path)
        except FileNotFoundError as error:
            raise CommandError(f"{path}: no such file") from error
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{path}: {len(catalogue.courses)} course(s), valid")
