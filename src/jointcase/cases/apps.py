from __future__ import annotations

from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "jointcase.cases"
    label = "cases"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Policy data is validated at start-up: a malformed catalogue stops the service with a
        # message naming the bad entry instead of failing on a user's request later.
        from jointcase.cases.conditions import catalogue  # noqa: PLC0415 - ready(): app registry

        catalogue()
