"""``jointcase audit SUBCOMMAND``: checkpoints, verification and the append-only triggers.

- ``audit checkpoint [--output FILE] [--post URL]``: sign the chain head;
- ``audit verify [--checkpoint FILE ...]``: recompute the whole chain, exit 1 at the first
  bad entry (what is wrong and where), 2 if only a checkpoint is bad;
- ``audit scheduler [--once]``: start the worker's periodic checkpoints (idempotent), or make
  one checkpoint now with ``--once``;
- ``audit protect``: (re)install the append-only triggers (after a SQLite table rebuild).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from tqdm import tqdm

from jointcase.audit.checkpoints import checkpoint_create, checkpoint_post
from jointcase.audit.protection import protection_installed, protection_sql
from jointcase.audit.tasks import audit_checkpoint_periodic, checkpoint_schedule_next
from jointcase.audit.verify import chain_verify
from jointcase.keyring import KeyringError


class Command(BaseCommand):
    help = "Audit chain: signed checkpoints, verification, append-only protection."

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(dest="subcommand", required=True)
        checkpoint = subparsers.add_parser("checkpoint", help="Sign the chain head.")
        checkpoint.add_argument("--output", type=Path, help="Write the signed JSON here.")
        checkpoint.add_argument(
            "--post", metavar="URL", help="POST it to this witness (default: the setting)."
        )
        verify = subparsers.add_parser("verify", help="Verify the whole chain.")
        verify.add_argument(
            "--checkpoint",
            action="append",
            type=Path,
            default=[],
            metavar="FILE",
            help="A checkpoint document kept by a witness (repeatable).",
        )
        verify.add_argument("--no-progress", action="store_true", help="No progress bar.")
        verify.add_argument(
            "--jobs",
            type=int,
            default=None,
            help="Processes for long chains (default: the CPU count, at most 8).",
        )
        verify.add_argument("--json", action="store_true", help="Print the result as JSON.")
        scheduler = subparsers.add_parser("scheduler", help="Start periodic checkpoints.")
        scheduler.add_argument("--once", action="store_true", help="Make one checkpoint now.")
        subparsers.add_parser("protect", help="Install the append-only triggers.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, "_" + options["subcommand"])(options)
        except KeyringError as error:
            raise CommandError(str(error)) from error

    def _checkpoint(self, options: dict[str, Any]) -> None:

        checkpoint = checkpoint_create()
        self.stdout.write(
            self.style.SUCCESS(
                f"Signed checkpoint at entry {checkpoint.seq}: {checkpoint.entry_hash}"
            )
        )
        if options["output"]:
            options["output"].write_text(checkpoint.json, encoding="utf-8")
            self.stdout.write(f"Written to {options['output']}")
        else:
            self.stdout.write(checkpoint.json)
        url = options["post"] or settings.JOINTCASE_AUDIT_WITNESS_URL
        if url:
            problem = checkpoint_post(checkpoint, url)
            if problem:
                self.stderr.write(f"Not posted to the witness: {problem}")
            else:
                self.stdout.write(f"Posted to {url}")

    def _verify(self, options: dict[str, Any]) -> None:

        documents = []
        for path in options["checkpoint"]:
            try:
                documents.append((str(path), json.loads(path.read_text(encoding="utf-8"))))
            except (OSError, ValueError) as error:
                documents.append((str(path), {"unreadable": str(error)}))
        with connection.cursor() as cursor:
            cursor.execute("SELECT max(seq) FROM audit_auditentry")
            total = cursor.fetchone()[0] or 0
        bar = tqdm(
            total=total,
            unit=" entries",
            unit_scale=True,
            disable=options["no_progress"] or None,
            file=sys.stderr,
        )
        with bar:
            result = chain_verify(
                checkpoint_documents=documents, progress=bar.update, jobs=options["jobs"]
            )
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "ok": result.ok,
                        "entries": result.entries,
                        "last_seq": result.last_seq,
                        "last_hash": result.last_hash,
                        "checkpoints_checked": result.checkpoints_checked,
                        "problem": vars(result.problem) if result.problem else None,
                        "checkpoint_errors": result.checkpoint_errors,
                        "seconds": round(result.seconds, 3),
                    },
                    indent=2,
                )
            )
        else:
            self.stdout.write(
                f"Checked {result.entries} entries and {result.checkpoints_checked} "
                f"checkpoints in {result.seconds:.1f} s ({result.rate:,.0f} entries/s)."
            )
            for checkpoint_error in result.checkpoint_errors:
                self.stderr.write(f"BAD CHECKPOINT: {checkpoint_error}")
            if result.problem:
                self.stderr.write(
                    f"FIRST BAD ENTRY: {result.problem.seq} ({result.problem.kind}): "
                    f"{result.problem.message}"
                )
            elif result.ok:
                self.stdout.write(
                    self.style.SUCCESS(
                        f"The chain verifies: last entry {result.last_seq}, {result.last_hash}"
                    )
                )
        if result.problem:
            sys.exit(1)
        if result.checkpoint_errors:
            sys.exit(2)

    def _scheduler(self, options: dict[str, Any]) -> None:

        if options["once"]:
            seq = audit_checkpoint_periodic.call()
            self.stdout.write(f"Checkpoint made at entry {seq}; next one scheduled.")
            return
        if checkpoint_schedule_next(minutes=0):
            self.stdout.write(
                "Periodic checkpoints started: the worker makes one every "
                f"{settings.JOINTCASE_AUDIT_CHECKPOINT_MINUTES} minutes."
            )
        else:
            self.stdout.write("Periodic checkpoints are already scheduled.")

    def _protect(self, options: dict[str, Any]) -> None:

        with connection.cursor() as cursor:
            for statement in protection_sql(connection.vendor):
                cursor.execute(statement)
        if protection_installed():
            self.stdout.write(self.style.SUCCESS("The append-only triggers are installed."))
        else:
            raise CommandError(f"Could not install the triggers on {connection.vendor}.")
