"""The seed's bulk writer: rows of one model inserted without model instances."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.db import connection
from django.db.models import Max


class Table:
    """Rows of one model, inserted with one ``executemany`` per flush.

    Primary keys are allocated here (the seed fills an empty world), so children can refer to
    parents without a round trip; ``flush`` converts dates for SQLite and JSON for both. This
    is what makes the stress world take minutes: no model instances, no per-value field
    preparation. PostgreSQL sequences are reset afterwards (``sequences_reset``).
    """

    def __init__(self, model: type[Any]) -> None:
        # Generated columns (``GeneratedField``) are the database's to compute, never inserted.
        fields = [f for f in model._meta.concrete_fields if not getattr(f, "generated", False)]
        self.model = model
        self.attnames = [f.attname for f in fields]
        self.index = {name: position for position, name in enumerate(self.attnames)}
        self.template = [None if f.primary_key else f.get_default() for f in fields]
        #: Unique columns with a callable default (a public id's ``uuid4``): a fresh value per
        #: row, never the template's one shared by every row.
        self.fresh = [
            (i, f.default)
            for i, f in enumerate(fields)
            if f.unique and not f.primary_key and callable(f.default)
        ]
        kinds = [f.get_internal_type() for f in fields]
        #: UUID columns (own or referenced): SQLite stores them as 32 hex digits.
        self.uuids = [
            i
            for i, f in enumerate(fields)
            if "UUIDField"
            in (kinds[i], f.target_field.get_internal_type() if f.is_relation else "")
        ]
        self.dates = [i for i, kind in enumerate(kinds) if kind == "DateField"]
        self.datetimes = [i for i, kind in enumerate(kinds) if kind == "DateTimeField"]
        self.json = [i for i, kind in enumerate(kinds) if kind == "JSONField"]
        quote = connection.ops.quote_name
        self.sql = (
            f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608 - names from the models
            f"({', '.join(quote(f.column) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))})"
        )
        self.copy_sql = (
            f"COPY {quote(model._meta.db_table)} "
            f"({', '.join(quote(f.column) for f in fields)}) FROM STDIN"
        )
        self.rows: list[list[Any]] = []
        #: Integer keys are allocated here; other keys (UUIDs) are given with each row.
        self.next_id = (
            (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
            if model._meta.pk.get_internal_type() in ("AutoField", "BigAutoField")
            else 0
        )

    def reserve(self) -> int:
        pk = self.next_id
        self.next_id += 1
        return pk

    def __call__(self, **values: Any) -> int:
        row = list(self.template)
        for column, default in self.fresh:
            row[column] = default()
        pk = values.pop("id", None) or self.reserve()
        row[0] = pk
        index = self.index
        for name, value in values.items():
            position = index.get(name)
            if position is None:  # a relation given as an instance: store its key
                position = index[f"{name}_id"]
                value = None if value is None else value.pk
            row[position] = value
        self.rows.append(row)
        return int(pk)

    def last(self, name: str) -> Any:
        return self.rows[-1][self.index[name]]

    def flush(self, cursor: Any) -> None:
        if not self.rows:
            return
        vendor = connection.vendor
        for row in self.rows:
            for i in self.json:
                row[i] = json.dumps(row[i])
            if vendor == "sqlite":
                for i in self.uuids:
                    if row[i] is not None:
                        row[i] = row[i].hex
                for i in self.dates:
                    if row[i] is not None:
                        row[i] = row[i].isoformat()
                for i in self.datetimes:
                    if row[i] is not None:
                        row[i] = row[i].astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
        if vendor == "postgresql":
            # COPY is several times faster than INSERT for bulk loads on PostgreSQL.
            with cursor.cursor.copy(self.copy_sql) as copy:
                for row in self.rows:
                    copy.write_row(row)
        else:
            cursor.executemany(self.sql, self.rows)
        self.rows = []
