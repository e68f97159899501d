"""The seed's bulk writer (``jointcase.seed.bulk.Table``): rows written without model instances
read back through the ORM exactly as written, on SQLite (``executemany``) and PostgreSQL
(``COPY``), for integer keys it allocates and UUID keys it is given."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.utils import timezone

from jointcase.agencies.models import Caveat
from jointcase.material.models import DataKey
from jointcase.seed.bulk import Table

pytestmark = pytest.mark.django_db


def test_uuid_keys_binary_and_datetimes_read_back_as_written():
    table = Table(DataKey)
    key_id = uuid.uuid4()
    created = timezone.now().replace(microsecond=0) - dt.timedelta(days=3)
    table(
        id=key_id,
        wrapped_key=b"\x00\x01wrapped\xff" * 4,
        kek_classification="SECRET",
        kek_version=2,
        created_at=created,
    )
    with connection.cursor() as cursor:
        table.flush(cursor)
    stored = DataKey.objects.get(pk=key_id)
    assert bytes(stored.wrapped_key) == b"\x00\x01wrapped\xff" * 4
    assert (stored.kek_classification, stored.kek_version) == ("SECRET", 2)
    assert stored.created_at == created
    assert stored.destroyed_at is None
    assert not table.rows  # flushed


def test_integer_keys_continue_after_the_rows_already_stored():
    before = Caveat.objects.create(code="BULK-0", name="existing")
    table = Table(Caveat)
    first = table(code="BULK-1", name="first")
    second = table(code="BULK-2", name="second", description="kept")
    assert (first, second) == (before.pk + 1, before.pk + 2)
    with connection.cursor() as cursor:
        table.flush(cursor)
    rows = dict(Caveat.objects.filter(code__startswith="BULK").values_list("code", "pk"))
    assert rows == {"BULK-0": before.pk, "BULK-1": first, "BULK-2": second}
    assert Caveat.objects.get(pk=second).description == "kept"
    assert Caveat.objects.get(pk=first).is_active  # the model's default filled in
