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
