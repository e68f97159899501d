"""``jointcase link SUBCOMMAND``: the record-linkage model (docs/exchange.md, "Record linkage").

- ``link train [--records N] [--seed S] [--output PATH]``: generate a synthetic extract (never
  real people), train the Splink model on it, measure it on a fresh extract (seed S + 1) and
  write the model file (by default the one versioned in the repository);
- ``link evaluate [--records N] [--seed S] [--model PATH] [--backend ENGINE]``: pairwise
  precision and recall of the model's links on a synthetic extract, with the thresholds from
  the settings (on DuckDB or Spark: a way to check a cluster gives the model's figures);
- ``link run [--backend ENGINE]``: the linkage stage for every batch with records still
  awaiting linkage (a record corrected and replayed from quarantine, or an import stopped in
  its linkage stage); reviewers' decisions stand as in any run. Splink runs on the engine
  named, by default ``JOINTCASE_LINK_BACKEND`` (docs/exchange.md "Linkage on Spark");
- ``link run --records FILE --register FILE --output FILE [--backend ENGINE]``: an extract
  file matched against a register extract file, the decisions written to a file, without the
  database (``linkage.files``; a national batch on Spark);
- ``link export [--output FILE]``: for every imported source record, the register person it
  resolved to and how (linked automatically, linked by a reviewer, new, awaiting review), as
  CSV to the file or standard output, with a progress bar (docs/exchange.md "Export").
"""

from __future__ import annotations

import csv
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pandas as pd
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from tqdm import tqdm

from jointcase.audit.services import audit_record
from jointcase.exchange.linkage.engines import (
    ENGINES,
    DuckDBEngine,
    EngineUnavailable,
    LinkageEngine,
    engine_get,
)
from jointcase.exchange.linkage.files import ExtractFileError, files_link
from jointcase.exchange.linkage.model import MODEL_PATH, link_train, model_load
from jointcase.exchange.linkage.quality import linkage_evaluate
from jointcase.exchange.linkage.synthetic import extract_make
from jointcase.exchange.models import Resolution, SourceRecord
from jointcase.exchange.selectors.review import EXPORT_COLUMNS, export_count, export_rows
from jointcase.exchange.services.linking import batch_link

TRAINING_RECORDS = 6000
BACKEND_HELP = "Where Splink runs (default: JOINTCASE_LINK_BACKEND)."


def _engine(name: str | None) -> LinkageEngine:
    try:
        return engine_get(name)
    except EngineUnavailable as error:
        raise CommandError(str(error)) from error


class Command(BaseCommand):
    help = "Record linkage: train the model on synthetic data, or measure it."

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(dest="subcommand", required=True)
        train = subparsers.add_parser("train", help="Train on a synthetic extract.")
        train.add_argument("--records", type=int, default=TRAINING_RECORDS)
        train.add_argument("--seed", type=int, default=1, help="Same seed, same model.")
        train.add_argument("--output", type=Path, default=MODEL_PATH)
        evaluate = subparsers.add_parser("evaluate", help="Precision and recall of a model.")
        evaluate.add_argument("--records", type=int, default=3000)
        evaluate.add_argument("--seed", type=int, default=2)
        evaluate.add_argument("--model", type=Path, default=MODEL_PATH)
        evaluate.add_argument("--backend", choices=ENGINES, help=BACKEND_HELP)
        run = subparsers.add_parser("run", help="Link the records still awaiting linkage.")
        run.add_argument("--backend", choices=ENGINES, help=BACKEND_HELP)
        run.add_argument(
            "--records",
            dest="records_file",
            type=Path,
            help="Link this extract file (CSV or Parquet) instead, without the database",
        )
        run.add_argument("--register", type=Path, help="With --records: the register extract file")
        run.add_argument("--output", type=Path, help="With --records: the decisions file")
        export = subparsers.add_parser("export", help="How each imported record resolved, CSV.")
        export.add_argument("--output", type=Path, help="The CSV file (default: standard output)")
        export.add_argument("--no-progress", action="store_true", help="No progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] in ("export", "run"):
            getattr(self, "_" + options["subcommand"])(options)
            return
        if options["records"] < 100:
            raise CommandError("Use at least 100 records.")
        getattr(self, "_" + options["subcommand"])(options)

    def _train(self, options: dict[str, Any]) -> None:
        records, seed = options["records"], options["seed"]
        extract = extract_make(records, seed=seed)
        self.stdout.write(
            f"Training on {len(extract.records)} synthetic records "
            f"against {len(extract.register)} register people (seed {seed})..."
        )
        model = link_train(
            pd.DataFrame(extract.records),
            pd.DataFrame(extract.register),
            seed=seed,
            description=f"jointcase link train --records {records} --seed {seed}",
        )
        evaluation = linkage_evaluate(
            extract_make(records, seed=seed + 1),
            model,
            upper=settings.JOINTCASE_LINK_UPPER,
            lower=settings.JOINTCASE_LINK_LOWER,
            engine=DuckDBEngine(),
        )
        model.metadata["evaluation"] = {
            "seed": seed + 1,
            "upper": settings.JOINTCASE_LINK_UPPER,
            "lower": settings.JOINTCASE_LINK_LOWER,
            **evaluation.as_dict(),
        }
        options["output"].parent.mkdir(parents=True, exist_ok=True)
        options["output"].write_text(model.to_json(), encoding="utf-8")
        self.stdout.write(f"Fresh extract (seed {seed + 1}): {evaluation.summary()}")
        self.stdout.write(self.style.SUCCESS(f"Model written to {options['output']}"))

    def _evaluate(self, options: dict[str, Any]) -> None:
        try:
            model = model_load(options["model"])
        except (OSError, ValueError, KeyError) as error:
            raise CommandError(f"Cannot read the model {options['model']}: {error}") from error
        engine = _engine(options["backend"])
        evaluation = linkage_evaluate(
            extract_make(options["records"], seed=options["seed"]),
            model,
            upper=settings.JOINTCASE_LINK_UPPER,
            lower=settings.JOINTCASE_LINK_LOWER,
            engine=engine,
        )
        self.stdout.write(evaluation.summary())

    def _export(self, options: dict[str, Any]) -> None:

        path: Path | None = options["output"]
        try:
            handle = path.open("w", newline="", encoding="utf-8") if path else None
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror or 'cannot be written'}") from error
        out: Any = handle or self.stdout
        writer = csv.DictWriter(out, fieldnames=list(EXPORT_COLUMNS), lineterminator="\n")
        writer.writeheader()
        written = 0
        with tqdm(
            total=export_count(),
            unit="record",
            disable=options["no_progress"],
            file=self.stderr,
        ) as bar:
            for row in export_rows():
                writer.writerow(row)
                written += 1
                bar.update(1)
        if handle is not None:
            handle.close()
        with transaction.atomic():
            audit_record(
                action="exchange.linkage_export",
                actor_username="command line",
                object_type="source_record",
                object_id="export",
                details={"records": written, "to": "file" if path else "standard output"},
            )
        if path:
            self.stdout.write(f"{written} records written to {path}")

    def _run(self, options: dict[str, Any]) -> None:
        if options["records_file"] or options["register"] or options["output"]:
            self._run_files(options)
            return
        batches = sorted(
            set(
                SourceRecord.objects.filter(resolution=Resolution.AWAITING_LINKAGE).values_list(
                    "last_changed_batch_id", flat=True
                )
            )
        )
        engine = _engine(options["backend"]) if batches else None
        for batch_id in batches:
            stage = batch_link(batch_id, engine=engine)
            self.stdout.write(
                f"Import {stage.batch.public_id}: linked {stage.linked}, "
                f"to review {stage.review}, new people {stage.new}"
            )
        if not batches:
            self.stdout.write("No records are awaiting linkage.")

    def _run_files(self, options: dict[str, Any]) -> None:
        """Extract files in, decisions out: nothing read from or written to the register."""
        needed = {"records": "records_file", "register": "register", "output": "output"}
        missing = [f"--{name}" for name, key in needed.items() if not options[key]]
        if missing:
            raise CommandError(f"Linking files needs {', '.join(missing)}.")
        try:
            linkage = files_link(
                records=options["records_file"],
                register=options["register"],
                output=options["output"],
                engine=_engine(options["backend"]),
                upper=settings.JOINTCASE_LINK_UPPER,
                lower=settings.JOINTCASE_LINK_LOWER,
            )
        except ExtractFileError as error:
            raise CommandError(str(error)) from error
        with transaction.atomic():
            audit_record(
                action="exchange.linkage_files",
                actor_username="command line",
                object_type="source_record",
                object_id="files",
                details=asdict(linkage),
            )
        self.stdout.write(
            f"{linkage.records} records against {linkage.register_people} register people: "
            f"linked {linkage.linked}, to review {linkage.review}, new {linkage.new}; "
            f"decisions written to {options['output']}"
        )
