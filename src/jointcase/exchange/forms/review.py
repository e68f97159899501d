"""Forms of the linkage review: a decision on a pair (link or keep apart, with a reason) and
unlinking a linked record (with a reason)."""

from __future__ import annotations

from django import forms

from jointcase.lib.forms import JointCaseForm

DECISIONS = [
    ("link", "Link: they are the same person"),
    ("keep_apart", "Keep apart: they are different people"),
]


def _reason(label: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Enter the reason for your decision",
            "max_length": "The reason must be 500 characters or fewer",
        },
    )


class DecisionForm(JointCaseForm):
    candidate = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={"required": "Choose one of the people this record may be"},
    )
    decision = forms.ChoiceField(
        label="Are they the same person?",
        choices=DECISIONS,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose whether to link the record or keep them apart",
            "invalid_choice": "Choose whether to link the record or keep them apart",
        },
    )
    reason = _reason("Why?")


class UnlinkForm(JointCaseForm):
    reason = _reason("Why is the link wrong?")
