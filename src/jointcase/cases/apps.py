from __future__ import annotations

from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "jointcase.cases"
    label = "cases"
    default_auto_field = "django.db.models.BigAutoField"
