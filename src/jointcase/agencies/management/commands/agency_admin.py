"""``jointcase agency-admin appoint|revoke|list --agency CODE [USERNAME]``: an agency's
administrators, from the console.

Roles cannot be set in the Django admin, so this is how a new agency gets its first
administrator (who then manages the agency's users and roles on the agency pages). Every
appointment, removal and refusal is audited with the actor "console" (``details["via"]``);
the rules are in ``jointcase.agencies.administrators``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jointcase.accounts.models import User
from jointcase.agencies.administrators import (
    agency_admin_appoint,
    agency_admin_revoke,
    agency_admins_of,
)
from jointcase.agencies.models import Agency


class Command(BaseCommand):
    help = "Appoint, remove or list an agency's administrators (audited)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        for name, text in (
            ("appoint", "give a user of the agency the agency administrator role"),
            ("revoke", "remove the agency administrator role from a user of the agency"),
        ):
            action = actions.add_parser(name, help=text)
            action.add_argument("--agency", required=True, help="the agency's code")
            action.add_argument("username")
            action.add_argument("--reason", default="", help="recorded in the audit entry")
        listing = actions.add_parser("list", help="the agency's administrators")
        listing.add_argument("--agency", required=True, help="the agency's code")

    def handle(self, *args: Any, **options: Any) -> None:
        code = options["agency"].strip()
        agency = Agency.objects.filter(code__iexact=code).first()
        if agency is None:
            raise CommandError(f"No agency has the code {code!r}.")
        if options["action"] == "list":
            for admin in agency_admins_of(agency):
                state = "" if admin.is_active else " (disabled)"
                self.stdout.write(f"{admin.username}{state}")
            return
        username = options["username"].strip()
        user = User.objects.filter(username__iexact=username).first()
        if user is None:
            raise CommandError(f"No user is called {username!r}.")
        try:
            if options["action"] == "appoint":
                agency_admin_appoint(agency=agency, user=user, reason=options["reason"])
                self.stdout.write(f"{user.username} is now an administrator of {agency.code}.")
                return
            left = agency_admin_revoke(agency=agency, user=user, reason=options["reason"])
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(f"{user.username} is no longer an administrator of {agency.code}.")
        if left == 0:
            self.stderr.write(
                f"{agency.code} has no active administrator left: appoint one with "
                f"`jointcase agency-admin appoint --agency {agency.code} USERNAME`."
            )
