from __future__ import annotations

from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "jointcase.supervision"
    label = "supervision"
    verbose_name = "Supervision contacts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Load and validate the contact standards file: an unknown phase, RoSH level, MAPPA
        level or contact kind stops start-up naming the file, line and field; and connect the
        receivers that keep the stored standings current. Imported here: models are not ready
        at module import time."""
        from jointcase.supervision import receivers  # noqa: PLC0415 - ready(): app registry
        from jointcase.supervision.standards import standards_current  # noqa: PLC0415 - ready(): app registry

        standards_current()
        receivers.connect()
