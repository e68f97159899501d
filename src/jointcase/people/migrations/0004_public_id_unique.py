"""Step 3 of 3: ``public_id`` is unique and required; new rows get a uuid4 by default."""

from __future__ import annotations

import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("people", "0003_public_id_fill")]

    operations = [
        migrations.AlterField(
            model_name="person",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
