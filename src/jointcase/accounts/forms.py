from __future__ import annotations

from django import forms

from jointcase.lib.forms import JointCaseForm


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
    code = forms.CharField(
        label="Security code",
        max_length=40,
        help_text="The 6-digit code from your authenticator app, or one of your backup codes",
        error_messages={"required": "Enter the security code from your authenticator app"},
    )


class TotpSetupForm(JointCaseForm):
    code = forms.CharField(
        label="Security code",
        max_length=10,
        help_text="Enter the 6-digit code your authenticator app shows for JointCase",
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError("Enter the security code as 6 digits, like 123456")
        return code


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
    days = forms.IntegerField(
        label="Days until it expires",
        help_text="Every token expires. Ask for the shortest time you need",
        error_messages={
            "required": "Enter the number of days until the token expires",
            "invalid": "Enter the number of days as a whole number, like 90",
        },
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        from django.conf import settings

        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.maximum_days = int(settings.JOINTCASE_API_TOKEN_MAX_DAYS)
        self.fields["days"].initial = int(settings.JOINTCASE_API_TOKEN_DAYS)

    def clean_days(self) -> int:
        days = int(self.cleaned_data["days"])
        if not 1 <= days <= self.maximum_days:
            raise forms.ValidationError(
                f"The number of days must be between 1 and {self.maximum_days}"
            )
        return days


class EnrolmentForm(JointCaseForm):
    """Set one's own password and confirm one's own authenticator app, with an enrolment link."""

    password = forms.CharField(
        label="Create a password",
        strip=False,
        max_length=1024,
        help_text="At least 12 characters. Do not use a password you use anywhere else",
        error_messages={"required": "Enter a password"},
    )
    password_confirm = forms.CharField(
        label="Confirm your password",
        strip=False,
        max_length=1024,
        error_messages={"required": "Confirm your password"},
    )
    code = forms.CharField(
        label="Security code",
        max_length=10,
        help_text="Enter the 6-digit code your authenticator app shows for JointCase",
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError("Enter the security code as 6 digits, like 123456")
        return code

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        password, confirm = data.get("password"), data.get("password_confirm")
        if password and confirm and password != confirm:
            self.add_error("password_confirm", "The passwords do not match")
        return data


class PasswordChangeForm(JointCaseForm):
    current_password = forms.CharField(
        label="Current password",
        strip=False,
        max_length=1024,
        error_messages={"required": "Enter your current password"},
    )
    new_password = forms.CharField(
        label="New password",
        strip=False,
        max_length=1024,
        help_text="At least 12 characters. Do not use a password you use anywhere else",
        error_messages={"required": "Enter a new password"},
    )
    new_password_confirm = forms.CharField(
        label="Confirm new password",
        strip=False,
        max_length=1024,
        error_messages={"required": "Confirm your new password"},
    )
    code = forms.CharField(
        label="Security code",
        max_length=40,
        help_text="The 6-digit code from your authenticator app, or one of your backup codes",
        error_messages={"required": "Enter the security code from your authenticator app"},
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        password, confirm = data.get("new_password"), data.get("new_password_confirm")
        if password and confirm and password != confirm:
            self.add_error("new_password_confirm", "The passwords do not match")
        return data
