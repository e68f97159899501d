from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from jointcase.audit.purpose import OBJECT_ID_PATTERN, OBJECT_TYPE_PATTERN, Purpose
from jointcase.lib.forms import GovukDateField, JointCaseForm

#: The years a report may ask about: the log cannot hold anything earlier, and a slip of the
#: keyboard (1026 for 2026) is a field error rather than an empty report.
AUDIT_YEARS = (2000, 2100)


class PurposeForm(JointCaseForm):
    purpose = forms.ChoiceField(
        label="Why are you opening this record?",
        choices=Purpose.choices,
        error_messages={"required": "Select why you are opening this record"},
    )
    reason = forms.CharField(
        label="Reason for break-glass access",
        required=False,
        max_length=1000,
        help_text="Your supervisor and the case lead will see this reason",
        error_messages={"max_length": "Reason must be 1000 characters or fewer"},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("purpose") == Purpose.BREAK_GLASS and not cleaned.get("reason", "").strip():
            self.add_error("reason", "Enter the reason you need break-glass access")
        if cleaned.get("purpose") != Purpose.BREAK_GLASS:
            cleaned["reason"] = ""
        return cleaned


class ObjectReportForm(JointCaseForm):
    object_type = forms.CharField(
        label="Type of record",
        max_length=60,
        help_text="For example, case, person, material.item",
        error_messages={"required": "Enter the type of record"},
    )
    object_id = forms.CharField(
        label="Record ID",
        max_length=64,
        error_messages={"required": "Enter the record ID"},
    )

    def clean_object_type(self) -> str:
        value = self.cleaned_data["object_type"].strip().lower()
        if not OBJECT_TYPE_PATTERN.match(value):
            raise forms.ValidationError("Enter a type of record like case or material.item")
        return value

    def clean_object_id(self) -> str:
        value = self.cleaned_data["object_id"].strip()
        if not OBJECT_ID_PATTERN.match(value):
            raise forms.ValidationError("Enter the record ID using letters, numbers and hyphens")
        return value


class UserReportForm(JointCaseForm):
    username = forms.CharField(
        label="Username",
        max_length=150,
        error_messages={"required": "Enter the username"},
    )
    date_from = GovukDateField(
        label="Start date", years=AUDIT_YEARS, help_text="For example, 1 11 2026"
    )
    date_to = GovukDateField(
        label="End date",
        years=AUDIT_YEARS,
        help_text="Included in the report, for example 30 11 2026",
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
            self.add_error("date_to", "The end date must be the same as or after the start date")
        return cleaned
