"""Forms of the contacts pages. They parse and check shapes only; the services decide (who may
act, what is valid: a future contact recorded as attended, an enforcement without a reason)
and their field errors come back onto these forms."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from jointcase.access.labels import Classification
from jointcase.agencies.fields import ReleasableToField
from jointcase.agencies.models import Agency
from jointcase.lib.forms import JointCaseForm
from jointcase.people.forms import VersionedForm, choice, record_date
from jointcase.supervision.models import ContactKind, ContactOutcome, Enforcement

_TIME = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")
#: The classifications notes may carry (the service refuses those above system high).
NOTE_CLASSIFICATIONS = [
    (Classification.OFFICIAL, "OFFICIAL"),
    (Classification.OFFICIAL_SENSITIVE, "OFFICIAL-SENSITIVE"),
    (Classification.SECRET, "SECRET"),
]


class TimeField(forms.CharField):
    """A time of day typed as 24-hour HH:MM (for example 14:30)."""

    def __init__(self, label: str, **kwargs: Any) -> None:
        super().__init__(
            label=label,
            required=False,
            max_length=5,
            help_text="24-hour clock, for example 14:30. Leave blank for 9:00",
            error_messages={"max_length": f"Enter the {label.lower()} like 14:30"},
            **kwargs,
        )

    def clean(self, value: Any) -> dt.time:
        text = str(super().clean(value) or "").strip()
        if not text:
            return dt.time(9, 0)
        match = _TIME.match(text)
        if match is None or int(match[1]) > 23 or int(match[2]) > 59:
            raise ValidationError(f"Enter the {str(self.label).lower()} like 14:30")
        return dt.time(int(match[1]), int(match[2]))


def _kind() -> forms.ChoiceField:
    return choice("Kind of contact", ContactKind.choices, blank="Choose the kind of contact")


def _classification() -> forms.ChoiceField:
    field = choice("Classification of the notes", NOTE_CLASSIFICATIONS)
    field.initial = Classification.OFFICIAL_SENSITIVE
    return field


def _notes() -> forms.CharField:
    return forms.CharField(
        label="Notes",
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Readers below the classification see the contact but not these notes",
        error_messages={"max_length": "Notes must be 10,000 characters or fewer"},
    )


def _outcome() -> forms.ChoiceField:
    return choice("Outcome", ContactOutcome.choices, blank="Choose the outcome")


def _enforcement() -> forms.ChoiceField:
    field = choice("Enforcement action", Enforcement.choices)
    field.initial = Enforcement.NONE
    return field


def _reason() -> forms.CharField:
    return forms.CharField(
        label="Reason for the enforcement action",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "The reason must be 2,000 characters or fewer"},
    )


class _LabelChoices(JointCaseForm):
    """Optional caveats and releasability of the notes (as minutes sections allow)."""

    caveats = forms.MultipleChoiceField(
        label="Caveats on the notes",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose caveats from the list"},
    )
    releasable_to = ReleasableToField(
        label="Releasable only to",
        help_text="Leave empty for every agency on the case",
    )

    def __init__(
        self,
        *args: Any,
        caveats: list[tuple[str, str]],
        agencies: QuerySet[Agency],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("caveats").choices = caveats
        releasable = self.fields["releasable_to"]
        assert isinstance(releasable, ReleasableToField)
        releasable.agencies = agencies


class ContactPlanForm(JointCaseForm):
    kind = _kind()
    planned_on = record_date("Date of the appointment", required=True)
    planned_time = TimeField("Time of the appointment")
    classification = _classification()
    notes = _notes()


class ContactRecordForm(_LabelChoices):
    kind = _kind()
    occurred_on = record_date("Date of the contact", required=True)
    occurred_time = TimeField("Time of the contact")
    outcome = _outcome()
    enforcement = _enforcement()
    enforcement_reason = _reason()
    classification = _classification()
    notes = _notes()
    field_order = [
        "kind",
        "occurred_on",
        "occurred_time",
        "outcome",
        "enforcement",
        "enforcement_reason",
        "classification",
        "caveats",
        "releasable_to",
        "notes",
    ]


class ContactOutcomeForm(VersionedForm):
    occurred_on = record_date("Date of the contact", required=True)
    occurred_time = TimeField("Time of the contact")
    outcome = _outcome()
    enforcement = _enforcement()
    enforcement_reason = _reason()
    classification = _classification()
    notes = _notes()


class ContactCancelForm(VersionedForm):
    reason = forms.CharField(
        label="Why is the appointment cancelled?",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Enter why the appointment is cancelled",
            "max_length": "The reason must be 1,000 characters or fewer",
        },
    )
