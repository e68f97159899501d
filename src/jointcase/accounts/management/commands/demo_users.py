from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from jointcase.accounts.models import User
from jointcase.accounts.personas import DEMO_PASSWORD, PERSONAS


class Command(BaseCommand):
    help = "List the demo sign-ins: username, password, agency, roles and vetting."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="Machine-readable output.")

    def handle(self, *args: Any, **options: Any) -> None:
        users = {
            user.username: user
            for user in User.objects.filter(username__in=[p.username for p in PERSONAS])
            .select_related("agency", "vetting")
            .prefetch_related("role_assignments")
        }
        rows = []
        for persona in PERSONAS:
            user = users.get(persona.username)
            if user is None:
                continue
            rows.append(
                {
                    "username": user.username,
                    "password": DEMO_PASSWORD,
                    "name": user.get_full_name(),
                    "agency": user.agency.name if user.agency else "",
                    "roles": user.role_labels,
                    "vetting": user.vetting.level,
                    "caveats": list(persona.caveats),
                }
            )
        if options["json"]:
            self.stdout.write(json.dumps(rows, indent=2))
            return
        if not rows:
            self.stdout.write("No demo users: run `jointcase seed` first.")
            return
        width = max(len(row["username"]) for row in rows)
        self.stdout.write(f"Demo sign-ins (password for all: {DEMO_PASSWORD})")
        self.stdout.write("Second factor: `jointcase demo-otp USERNAME` prints the current code.\n")
        for row in rows:
            self.stdout.write(
                f"  {row['username']:<{width}}  {row['vetting']:<4}  {', '.join(row['roles'])}"
                f" - {row['agency']}"
            )
