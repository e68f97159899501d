from __future__ import annotations

from django.apps import AppConfig


class SeedConfig(AppConfig):
    name = "jointcase.seed"
    label = "seed"
    default_auto_field = "django.db.models.BigAutoField"
