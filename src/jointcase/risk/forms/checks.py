"""Forms of the required-checks pages. They parse and check shapes only; the services decide
(who may act, what is valid) and their field errors come back onto these forms."""

from __future__ import annotations

from typing import Any

from django import forms

from jointcase.cases.references import CASE_REFERENCE_FORMAT, case_reference_normal
from jointcase.lib.forms import JointCaseForm
from jointcase.people.forms import choice, record_date, text
from jointcase.risk.models.checks import RECORDABLE_CHANGES, CheckOutcome

GROUP_CHOICES = (
    ("type", "Check type"),
    ("family", "Kind of check (domestic abuse, safeguarding...)"),
    ("phase", "Phase"),
    ("team", "Team"),
    ("region", "Region"),
    ("month", "Month due"),
)


class CheckCompleteForm(JointCaseForm):
    requested_on = record_date("Date requested", required=True)
    sent_to = text("Sent to (agency or partner)", max_length=200, required=False)
    received_on = record_date("Date reply received", required=True)
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=CheckOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the outcome of the check",
            "invalid_choice": "Choose the outcome of the check from the list",
        },
    )
    material = forms.MultipleChoiceField(
        label="Linked material (for example the reply held as an item)",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose material items of this case that you can see"},
    )
    notes = forms.CharField(
        label="Notes", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, material: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("material").choices = material


class DueMoveForm(JointCaseForm):
    due_on = record_date("New due date", required=True)
    reason = forms.CharField(
        label="Reason for moving the due date",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the reason for moving the due date"},
    )


class ChangeRecordForm(JointCaseForm):
    kind = choice(
        "Change of circumstance",
        [(str(kind), kind.label) for kind in RECORDABLE_CHANGES],
        blank="Choose the change",
    )
    occurred_on = record_date("Date of the change", required=True)
    description = forms.CharField(
        label="What changed",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Record sensitive detail as a material item with its own label",
    )


class ChecksDueFilterForm(JointCaseForm):
    check_type = forms.ChoiceField(label="Check type", required=False)
    case = text("Case reference", max_length=20, required=False)
    due_by = record_date("Due by")

    def clean_case(self) -> str:
        """A case reference as typed ("jc-1") in its full form ("JC-000001")."""
        typed = str(self.cleaned_data.get("case") or "").strip()
        if not typed:
            return ""
        reference = case_reference_normal(typed)
        if reference is None:
            raise forms.ValidationError(CASE_REFERENCE_FORMAT)
        return reference

    def __init__(self, *args: Any, types: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("check_type").choices = [("", "All types"), *types]
        self.fields["check_type"].error_messages["invalid_choice"] = (
            "Choose the check type from the list"
        )


class ComplianceForm(JointCaseForm):
    start = record_date("From", required=True)
    end = record_date("To", required=True)
    group_by = forms.ChoiceField(
        label="Group by",
        choices=GROUP_CHOICES,
        error_messages={"invalid_choice": "Choose how to group the figures from the list"},
    )
    then_by = forms.ChoiceField(
        label="Then by",
        required=False,
        choices=[("", "Nothing else"), *GROUP_CHOICES],
        error_messages={"invalid_choice": "Choose how to group the figures from the list"},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", "The end of the period must be on or after its start")
        if start and end and (end - start).days > 3 * 366:
            self.add_error("end", "Choose a period of three years or less")
        if cleaned.get("then_by") and cleaned.get("then_by") == cleaned.get("group_by"):
            self.add_error("then_by", "Choose a different second grouping")
        return cleaned
