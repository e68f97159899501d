"""Whole-risk assessment and required checks.

Assessments are made from instruments kept as versioned data files (``risk/data/instruments``);
required checks (police domestic abuse call-out, children's and adult social care, MARAC,
MAPPA review...) are created by rules kept as a versioned data file (``risk/data/rules``).
Who may see and do what here is decided in ``jointcase.access`` like every other rule.
"""

from __future__ import annotations

from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "jointcase.risk"
    label = "risk"
    verbose_name = "Risk assessments and checks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Load and validate every instrument file and the required-checks rules (a bad file
        stops start-up naming the file, line and field), and connect the triggers that create
        checks when the register records an event. Imported here: models are not ready at
        module import time."""
        from jointcase.risk import triggers  # noqa: PLC0415 - ready(): app registry
        from jointcase.risk.check_rules import rules_current  # noqa: PLC0415 - ready(): app registry
        from jointcase.risk.instruments import instruments  # noqa: PLC0415 - ready(): app registry

        instruments()
        rules_current()
        triggers.connect()
