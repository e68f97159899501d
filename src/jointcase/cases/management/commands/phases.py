from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from jointcase.cases.tasks import phases_reevaluate, phases_schedule_next


class Command(BaseCommand):
    help = "Re-evaluate every open case's phase now (the daily task), or schedule the daily run."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="Enqueue the daily run for tonight (it re-enqueues itself every day).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["schedule"]:
            result = phases_schedule_next()
            self.stdout.write(f"Daily phase re-evaluation scheduled (task {result.id}).")
            return
        changed = phases_reevaluate.call()
        self.stdout.write(
            self.style.SUCCESS(f"Phases re-evaluated: {changed} case(s) changed phase.")
        )
