from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jointcase.seed.scales import SCALES
from jointcase.seed.world import world_is_empty, world_seed


class Command(BaseCommand):
    help = "Build a deterministic synthetic world (never real people)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=sorted(SCALES), default="demo")
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same world.")
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing if the database holds a world."
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
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
