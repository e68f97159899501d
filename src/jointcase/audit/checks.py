"""System checks: the append-only triggers are in place (``jointcase check --database default``)."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, Tags, register
from django.db import DatabaseError, connections
from django.db.migrations.recorder import MigrationRecorder

from jointcase.audit.protection import protection_installed


@register(Tags.database)
def audit_protection_check(
    app_configs: Any = None, databases: Any = None, **kwargs: Any
) -> list[CheckMessage]:
    if not databases:
        return []

    errors: list[CheckMessage] = []
    for alias in databases:
        try:
            recorder = MigrationRecorder(connections[alias])
            if ("audit", "0003_append_only_triggers") not in recorder.applied_migrations():
                continue  # not migrated yet: `migrate` installs them
            installed = protection_installed(alias)
        except DatabaseError:
            continue  # not migrated yet: `migrate` installs them
        if not installed:
            errors.append(
                Error(
                    "The audit log's append-only triggers are missing.",
                    hint="Run `jointcase audit protect` (a SQLite table rebuild drops triggers).",
                    id="audit.E001",
                )
            )
    return errors
