"""Forms of the import pages. They parse and check shapes only; the services decide (which
source, whether the file is an extract, whether a corrected row is valid) and their field
errors come back onto these forms."""

from __future__ import annotations

from typing import Any

from django import forms

from jointcase.exchange.records import LABELS, MAX_LENGTHS
from jointcase.exchange.services.quarantine import CORRECTABLE_FIELDS
from jointcase.lib.forms import JointCaseForm


class UploadForm(JointCaseForm):
    source = forms.ChoiceField(
        label="Source",
        error_messages={
            "required": "Choose the system the extract comes from",
            "invalid_choice": "Choose a source from the list",
        },
    )
    file = forms.FileField(
        label="Extract",
        error_messages={
            "required": "Choose the extract to upload",
            "empty": "The file is empty",
        },
    )

    def __init__(self, *args: Any, sources: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [("", "Choose the source"), *sources]  # type: ignore[attr-defined]


class CorrectionForm(JointCaseForm):
    """Every field of a person record, as text; the record's rules are the service's."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in CORRECTABLE_FIELDS:
            limit = MAX_LENGTHS.get(name, 100)
            self.fields[name] = forms.CharField(
                label=LABELS[name],
                required=False,
                max_length=limit,
                error_messages={
                    "max_length": f"{LABELS[name]} must be {limit} characters or fewer"
                },
            )


class DismissForm(JointCaseForm):
    reason = forms.CharField(
        label="Why is the row dismissed?",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, the partner has sent the record again corrected",
        error_messages={
            "required": "Enter why the row is dismissed",
            "max_length": "The reason must be 500 characters or fewer",
        },
    )
