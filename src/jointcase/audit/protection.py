"""The database refuses changes to the audit log (defence in depth under the role grants).

Triggers reject UPDATE and DELETE of audit entries and checkpoints (and TRUNCATE on
PostgreSQL), whoever issues them, the application included. Production relies first on the
database roles in docs/audit.md ("Production database roles"): the application role holds
only INSERT and SELECT on these tables.

One door stays, for the table owner only: *maintenance mode*, a per-session switch
(PostgreSQL: the setting ``jointcase.audit_maintenance = 'on'``, honoured only for a role
that owns the table; SQLite: the connection-local function ``jointcase_audit_maintenance()``
registered by this app). The test suite uses it to empty tables between tests, and the
tamper tests use it to break the chain on purpose. The application never turns it on.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper

PROTECTED_TABLES = ("audit_auditentry", "audit_auditcheckpoint")
_FLAG = "jointcase_audit_maintenance"
PG_SETTING = "jointcase.audit_maintenance"

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION jointcase_audit_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(current_setting('jointcase.audit_maintenance', true), '') = 'on'
     AND pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER')
  THEN
    IF TG_OP = 'DELETE' THEN
      RETURN OLD;
    END IF;
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'the audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege', HINT = 'See docs/audit.md.';
END
$$;
"""


def _postgres_install(table: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};",
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};",
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION jointcase_audit_refuse_change();",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION jointcase_audit_refuse_change();",
    ]


def _sqlite_install(table: str) -> list[str]:
    statements = []
    for operation in ("UPDATE", "DELETE"):
        name = f"{table}_no_{operation.lower()}"
        statements += [
            f"DROP TRIGGER IF EXISTS {name};",
            f"CREATE TRIGGER {name} BEFORE {operation} ON {table} "
            f"WHEN NOT {_FLAG}() BEGIN "
            f"SELECT RAISE(ABORT, 'the audit log is append-only: {operation} on {table} refused'); "
            "END;",
        ]
    return statements


def protection_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [POSTGRES_FUNCTION] + [s for t in PROTECTED_TABLES for s in _postgres_install(t)]
    if vendor == "sqlite":
        return [s for t in PROTECTED_TABLES for s in _sqlite_install(t)]
    return []


def unprotection_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS {t}_{kind} ON {t};"
            for t in PROTECTED_TABLES
            for kind in ("append_only", "no_truncate")
        ] + ["DROP FUNCTION IF EXISTS jointcase_audit_refuse_change();"]
    if vendor == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS {t}_no_{op};"
            for t in PROTECTED_TABLES
            for op in ("update", "delete")
        ]
    return []


def protection_installed(using: str = "default") -> bool:
    """Whether every append-only trigger is present (a SQLite table rebuild drops them)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgname = ANY(%s) AND NOT tgisinternal",
                [[f"{t}_{k}" for t in PROTECTED_TABLES for k in ("append_only", "no_truncate")]],
            )
            return bool(cursor.fetchone()[0] == 2 * len(PROTECTED_TABLES))
        if connection.vendor == "sqlite":
            names = [f"{t}_no_{op}" for t in PROTECTED_TABLES for op in ("update", "delete")]
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN ("  # noqa: S608
                + ",".join("%s" for _ in names)
                + ")",
                names,
            )
            return bool(cursor.fetchone()[0] == len(names))
    return False


def register_sqlite_function(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """``connection_created`` handler: the per-connection maintenance switch for SQLite."""
    if connection.vendor != "sqlite":
        return
    wrapper = weakref.ref(connection)

    def maintenance() -> int:
        current = wrapper()
        return 1 if current is not None and getattr(current, _FLAG, False) else 0

    connection.connection.create_function(_FLAG, 0, maintenance)


@contextmanager
def audit_maintenance(using: str = "default") -> Iterator[None]:
    """Let this connection change the audit tables for the duration (owner role only).

    For the test suite's table flush and deliberate tampering tests; never used by the
    application.
    """
    connection = connections[using]
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        previous = getattr(connection, _FLAG, False)
        setattr(connection, _FLAG, True)
        try:
            yield
        finally:
            setattr(connection, _FLAG, previous)
        return
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, 'on', false)", [PG_SETTING])
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, '', false)", [PG_SETTING])
        except DatabaseError:
            # A broken transaction: never leave the switch on; drop the session instead.
            if not connection.in_atomic_block:
                connection.close()
            else:
                connection.needs_rollback = True
