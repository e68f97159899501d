"""``jointcase actions escalate [--schedule] [--today YYYY-MM-DD]``: reminders and escalation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jointcase.meetings.escalation import escalate
from jointcase.meetings.tasks import actions_schedule_next


class Command(BaseCommand):
    help = "Agreed actions: send due-soon reminders and overdue escalations (working days only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("operation", choices=["escalate"])
        parser.add_argument("--schedule", action="store_true", help="Start the daily worker chain")
        parser.add_argument("--today", help="Run as if on this date (YYYY-MM-DD)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["schedule"]:
            result = actions_schedule_next()
            self.stdout.write(f"Scheduled the daily escalation run ({result.id})")
            return

        today = None
        if options["today"]:
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError as error:
                raise CommandError("--today must be a date: YYYY-MM-DD") from error
        sent = escalate(today=today)
        self.stdout.write(f"{sent} notice(s) sent")
