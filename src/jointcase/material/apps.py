from __future__ import annotations

from django.apps import AppConfig


class MaterialConfig(AppConfig):
    name = "jointcase.material"
    label = "material"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from jointcase.material import signals  # noqa: PLC0415 - ready(): app registry

        signals.connect()
