"""``jointcase caseload refresh [--schedule] [--today YYYY-MM-DD] [--no-progress]``: recompute
every person's stored caseload figure now, with a progress bar, or start the nightly chain on
the worker. Run it after changing the weights file (docs/workforce.md).

``jointcase caseload check WEIGHTS_FILE``: validate a changed weights file with the code
start-up uses (nothing is written).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import CommandParser
from tqdm import tqdm

from jointcase.lib.commands import DailyJobCommand
from jointcase.workforce.figures import figures_refresh_all
from jointcase.workforce.tasks import caseload_schedule_next
from jointcase.workforce.weights import weights_load


class Command(DailyJobCommand):
    help = "Caseloads: recompute the stored caseload figures, or check a weights file."
    run_operation = "refresh"
    file_kind = "weights file"

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--no-progress", action="store_true", help="No progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        self.no_progress = bool(options["no_progress"])
        super().handle(*args, **options)

    def run(self, today: dt.date | None) -> str:
        with tqdm(unit="person", disable=self.no_progress, file=self.stderr) as bar:

            def advance(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)

            done = figures_refresh_all(today=today, progress=advance)
        return f"{done} caseload figure(s) recomputed"

    def schedule(self) -> str:
        return f"Scheduled the nightly caseload figures ({caseload_schedule_next().id})"

    def check_file(self, path: str) -> str:
        weights = weights_load(path)
        return f"version {weights.version}, {len(weights.roles)} caseload role(s)"
