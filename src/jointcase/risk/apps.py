from __future__ import annotations

from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "jointcase.risk"
    label = "risk"
    verbose_name = "Risk assessments and checks"
    default_auto_field = "django.db.models.BigAutoField"
