"""Writing many rows of one model without model instances: ``COPY`` on PostgreSQL, one
``executemany`` elsewhere.

For the bulk paths that measured their time in the ORM's per-object preparation and in
PostgreSQL's per-row statements (a partner import's records, the linkage stage's results).
Values are given as the database expects them (the caller adapts dates, UUIDs and JSON with
``connection.ops`` or the field's ``get_db_prep_value``, as the ORM would); only the model's
own table and column names are put in the SQL, quoted, and every value travels as data.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from django.db import connection


def _columns(model: type[Any], names: Sequence[str]) -> list[str]:
    quote = connection.ops.quote_name
    return [quote(model._meta.get_field(name).column) for name in names]


def rows_insert(model: type[Any], names: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert ``rows`` (values in the order of the field ``names``) into ``model``'s table."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(_columns(model, names))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(names))
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608 - names from the model
            rows,
        )


def rows_update(model: type[Any], names: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Set the fields ``names`` of existing rows of ``model``: each row gives the values in
    that order, then the primary key. On PostgreSQL the rows are copied into a temporary
    table and applied by one joined ``UPDATE`` (one statement instead of one per row)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = _columns(model, names)
    key = quote(model._meta.pk.column)
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            sets = ", ".join(f"{column} = %s" for column in columns)
            cursor.executemany(
                f"UPDATE {table} SET {sets} WHERE {key} = %s",  # noqa: S608 - names from the model
                rows,
            )
            return
        scratch = quote(f"bulk_update_{uuid.uuid4().hex}")
        listed = ", ".join([*columns, key])
        cursor.execute(
            f"CREATE TEMPORARY TABLE {scratch} AS SELECT {listed} FROM {table} WITH NO DATA"  # noqa: S608 - names from the model
        )
        with cursor.cursor.copy(f"COPY {scratch} ({listed}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        sets = ", ".join(f"{column} = new.{column}" for column in columns)
        cursor.execute(
            f"UPDATE {table} SET {sets} FROM {scratch} AS new "  # noqa: S608 - names from the model
            f"WHERE {table}.{key} = new.{key}"
        )
        # On an error the caller's transaction rolls back, and the table with it.
        cursor.execute(f"DROP TABLE {scratch}")
