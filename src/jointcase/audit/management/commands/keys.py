"""``jointcase keys SUBCOMMAND``: the keyring outside the database.

- ``keys init [--if-missing]``: create the keyring (every key at version 1);
- ``keys show``: versions and public keys, never a secret;
- ``keys rotate``: provided by ``jointcase.material.keys.keys_rotate`` (re-wraps data keys).

Another module adds a subcommand with ``register_subcommand``.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jointcase.keyring import CLASSIFICATIONS, KeyringError, keyring_init, keyring_load


@dataclass(frozen=True)
class Subcommand:
    help: str
    handler: Callable[[BaseCommand, dict[str, Any]], None]
    add_arguments: Callable[[CommandParser], None] = lambda parser: None


SUBCOMMANDS: dict[str, Subcommand] = {}


def register_subcommand(
    name: str,
    help: str,
    handler: Callable[[BaseCommand, dict[str, Any]], None],
    add_arguments: Callable[[CommandParser], None] = lambda parser: None,
) -> None:
    SUBCOMMANDS[name] = Subcommand(help=help, handler=handler, add_arguments=add_arguments)


def _init_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "--if-missing", action="store_true", help="Do nothing if a keyring already exists."
    )


def _init(command: BaseCommand, options: dict[str, Any]) -> None:
    path = settings.KEYRING_PATH
    existed = (path / "keyring.json").exists()
    keyring = keyring_init(path, if_missing=options["if_missing"])
    if existed:
        command.stdout.write(f"Keyring already present at {keyring.path}; left unchanged.")
    else:
        command.stdout.write(command.style.SUCCESS(f"Keyring created at {keyring.path}."))
        command.stdout.write("Back it up now, encrypted, away from the database backups.")


def _show_arguments(parser: CommandParser) -> None:
    parser.add_argument("--json", action="store_true", help="Print JSON for scripts.")


def _show(command: BaseCommand, options: dict[str, Any]) -> None:
    summary = keyring_load().public_summary()
    if options["json"]:
        command.stdout.write(json.dumps(summary, indent=2))
        return
    command.stdout.write(f"Keyring: {summary['path']}")
    command.stdout.write("Key-encryption keys (current version last):")
    for classification in CLASSIFICATIONS:
        versions = ", ".join(
            f"v{item['version']} ({item['created_at']})" for item in summary["kek"][classification]
        )
        command.stdout.write(f"  {classification}: {versions}")
    command.stdout.write("Audit signing keys (Ed25519 public keys):")
    for item in summary["audit_signing"]:
        command.stdout.write(
            f"  v{item['version']} ({item['created_at']}): {item['public_key_b64']}"
        )


def _rotate_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "--resume-only",
        action="store_true",
        help="Finish an interrupted rotation without adding new key versions.",
    )
    parser.add_argument("--batch-size", type=int, default=500, help="Data keys per batch.")
    parser.add_argument("--no-progress", action="store_true", help="No progress bar.")


def _rotate(command: BaseCommand, options: dict[str, Any]) -> None:
    try:
        module = importlib.import_module("jointcase.material.keys")
    except ModuleNotFoundError as error:
        raise CommandError(
            "Key rotation is not available in this installation "
            "(jointcase.material.keys is missing)."
        ) from error
    rotate = getattr(module, "keys_rotate", None)
    if rotate is None:
        raise CommandError("jointcase.material.keys has no keys_rotate.")
    result = rotate(
        new_version=not options.get("resume_only", False),
        batch_size=options.get("batch_size", 500),
        progress=not options.get("no_progress", False),
    )
    for name in ("rotation_id", "target_versions", "rewrapped", "already_current", "resumed"):
        if hasattr(result, name):
            command.stdout.write(f"{name.replace('_', ' ')}: {getattr(result, name)}")
    failed = getattr(result, "failed", [])
    if failed:
        raise CommandError(
            f"{len(failed)} data keys did not unwrap and were left unchanged: "
            + ", ".join(map(str, failed[:20]))
        )


register_subcommand("init", "Create the keyring.", _init, _init_arguments)
register_subcommand("show", "Show key versions and public keys.", _show, _show_arguments)
register_subcommand(
    "rotate", "Rotate key-encryption keys and re-wrap data keys.", _rotate, _rotate_arguments
)


class Command(BaseCommand):
    help = "Manage the keyring (key-encryption keys, audit signing keys) outside the database."

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(dest="subcommand", required=True)
        for name, subcommand in SUBCOMMANDS.items():
            subparser = subparsers.add_parser(name, help=subcommand.help)
            subcommand.add_arguments(subparser)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            SUBCOMMANDS[options["subcommand"]].handler(self, options)
        except KeyringError as error:
            raise CommandError(str(error)) from error
