from __future__ import annotations

from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "jointcase.exchange"
    label = "exchange"
    verbose_name = "Exchange with partner systems"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Load and validate the partner sources file (a bad file stops start-up naming the
        file, line and field), and listen for the events partners may subscribe to."""
        from jointcase.exchange.sources import sources_current  # noqa: PLC0415 - ready(): app registry
        from jointcase.exchange.webhooks.receivers import receivers_connect  # noqa: PLC0415 - ready(): app registry

        sources_current()
        receivers_connect()
