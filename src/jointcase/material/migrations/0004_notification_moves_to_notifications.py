"""Notification now belongs to the ``notifications`` app (see its ``0001_initial``).

Only the state changes: the table ``material_notification`` and its rows stay, owned from now on
by ``notifications.Notification`` (which names it in ``db_table``).
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("material", "0003_label_summary_and_retention"),
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Notification")],
            database_operations=[],
        ),
    ]
