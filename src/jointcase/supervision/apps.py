from __future__ import annotations

from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "jointcase.supervision"
    label = "supervision"
    verbose_name = "Supervision contacts"
    default_auto_field = "django.db.models.BigAutoField"
