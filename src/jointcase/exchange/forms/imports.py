"""Forms of the import pages. They parse and check shapes only; the services decide (which
source, whether the file is an extract, whether a corrected row is valid) and their field
errors come back onto these forms."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms

from jointcase.exchange.records import LABELS, MAX_LENGTHS
from jointcase.exchange.services.quarantine import CORRECTABLE_FIELDS
from jointcase.lib.forms import GovukDateField, JointCaseForm

DATE_FIELD = "date_of_birth"


def date_parts(text: str) -> tuple[str, str, str] | str:
    """A received date of birth as the date input's (day, month, year) boxes, when it splits
    into three numbers (ISO ``1980-02-31`` or ``31/02/1980``), so that the reviewer corrects the
    wrong part; otherwise the text as received (the boxes start empty)."""
    parts = [part for part in re.split(r"[-/. ]+", text.strip()) if part]
    if len(parts) != 3 or not all(part.isdigit() for part in parts):
        return text
    if len(parts[0]) == 4:
        year, month, day = parts
    else:
        day, month, year = parts
    return day, month, year


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
        self.choice_field("source").choices = [("", "Choose the source"), *sources]


class CorrectionForm(JointCaseForm):
    """Every field of a person record: text, and the GOV.UK date input for the date of birth
    (``corrected_fields`` gives it back as ``YYYY-MM-DD``); the record's rules are the
    service's."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        initial = dict(kwargs.pop("initial", None) or {})
        received = str(initial.get(DATE_FIELD, "") or "")
        parts = date_parts(received)
        initial[DATE_FIELD] = parts if isinstance(parts, tuple) else ("", "", "")
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        for name in CORRECTABLE_FIELDS:
            if name == DATE_FIELD:
                self.fields[name] = GovukDateField(
                    label=LABELS[name],
                    years=(1900, dt.date.today().year),
                    required=False,
                    help_text=f"Received as “{received}”" if received else "",
                )
                continue
            limit = MAX_LENGTHS.get(name, 100)
            self.fields[name] = forms.CharField(
                label=LABELS[name],
                required=False,
                max_length=limit,
                error_messages={
                    "max_length": f"{LABELS[name]} must be {limit} characters or fewer"
                },
            )


def corrected_fields(cleaned: dict[str, Any]) -> dict[str, str]:
    """The form's values as the record's text fields (the date as ``YYYY-MM-DD``)."""
    values = dict(cleaned)
    born = values.get(DATE_FIELD)
    values[DATE_FIELD] = born.isoformat() if isinstance(born, dt.date) else ""
    return {name: str(value or "") for name, value in values.items()}


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
