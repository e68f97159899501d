"""Operator tasks on material.

- ``jointcase material retention [--dry-run] [--schedule] [--today YYYY-MM-DD]``: destroy the
  data keys of material past its retention date;
- ``jointcase material labels [--repair]``: check that every item's label summary columns agree
  with its label (and re-derive the ones that do not); exits non-zero when they disagree.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from jointcase.audit.models import Outcome
from jointcase.audit.services import audit_record
from jointcase.material.integrity import label_summary_check
from jointcase.material.services.retention import material_retention_run
from jointcase.material.tasks import retention_schedule_next


class Command(BaseCommand):
    help = (
        "Material: 'retention' destroys the data keys (crypto-shredding) of items whose "
        "retention date has passed; 'labels' checks (and with --repair re-derives) the label "
        "summary columns the access filter reads."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("operation", choices=["retention", "labels"])
        parser.add_argument(
            "--repair",
            action="store_true",
            help="labels: re-derive the columns that disagree with the stored labels",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Count and list what is due; change nothing"
        )
        parser.add_argument("--schedule", action="store_true", help="Start the daily worker chain")
        parser.add_argument("--today", help="Run as if on this date (YYYY-MM-DD)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["operation"] == "labels":
            self._labels(repair=options["repair"])
            return
        if options["schedule"]:
            scheduled = retention_schedule_next()
            self.stdout.write(f"Scheduled the daily retention run ({scheduled.id})")
            return

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

    def _labels(self, *, repair: bool) -> None:

        with transaction.atomic():
            report = label_summary_check(repair=repair)
            if repair and not report.ok:
                audit_record(
                    action="material.label_summary_repaired",
                    actor_username="operator",
                    outcome=Outcome.SUCCESS,
                    object_type="material",
                    details={"mismatched": report.mismatched},
                )
        for line in report.lines():
            self.stdout.write(line)
        if not report.ok and not repair:
            raise CommandError(
                "Label summary columns disagree with the stored labels: the material lists may "
                "not match the item pages. Run `jointcase material labels --repair`."
            )
