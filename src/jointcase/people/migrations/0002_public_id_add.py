"""An opaque identifier (``public_id``) for every person, step 1 of 3 (the Django way for a
unique field on existing rows): a nullable column; 0003 gives each row its own uuid4; 0004
makes it unique and required. Separate migrations, so PostgreSQL never alters a table with
pending row updates in the same transaction."""

from __future__ import annotations

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="person",
            name="public_id",
            field=models.UUIDField(null=True, editable=False),
        ),
    ]
