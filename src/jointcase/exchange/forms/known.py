""" "Known to you?" form: parses and checks shapes only; the rules of the question (a real
date of birth, an identifier in the register's format) are ``services.known.question_clean``'s
and its field errors come back onto this form."""

from __future__ import annotations

from django import forms

from jointcase.exchange.services.known import IDENTIFIER_CHOICES, NAME_MAX
from jointcase.lib.forms import GovukDateField, JointCaseForm


class KnownForm(JointCaseForm):
    given_names = forms.CharField(
        label="Given names",
        max_length=NAME_MAX,
        error_messages={
            "required": "Enter the given names",
            "max_length": f"Given names must be {NAME_MAX} characters or fewer",
        },
    )
    surname = forms.CharField(
        label="Surname",
        max_length=NAME_MAX,
        error_messages={
            "required": "Enter the surname",
            "max_length": f"Surname must be {NAME_MAX} characters or fewer",
        },
    )
    date_of_birth = GovukDateField(
        label="Date of birth", years=(1900, 2200), help_text="For example, 27 3 1985"
    )
    identifier_type = forms.ChoiceField(
        label="Identifier type (optional)",
        required=False,
        choices=[("", "No identifier"), *IDENTIFIER_CHOICES],
        error_messages={"invalid_choice": "Choose an identifier type from the list"},
    )
    identifier_value = forms.CharField(
        label="Identifier (optional)",
        required=False,
        max_length=40,
        error_messages={"max_length": "Identifier must be 40 characters or fewer"},
    )
