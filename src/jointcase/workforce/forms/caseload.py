"""The capacity form: contracted hours and the reduction for other duties, as percentages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from jointcase.lib.forms import GovukDateField, JointCaseForm


def _percent(label: str, low: int, high: int) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=low,
        max_value=high,
        error_messages={
            "required": f"Enter the {label.lower()}",
            "invalid": f"{label} must be a whole number",
            "min_value": f"{label} must be {low} or more",
            "max_value": f"{label} must be {high} or less",
        },
    )


class CapacityForm(JointCaseForm):
    hours_percent = _percent("Contracted hours, as a percentage of full time", 5, 100)
    reduction_percent = _percent("Reduction for other duties, as a percentage", 0, 95)
    other_duties = forms.CharField(
        label="Other duties (for example a lead role or training)",
        max_length=200,
        required=False,
        error_messages={"max_length": "Other duties must be 200 characters or fewer"},
    )
    effective_from = GovukDateField(label="Effective from", years=(2000, 2200))

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "hours_fraction": Decimal(data["hours_percent"]) / 100,
            "other_duties_reduction": Decimal(data["reduction_percent"]) / 100,
            "other_duties": data["other_duties"] or "",
            "effective_from": data["effective_from"],
        }
