"""Step 2 of 3: a fresh uuid4 for every existing person (never a shared default)."""

from __future__ import annotations

import uuid

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def fill_public_ids(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    model = apps.get_model("people", "Person")
    missing = model.objects.filter(public_id__isnull=True).values_list("pk", flat=True)
    for pk in missing.iterator():
        model.objects.filter(pk=pk).update(public_id=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("people", "0002_public_id_add")]

    operations = [migrations.RunPython(fill_public_ids, migrations.RunPython.noop)]
