"""Forms of the prison training pages. They parse and check shapes only; the services decide
(who may record, which course is required, whether a date is allowed) and their field errors
come back onto these forms."""

from __future__ import annotations

from typing import Any

from django import forms

from jointcase.lib.forms import GovukDateField, JointCaseForm
from jointcase.workforce.models.training import CONFIDENCE_MAX, CONFIDENCE_MIN

SCORES = [(str(score), str(score)) for score in range(CONFIDENCE_MIN, CONFIDENCE_MAX + 1)]


class CompletionForm(JointCaseForm):
    staff = forms.ChoiceField(
        label="Member of staff",
        error_messages={
            "required": "Choose the member of staff",
            "invalid_choice": "Choose a member of staff of your establishment",
        },
    )
    course = forms.ChoiceField(
        label="Course",
        error_messages={
            "required": "Choose the course",
            "invalid_choice": "Choose a course from the list",
        },
    )
    completed_on = GovukDateField(
        label="Date completed",
        what="the date the course was completed",
        years=(2000, 2200),
        help_text="For example, 27 3 2026",
    )
    evidence_note = forms.CharField(
        label="Evidence (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, the certificate reference or who delivered the course",
        error_messages={"max_length": "Evidence must be 2000 characters or fewer"},
    )

    def __init__(
        self,
        *args: Any,
        staff: list[tuple[str, str]],
        courses: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("staff").choices = [("", "Choose the member of staff"), *staff]
        self.choice_field("course").choices = [("", "Choose the course"), *courses]


def _score(label: str, what: str) -> forms.TypedChoiceField:
    message = f"Choose how confident you are to {what}, from 1 to 5"
    return forms.TypedChoiceField(
        label=label,
        choices=SCORES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": message, "invalid_choice": message},
    )


class ConfidenceForm(JointCaseForm):
    recognise = _score(
        "How confident are you to recognise extremist behaviour?",
        "recognise extremist behaviour",
    )
    challenge = _score(
        "How confident are you to challenge extremist behaviour?",
        "challenge extremist behaviour",
    )


class DayForm(JointCaseForm):
    on = GovukDateField(
        label="Figures on",
        what="the day to show the figures for",
        years=(2000, 2200),
        required=False,
        help_text="Leave empty for today",
    )
