"""Opaque identifiers, step 2 of 3: a fresh uuid4 for every existing meeting, invitation
and action; actions agreed at a meeting name it by its new identifier in ``source_id``."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import migrations

BATCH = 2000


def fill_public_ids(apps: Any, schema_editor: Any) -> None:
    for name in ("Meeting", "Invitation", "AgreedAction"):
        model = apps.get_model("meetings", name)
        pending = model.objects.filter(public_id__isnull=True).order_by("pk").only("pk")
        while True:
            rows = list(pending[:BATCH])
            if not rows:
                break
            for row in rows:
                row.public_id = uuid.uuid4()
            model.objects.bulk_update(rows, ["public_id"])


def source_ids_name_meetings_by_public_id(apps: Any, schema_editor: Any) -> None:
    """An action agreed at a meeting recorded the meeting's integer key as its ``source_id``
    (shown in the API): it now records the meeting's opaque identifier instead."""
    action_model = apps.get_model("meetings", "AgreedAction")
    meeting_model = apps.get_model("meetings", "Meeting")
    public = dict(meeting_model.objects.values_list("pk", "public_id"))
    changed = []
    rows = action_model.objects.filter(source_kind="MEETING").only("pk", "meeting_id", "source_id")
    for action in rows.iterator(chunk_size=BATCH):
        if action.source_id and action.source_id.isdigit():
            meeting = public.get(int(action.source_id))
            action.source_id = str(meeting) if meeting is not None else ""
            changed.append(action)
        if len(changed) >= BATCH:
            action_model.objects.bulk_update(changed, ["source_id"])
            changed = []
    if changed:
        action_model.objects.bulk_update(changed, ["source_id"])


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0004_public_id_add"),
    ]

    operations = [
        migrations.RunPython(fill_public_ids, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(
            source_ids_name_meetings_by_public_id, migrations.RunPython.noop, elidable=True
        ),
    ]
