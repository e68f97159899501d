"""Helpers for the material item tests: a SECRET police report with an OFFICIAL-SENSITIVE
tearline on the register's case, as the issue's story tells it."""

from __future__ import annotations

from typing import Any

from jointcase.material.models import MaterialItem
from jointcase.material.services import items as item_services
from jointcase.material.services import tearlines as tearline_services

SECRET_BODY = "Covert source reports travel planning (synthetic)."
TEARLINE_BODY = "Subject may be planning travel abroad (synthetic)."


def secret_report(world: Any, **overrides: Any) -> MaterialItem:
    values: dict[str, Any] = {
        "actor": world.personas.ctnm_officer,
        "case": world.case,
        "kind": "INTELLIGENCE_REPORT",
        "title": "Police intelligence report",
        "classification": "SECRET",
        "caveats": ["UK EYES ONLY"],
        "body": SECRET_BODY,
    }
    values.update(overrides)
    return item_services.material_add(**values)


def approved_tearline(world: Any, parent: MaterialItem, **overrides: Any) -> MaterialItem:
    values: dict[str, Any] = {
        "actor": world.personas.ctnm_officer,
        "parent": parent,
        "title": "Tearline: travel",
        "body": TEARLINE_BODY,
        "classification": "OFFICIAL-SENSITIVE",
    }
    values.update(overrides)
    tearline = tearline_services.tearline_create(**values)
    return tearline_services.tearline_approve(actor=world.personas.ct_supervisor, tearline=tearline)
