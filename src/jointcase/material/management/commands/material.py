"""``jointcase material retention [--dry-run] [--schedule] [--today YYYY-MM-DD]``: destroy the
data keys of material past its retention date."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "Material: 'retention' destroys the data keys (crypto-shredding) of items whose "
        "retention date has passed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("operation", choices=["retention"])
        parser.add_argument(
            "--dry-run", action="store_true", help="Count and list what is due; change nothing"
        )
        parser.add_argument("--schedule", action="store_true", help="Start the daily worker chain")
        parser.add_argument("--today", help="Run as if on this date (YYYY-MM-DD)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["schedule"]:
            from jointcase.material.tasks import retention_schedule_next

            scheduled = retention_schedule_next()
            self.stdout.write(f"Scheduled the daily retention run ({scheduled.id})")
            return
        from jointcase.material.services import material_retention_run

        today = None
        if options["today"]:
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError as error:
                raise CommandError("--today must be a date: YYYY-MM-DD") from error
        result = material_retention_run(
            today=today, dry_run=options["dry_run"], progress=options["verbosity"] > 0
        )
        if options["dry_run"]:
            self.stdout.write(
                f"{result.due} item(s) past their retention date (dry run: none destroyed)"
            )
            for item_id in result.item_ids:
                self.stdout.write(f"  {item_id}")
            return
        self.stdout.write(f"{result.destroyed} item(s) destroyed at the end of their retention")
