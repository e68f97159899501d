from __future__ import annotations

from django.apps import AppConfig


class WorkforceConfig(AppConfig):
    name = "jointcase.workforce"
    label = "workforce"
    verbose_name = "Caseloads, allocation and prison training"
    default_auto_field = "django.db.models.BigAutoField"
