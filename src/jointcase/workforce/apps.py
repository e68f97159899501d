from __future__ import annotations

from django.apps import AppConfig


class WorkforceConfig(AppConfig):
    name = "jointcase.workforce"
    label = "workforce"
    verbose_name = "Caseloads, allocation and prison training"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Load and validate the caseload weights file and the prison training course
        catalogue (a bad file stops start-up naming the file, line and field), and connect the
        receivers that keep the stored caseload figures current. Imported here: models are not
        ready at module import time."""
        from jointcase.workforce import receivers  # noqa: PLC0415 - ready(): app registry
        from jointcase.workforce.courses import courses_current  # noqa: PLC0415 - ready(): app registry
        from jointcase.workforce.weights import weights_current  # noqa: PLC0415 - ready(): app registry

        weights_current()
        courses_current()
        receivers.connect()
