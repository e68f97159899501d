"""``jointcase checks preview RULES_FILE``: what a changed rules file would do on today's data,
before it is applied (validated by the same code as start-up; nothing is written).

``jointcase checks nightly [--schedule] [--today YYYY-MM-DD]``: the nightly run now (raise the
date-driven checks, then remind and escalate), or start its daily chain on the worker.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jointcase.risk.check_rules import rules_load
from jointcase.risk.services.checks_nightly import checks_nightly, checks_preview
from jointcase.risk.tasks import checks_schedule_next


class Command(BaseCommand):
    help = "Required checks: preview a rules file, or run the nightly evaluation and escalation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("operation", choices=["preview", "nightly"])
        parser.add_argument("rules_file", nargs="?", help="The rules file to preview")
        parser.add_argument("--schedule", action="store_true", help="Start the nightly chain")
        parser.add_argument("--today", help="Run as if on this date (YYYY-MM-DD)")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["today"]:
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError as error:
                raise CommandError("--today must be a date: YYYY-MM-DD") from error
        if options["operation"] == "preview":
            self._preview(options["rules_file"], today)
            return
        if options["schedule"]:
            result = checks_schedule_next()
            self.stdout.write(f"Scheduled the nightly checks run ({result.id})")
            return

        done = checks_nightly(today=today)
        self.stdout.write(f"{done['raised']} check(s) raised, {done['notices']} notice(s) sent")

    def _preview(self, path: str | None, today: dt.date | None) -> None:

        if not path:
            raise CommandError("Name the rules file to preview: jointcase checks preview FILE")
        try:
            rules = rules_load(path)
        except FileNotFoundError as error:
            raise CommandError(f"{path}: no such file") from error
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{path}: version {rules.version}, {len(rules.rules)} rule(s), valid")
        header = f"{'rule':32} {'change':9} {'trigger':22} {'cases':>7} {'raise today':>11}"
        self.stdout.write(header)
        for row in checks_preview(rules, today=today):
            self.stdout.write(
                f"{row.code:32} {row.change:9} {row.trigger:22} "
                f"{row.cases_in_scope:7d} {row.would_raise_today:11d}"
            )
