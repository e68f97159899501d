"""Opaque identifiers for meetings, invitations and agreed actions (their URLs and API ids), step 1 of 3:
the column, nullable. Step 2 gives every existing row its own uuid4; step 3 makes it unique and
non-null (three migrations, so PostgreSQL never alters a table with pending row updates)."""

from __future__ import annotations

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0003_section_other_agency_attendees"),
    ]

    operations = [
        migrations.AddField(
            model_name="invitation",
            name="public_id",
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.AddField(
            model_name="meeting",
            name="public_id",
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.AddField(
            model_name="agreedaction",
            name="public_id",
            field=models.UUIDField(null=True, editable=False),
        ),
    ]
