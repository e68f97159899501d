from __future__ import annotations

from django import forms


class SignInForm(forms.Form):
    username = forms.CharField(
        label="Username", max_length=150, error_messages={"required": "Enter your username"}
    )
    password = forms.CharField(
        label="Password",
        max_length=1024,
        strip=False,
        error_messages={"required": "Enter your password"},
    )


class SecurityCodeForm(forms.Form):
    code = forms.CharField(
        label="Security code",
        max_length=40,
        help_text="The 6-digit code from your authenticator app, or one of your backup codes",
        error_messages={"required": "Enter the security code from your authenticator app"},
    )


class TotpSetupForm(forms.Form):
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


class ApiTokenForm(forms.Form):
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
