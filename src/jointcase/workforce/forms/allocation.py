"""The allocation form: who takes the case, and the reason when it takes them above capacity.
Shapes only; the service decides who may hold the case and when an override is needed."""

from __future__ import annotations

from typing import Any

from django import forms

from jointcase.lib.forms import JointCaseForm


class FirstRadioLabelled(forms.RadioSelect):
    """Radios whose field id is the first radio's (the error summary links to it)."""

    def id_for_label(self, id_: str, index: str | None = None) -> str:
        return id_


class AllocateForm(JointCaseForm):
    candidate = forms.TypedChoiceField(
        label="Allocate to",
        coerce=int,
        widget=FirstRadioLabelled,
        error_messages={
            "required": "Choose who to allocate the case to",
            "invalid_choice": "Choose who to allocate the case to from the list",
        },
    )
    override_reason = forms.CharField(
        label="Reason to allocate above capacity (only if it takes them above capacity)",
        max_length=2000,
        required=False,
        widget=forms.Textarea,
        error_messages={"max_length": "The reason must be 2000 characters or fewer"},
    )

    def __init__(self, *args: Any, people: list[tuple[int, str]], **kwargs: Any) -> None:
        """``people``: everyone the manager manages in the role (the service refuses, with the
        reason, anyone of them who may not hold this case)."""
        super().__init__(*args, **kwargs)
        field = self.fields["candidate"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(str(pk), label) for pk, label in people]


class HandoverTickForm(JointCaseForm):
    """Ticking off one handover action: no fields but the CSRF token."""
