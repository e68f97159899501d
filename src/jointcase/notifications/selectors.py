"""Reads of notices: a user sees their own, and nobody else's."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from django.db.models import QuerySet

from jointcase.notifications.models import Notification

if TYPE_CHECKING:
    from jointcase.accounts.models import User


def notifications_for(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def unread_count_for(*, user: User) -> int:
    """How many of ``user``'s notices are unread: the count the header shows on every page."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_get_for(*, user: User, notification_id: UUID) -> Notification:
    """``user``'s own notice ``notification_id``; ``Notification.DoesNotExist`` for a missing
    notice and for anyone else's alike (someone else's notice is not found, never forbidden)."""
    return Notification.objects.get(recipient=user, public_id=notification_id)
