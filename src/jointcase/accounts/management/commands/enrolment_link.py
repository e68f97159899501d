"""``jointcase enrolment-link USERNAME``: a single-use enrolment link, from the console.

For an operator bootstrapping an account, or helping a user whose link expired. The link is
printed once; only its hash is stored, and issuing it is audited with the actor "console".
A user who already has a second factor gets a link only with ``--reset-second-factor``, which
removes their second factors and ends their sessions first (as an agency administrator's reset).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jointcase.accounts.enrolment import (
    enrolment_link_hours,
    enrolment_link_issue,
    enrolment_link_url,
)
from jointcase.accounts.models import EnrolmentReason, User
from jointcase.accounts.services import mfa_reset, user_has_second_factor


class Command(BaseCommand):
    help = "Issue a single-use enrolment link with which a user sets their password and MFA."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--reset-second-factor",
            action="store_true",
            help="remove the user's second factors and end their sessions first",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username__iexact=options["username"].strip()).first()
        if user is None:
            raise CommandError(f"No user is called {options['username']!r}.")
        if not user.is_active:
            raise CommandError(f"{user.username} is disabled: enable the account first.")
        if options["reset_second_factor"]:
            secret = mfa_reset(actor=None, user=user)
            if secret is None:  # pragma: no cover - an active user always gets one
                raise CommandError("No link was issued.")
        elif user_has_second_factor(user):
            raise CommandError(
                f"{user.username} already has a second factor: add --reset-second-factor to "
                "remove it and issue a link."
            )
        else:
            try:
                _link, secret = enrolment_link_issue(
                    actor=None, user=user, reason=EnrolmentReason.OPERATOR
                )
            except ValidationError as error:
                raise CommandError("; ".join(error.messages)) from error
        self.stderr.write(
            f"Enrolment link for {user.username}: it works once, within "
            f"{enrolment_link_hours()} hours, and is shown once only."
        )
        self.stdout.write(enrolment_link_url(secret))
