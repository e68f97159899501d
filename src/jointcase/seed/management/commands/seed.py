from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jointcase.exchange.linkage.synthetic import extract_make
from jointcase.seed.scales import SCALES
from jointcase.seed.steps.exchange import NEXT_DELIVERY, SOURCE, next_delivery
from jointcase.seed.world import world_is_empty, world_seed


class Command(BaseCommand):
    help = (
        "Build a deterministic synthetic world (never real people); `seed linkage` writes "
        "synthetic partner extracts and their ground truth instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "what",
            nargs="?",
            choices=("world", "linkage"),
            default="world",
            help="world (the default): seed the database; linkage: write partner extracts "
            "with realistic errors, the register and the truth as CSV files to --out.",
        )
        parser.add_argument(
            "--records", type=int, default=5000, help="linkage: about this many records."
        )
        parser.add_argument(
            "--out", type=Path, default=Path("var/linkage"), help="linkage: the directory."
        )
        parser.add_argument("--scale", choices=sorted(SCALES), default="demo")
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same world.")
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing if the database holds a world."
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["what"] == "linkage":
            self._linkage(options)
            return
        if not world_is_empty():
            if options["if_empty"]:
                self.stdout.write("The database already holds a world: not seeding.")
                return
            raise CommandError(
                "The database already holds a world. Seed an empty database "
                "(for SQLite, delete var/jointcase.sqlite3 and run `jointcase migrate`)."
            )
        context = world_seed(
            scale=options["scale"],
            seed=options["seed"],
            show_progress=not options["no_progress"] and options["verbosity"] > 0,
        )
        self.stdout.write(
            self.style.SUCCESS(f"Seeded the {context.scale.name} world with seed {context.seed}.")
        )
        if context.scale.name == "demo":
            self._next_delivery(context.seed)

    def _next_delivery(self, seed: int) -> None:
        """A partner extract ready to import in the demo (docs/exchange.md "Demo")."""

        folder = Path(settings.VAR_DIR) / "demo-extracts"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / NEXT_DELIVERY
        path.write_bytes(next_delivery(seed))
        self.stdout.write(
            f"A partner extract ready to import: {path} "
            f"(Imports page, or `jointcase import --source {SOURCE} {path}`)"
        )

    def _linkage(self, options: dict[str, Any]) -> None:

        if options["records"] < 1:
            raise CommandError("--records must be at least 1.")
        extract = extract_make(options["records"], seed=options["seed"])
        for path in extract.write(options["out"]):
            self.stdout.write(f"Wrote {path}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(extract.records)} synthetic partner records over "
                f"{len(extract.people)} people (seed {options['seed']})."
            )
        )
