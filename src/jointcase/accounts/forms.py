from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from jointcase.access.accounts import TOKEN_SCOPES
from jointcase.access.labels import Classification
from jointcase.lib.forms import JointCaseForm

LENGTH_AND_REUSE_HINT = "At least 12 characters. Do not use a password you use anywhere else"


def _password(label: str, required: str, *, help_text: str = "") -> forms.CharField:
    """A password as typed: never stripped (spaces count), and never echoed back."""
    return forms.CharField(
        label=label,
        strip=False,
        max_length=1024,
        help_text=help_text,
        error_messages={"required": required},
    )


def _security_code() -> forms.CharField:
    """The code that proves the second factor: six digits or one of the backup codes."""
    return forms.CharField(
        label="Security code",
        max_length=40,
        help_text="The 6-digit code from your authenticator app, or one of your backup codes",
        error_messages={"required": "Enter the security code from your authenticator app"},
    )


def _new_authenticator_code() -> forms.CharField:
    """The first code of an authenticator app being set up: only six digits prove it works
    (a backup code would not), so the form checks the shape before the service checks it."""
    return forms.CharField(
        label="Security code",
        max_length=10,
        help_text="Enter the 6-digit code your authenticator app shows for JointCase",
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
    )


class _NewAuthenticatorCodeForm(JointCaseForm):
    """A form whose ``code`` confirms a newly set-up authenticator app (six digits)."""

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError("Enter the security code as 6 digits, like 123456")
        return code


class _NewPasswordForm(JointCaseForm):
    """A form that sets a password typed twice: the second must match the first.

    ``password_fields`` names the new password and its confirmation, so that the mismatch is
    shown on the confirmation field.
    """

    password_fields: tuple[str, str] = ("password", "password_confirm")

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        first, second = self.password_fields
        password, confirm = data.get(first), data.get(second)
        if password and confirm and password != confirm:
            self.add_error(second, "The passwords do not match")
        return data


class SignInForm(JointCaseForm):
    username = forms.CharField(
        label="Username", max_length=150, error_messages={"required": "Enter your username"}
    )
    password = forms.CharField(
        label="Password",
        max_length=1024,
        strip=False,
        error_messages={"required": "Enter your password"},
    )


class SecurityCodeForm(JointCaseForm):
    code = _security_code()


class TotpSetupForm(_NewAuthenticatorCodeForm):
    code = _new_authenticator_code()


class ApiTokenForm(JointCaseForm):
    purpose = forms.ChoiceField(
        label="Purpose of consultation",
        help_text="Every request made with the token records this purpose in the audit log",
        choices=[
            ("case_management", "Case management"),
            ("meeting_preparation", "Meeting preparation"),
            ("oversight", "Oversight"),
            ("audit", "Audit"),
        ],
        initial="case_management",
        required=False,  # none chosen: case management (the select always sends one)
        error_messages={
            "invalid_choice": "Select the purpose of consultation from the list",
        },
    )
    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="What the token is for, so that you can tell your tokens apart",
        error_messages={
            "required": "Enter a name for the token",
            "max_length": "The name must be 100 characters or fewer",
        },
    )
    scopes = forms.MultipleChoiceField(
        label="What the token may do",
        help_text="Give it only what the system using it needs. Reading is always limited to "
        "what you may see",
        choices=[],  # the catalogue of jointcase.access.accounts, set in __init__
        initial=["read"],
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one thing the token may do",
            "invalid_choice": "Choose what the token may do from the list",
        },
    )
    ceiling = forms.ChoiceField(
        label="Highest classification it may read or write",
        help_text="A token for a system that needs less than your clearance should have less",
        choices=[("", "Up to my own clearance")]
        + [(value, label) for value, label in Classification.choices],
        required=False,
        error_messages={"invalid_choice": "Select the highest classification from the list"},
    )
    days = forms.IntegerField(
        label="Days until it expires",
        help_text="Every token expires. Ask for the shortest time you need",
        error_messages={
            "required": "Enter the number of days until the token expires",
            "invalid": "Enter the number of days as a whole number, like 90",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.maximum_days = int(settings.JOINTCASE_API_TOKEN_MAX_DAYS)
        self.fields["days"].initial = int(settings.JOINTCASE_API_TOKEN_DAYS)
        self.choice_field("scopes").choices = list(TOKEN_SCOPES.items())

    def clean_days(self) -> int:
        days = int(self.cleaned_data["days"])
        if not 1 <= days <= self.maximum_days:
            raise forms.ValidationError(
                f"The number of days must be between 1 and {self.maximum_days}"
            )
        return days


class EnrolmentForm(_NewPasswordForm, _NewAuthenticatorCodeForm):
    """Set one's own password and confirm one's own authenticator app, with an enrolment link."""

    password = _password("Create a password", "Enter a password", help_text=LENGTH_AND_REUSE_HINT)
    password_confirm = _password("Confirm your password", "Confirm your password")
    code = _new_authenticator_code()


class PasswordChangeForm(_NewPasswordForm):
    password_fields = ("new_password", "new_password_confirm")

    current_password = _password("Current password", "Enter your current password")
    new_password = _password(
        "New password", "Enter a new password", help_text=LENGTH_AND_REUSE_HINT
    )
    new_password_confirm = _password("Confirm new password", "Confirm your new password")
    code = _security_code()
