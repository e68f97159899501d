"""In-app notices. Written only by ``jointcase.notifications.services.notify``."""

from __future__ import annotations

import uuid

from django.db import models


class Notification(models.Model):
    """An in-app notice to one user: a generic sentence and a link, never protected content.

    The table keeps the name it had when the model lived in ``material`` (moved without copying
    a row: see this app's first migration).
    """

    #: The notice's name in URLs (``/notifications/<public_id>/``): a row number would tell a
    #: user how many notices the service has sent.
    public_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    recipient = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    text = models.CharField(max_length=300)
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "material_notification"
        ordering = ["-created_at", "-id"]
        indexes = [
            # The header's unread count, asked on every page.
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread_idx",
            )
        ]

    def __str__(self) -> str:
        return self.text
