from __future__ import annotations

from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "jointcase.exchange"
    label = "exchange"
    verbose_name = "Exchange with partner systems"
    default_auto_field = "django.db.models.BigAutoField"
