"""Routes for security keys and passkeys, at /webauthn/, under the library's URL namespace.

The library's client configuration reverses these names, so they keep its namespace
(``otp_webauthn``) while pointing at JointCase's wrapped views (``accounts/webauthn.py``).
"""

from __future__ import annotations

from django.urls import path
from django.views.i18n import JavaScriptCatalog

from jointcase.accounts.webauthn import (
    AuthenticationBeginView,
    AuthenticationCompleteView,
    RegistrationBeginView,
    RegistrationCompleteView,
)

app_name = "otp_webauthn"

urlpatterns = [
    path(
        "registration/begin/",
        RegistrationBeginView.as_view(),
        name="credential-registration-begin",
    ),
    path(
        "registration/complete/",
        RegistrationCompleteView.as_view(),
        name="credential-registration-complete",
    ),
    path(
        "authentication/begin/",
        AuthenticationBeginView.as_view(),
        name="credential-authentication-begin",
    ),
    path(
        "authentication/complete/",
        AuthenticationCompleteView.as_view(),
        name="credential-authentication-complete",
    ),
    path(
        "jsi18n/",
        JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]),
        name="js-i18n-catalog",
    ),
]
