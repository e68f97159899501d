from __future__ import annotations

from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "jointcase.agencies"
    label = "agencies"
    default_auto_field = "django.db.models.BigAutoField"
