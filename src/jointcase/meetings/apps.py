from __future__ import annotations

from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "jointcase.meetings"
    label = "meetings"
    verbose_name = "Meetings and agreed actions"
    default_auto_field = "django.db.models.BigAutoField"
