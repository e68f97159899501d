"""``jointcase token create|list|revoke``: API tokens for partner systems, from the console.

The plaintext of a new token is printed once and never again; only its hash is stored.
Every create and revoke is audited with the actor "console". A token carries the purpose of
consultation its requests record (``--purpose``, default ``case_management``; ``--reason``).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jointcase.access.accounts import TOKEN_SCOPES
from jointcase.access.labels import Classification
from jointcase.accounts.models import ApiToken, User
from jointcase.accounts.tokens import (
    DEFAULT_TOKEN_PURPOSE,
    TOKEN_PURPOSES,
    ApiTokenError,
    api_token_create,
    api_token_revoke,
    api_tokens_for,
    token_scope_names,
)


def _when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "never"


class Command(BaseCommand):
    help = "Create, list and revoke API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = actions.add_parser("create", help="create a token and print it once")
        create.add_argument("username")
        create.add_argument("--name", default="API token", help="what the token is for")
        create.add_argument("--days", type=int, default=None, help="lifetime in days")
        create.add_argument(
            "--purpose",
            default=DEFAULT_TOKEN_PURPOSE,
            choices=TOKEN_PURPOSES,
            help="the purpose of consultation every request with the token records",
        )
        create.add_argument("--reason", default="", help="why, in a sentence (optional)")
        create.add_argument(
            "--scope",
            action="append",
            dest="scopes",
            choices=list(TOKEN_SCOPES),
            help="what the token may do; repeat for several (default: read only)",
        )
        create.add_argument(
            "--ceiling",
            default="",
            choices=[level.value for level in Classification],
            help="the highest classification the token may read or write (default: its "
            "user's own clearance)",
        )
        listing = actions.add_parser("list", help="list a user's tokens (never the secrets)")
        listing.add_argument("username")
        revoke = actions.add_parser("revoke", help="revoke the token with this prefix")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            self._create(
                options["username"],
                options["name"],
                options["days"],
                options["purpose"],
                options["reason"],
                options["scopes"] or ["read"],
                options["ceiling"],
            )
        elif action == "list":
            self._list(options["username"])
        elif action == "revoke":
            self._revoke(options["prefix"])

    @staticmethod
    def _user(username: str) -> User:
        user = User.objects.filter(username__iexact=username.strip()).first()
        if user is None:
            raise CommandError(f"No user is called {username!r}.")
        return user

    def _create(
        self,
        username: str,
        name: str,
        days: int | None,
        purpose: str,
        reason: str,
        scopes: list[str],
        ceiling: str = "",
    ) -> None:
        try:
            token, plaintext = api_token_create(
                actor=None,
                user=self._user(username),
                name=name,
                days=days,
                purpose=purpose,
                purpose_reason=reason,
                scopes=scopes,
                ceiling=ceiling,
            )
        except ApiTokenError as error:
            raise CommandError(str(error)) from error
        self.stderr.write(
            f"Token {token.prefix} for {token.user.username} ({token.purpose}; may: "
            f"{token_scope_names(token.scope_list)}"
            f"{'; at most ' + token.ceiling if token.ceiling else ''}) "
            f"expires {_when(token.expires_at)}. "
            "It is shown once only: store it now."
        )
        self.stdout.write(plaintext)

    def _list(self, username: str) -> None:
        tokens = api_tokens_for(actor=None, user=self._user(username))
        if not tokens:
            self.stdout.write("No tokens.")
            return
        self.stdout.write(
            f"{'PREFIX':<10}{'STATUS':<9}{'CREATED':<18}{'EXPIRES':<18}{'LAST USED':<18}NAME"
        )
        for token in tokens:
            self.stdout.write(
                f"{token.prefix:<10}{token.status:<9}{_when(token.created_at):<18}"
                f"{_when(token.expires_at):<18}{_when(token.last_used_at):<18}{token.name}"
            )

    def _revoke(self, prefix: str) -> None:
        matches = list(ApiToken.objects.filter(prefix=prefix.strip()).select_related("user")[:2])
        if not matches:
            raise CommandError(f"No token has the prefix {prefix!r}.")
        if len(matches) > 1:
            raise CommandError(
                f"More than one token has the prefix {prefix!r}: revoke it from the admin."
            )
        token = api_token_revoke(actor=None, token=matches[0])
        self.stdout.write(f"Revoked token {token.prefix} of {token.user.username}.")
