"""The shape shared by the console commands of daily jobs.

``jointcase NAME RUN [--schedule] [--today YYYY-MM-DD]`` runs the job now (as if on ``--today``)
or starts its daily chain on the worker; ``jointcase NAME check FILE`` validates a changed policy
file with the code start-up uses, writing nothing. A command names its run operation and its
file, and supplies the three steps; the parsing and the operator messages live here once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser


class DailyJobCommand(BaseCommand):
    #: The operation that runs the job ("nightly", "notify").
    run_operation: str
    #: What ``check`` validates, as an operator calls it ("standards file").
    file_kind: str

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("operation", choices=[self.run_operation, "check"])
        parser.add_argument("file", nargs="?", help=f"The {self.file_kind} to check")
        parser.add_argument("--schedule", action="store_true", help="Start the nightly chain")
        parser.add_argument("--today", help="Run as if on this date (YYYY-MM-DD)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["operation"] == "check":
            self.stdout.write(self._check(options["file"]))
            return
        today = None
        if options["today"]:
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError as error:
                raise CommandError("--today must be a date: YYYY-MM-DD") from error
        self.stdout.write(self.schedule() if options["schedule"] else self.run(today))

    def _check(self, path: str | None) -> str:
        if not path:
            raise CommandError(f"Name the {self.file_kind}: jointcase {self._name()} check FILE")
        try:
            return f"{path}: {self.check_file(path)}, valid"
        except FileNotFoundError as error:
            raise CommandError(f"{path}: no such file") from error
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error

    def _name(self) -> str:
        return self.__module__.rsplit(".", 1)[-1]

    def run(self, today: dt.date | None) -> str:
        """Run the job now; the line the operator reads."""
        raise NotImplementedError

    def schedule(self) -> str:
        """Enqueue the job's next daily run; the line the operator reads."""
        raise NotImplementedError

    def check_file(self, path: str) -> str:
        """Load ``path`` as start-up would (raising as it does); what it holds, in a few words."""
        raise NotImplementedError
