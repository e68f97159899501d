"""Reads of notices: a user sees their own, and nobody else's."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from jointcase.notifications.models import Notification

if TYPE_CHECKING:
    from jointcase.accounts.models import User


def notifications_for(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")
