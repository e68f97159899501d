"""Notices get a ``public_id`` (their name in URLs) and an index for the header's unread count.

The usual three steps for a unique column on a table that may hold rows: add it nullable, give
each row its own UUID, then make it unique and required.
"""

import uuid

from django.db import migrations, models


def give_each_notice_an_id(apps, schema_editor):
    notification = apps.get_model("notifications", "Notification")
    rows = list(notification.objects.filter(public_id__isnull=True).only("pk"))
    for row in rows:
        row.public_id = uuid.uuid4()
    notification.objects.bulk_update(rows, ["public_id"], batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="public_id",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(give_each_notice_an_id, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="notification",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                condition=models.Q(("read_at__isnull", True)),
                fields=["recipient"],
                name="notification_unread_idx",
            ),
        ),
    ]
