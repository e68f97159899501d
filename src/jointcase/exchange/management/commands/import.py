"""``jointcase import --source NAME FILE``: import a partner extract (CSV or JSON lines, see
docs/exchange.md) with a progress bar, then print the counts.

The import runs in this process, chunk by chunk, exactly as the worker runs it. Interrupted
(even by ``kill -9``), the same command on the same file resumes after the last committed chunk:
the file is recognised by its SHA-256. Run again once finished, it changes nothing and reports
every row unchanged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from jointcase.exchange.models import BatchLinkage, ImportBatch
from jointcase.exchange.services.imports import import_run, import_start


class Command(BaseCommand):
    help = "Import a partner extract (CSV or JSON lines) of person records."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The extract: CSV with a header row, or JSON lines")
        parser.add_argument("--source", required=True, help="The partner system it comes from")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar")

    def handle(self, *args: Any, **options: Any) -> None:

        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror or 'cannot be read'}") from error
        try:
            batch = import_start(
                actor=None, source_code=options["source"], file_name=path.name, content=content
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        if batch.rows_done:
            self.stdout.write(f"Resuming after row {batch.rows_done} of {batch.rows_total}")
        bar = tqdm(
            total=batch.rows_total,
            initial=batch.rows_done,
            unit="row",
            disable=options["no_progress"],
            file=self.stderr,
        )

        def advance(done: ImportBatch) -> None:
            bar.update(done.rows_done - bar.n)

        linking: dict[str, Any] = {}

        def linked(stage: BatchLinkage) -> None:
            if "bar" not in linking:
                bar.close()
                linking["bar"] = tqdm(
                    total=stage.records_total,
                    initial=stage.records_done,
                    unit="record",
                    desc="Linking",
                    disable=options["no_progress"],
                    file=self.stderr,
                )
            linking["bar"].update(stage.records_done - linking["bar"].n)

        with bar:
            batch = import_run(batch.pk, progress=advance, link_progress=linked)
        if "bar" in linking:
            linking["bar"].close()
        stage = BatchLinkage.objects.filter(batch=batch).first()
        rows = [
            ("Rows", batch.rows_total),
            ("Accepted (new)", batch.accepted),
            ("Updated", batch.updated),
            ("Unchanged", batch.unchanged),
            ("Quarantined", batch.quarantined),
        ]
        if stage is not None:
            rows += [
                ("Linked", stage.linked),
                ("To review", stage.review),
                ("New people", stage.new),
            ]
        self.stdout.write(f"Import {batch.public_id} of {path.name} from {batch.source}: done")
        for label, value in rows:
            self.stdout.write(f"  {label:<16}{value:>10}")
