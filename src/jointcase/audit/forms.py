from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from jointcase.audit.labels import RECORD_LABELS
from jointcase.audit.purpose import OBJECT_ID_PATTERN, Purpose
from jointcase.audit.selectors import audit_case_by_reference, audit_people_by_identifier
from jointcase.cases.references import CASE_REFERENCE_FORMAT, case_reference_normal
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
    object_type = forms.ChoiceField(
        label="Kind of record",
        choices=[
            ("", "Choose a kind of record"),
            *sorted(RECORD_LABELS.items(), key=lambda item: item[1]),
        ],
        error_messages={
            "required": "Choose the kind of record",
            "invalid_choice": "Choose the kind of record from the list",
        },
    )
    object_id = forms.CharField(
        label="Record ID",
        max_length=64,
        error_messages={"required": "Enter the record ID"},
    )

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


class AuditSearchForm(JointCaseForm):
    """Search the log by case, person, user and period: every filter given must match.

    The case reference and the person's identifier are looked up here (an auditor's look-up,
    no access decision: the auditor sees the whole log); an unknown one is a field error."""

    case_reference = forms.CharField(
        label="Case reference",
        required=False,
        max_length=20,
        help_text="For example, JC-000001",
    )
    person = forms.CharField(
        label="Person's identifier",
        required=False,
        max_length=40,
        help_text="A CRN, prison number or PNC ID, for example X123456",
    )
    username = forms.CharField(label="Username", required=False, max_length=150)
    date_from = GovukDateField(
        label="From", years=AUDIT_YEARS, required=False, help_text="For example, 1 11 2026"
    )
    date_to = GovukDateField(
        label="To", years=AUDIT_YEARS, required=False, help_text="Included, for example 30 11 2026"
    )

    def clean_case_reference(self) -> Any:

        text = self.cleaned_data["case_reference"].strip()
        if not text:
            return None
        reference = case_reference_normal(text)
        if reference is None:
            raise forms.ValidationError(CASE_REFERENCE_FORMAT)
        case = audit_case_by_reference(reference)
        if case is None:
            raise forms.ValidationError(f"There is no case with the reference {reference}")
        return case

    def clean_person(self) -> Any:

        text = self.cleaned_data["person"].strip()
        if not text:
            return None
        people = audit_people_by_identifier(text)
        if not people:
            raise forms.ValidationError(f"There is no person with the identifier {text}")
        if len(people) > 1:
            raise forms.ValidationError(
                f"More than one person has the identifier {text}: search by case reference"
            )
        return people[0]

    def clean_username(self) -> str:
        return str(self.cleaned_data["username"]).strip()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
            self.add_error("date_to", "The end date must be the same as or after the start date")
        given = [cleaned.get(name) for name in self.fields]
        if not self.errors and not any(given):
            self.add_error(
                "case_reference",
                "Enter a case reference, a person's identifier, a username or a period",
            )
        return cleaned

    def query(self) -> dict[str, str]:
        """What the search asked, as the audit entry of the search records it."""
        data = self.cleaned_data
        asked = {
            "case": data["case_reference"].reference if data.get("case_reference") else "",
            "person": self.data.get("person", "").strip() if data.get("person") else "",
            "username": data.get("username") or "",
            "date_from": data["date_from"].isoformat() if data.get("date_from") else "",
            "date_to": data["date_to"].isoformat() if data.get("date_to") else "",
        }
        return {key: value for key, value in asked.items() if value}
