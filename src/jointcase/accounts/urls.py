from __future__ import annotations

from django.urls import path

from jointcase.accounts import views
from jointcase.lib import converters  # noqa: F401  (registers <id:...>)

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-in/problems/", views.recovery, name="recovery"),
    path("sign-in/enrol/<str:secret>/", views.enrol, name="enrol"),
    path("second-factor/", views.second_factor, name="second-factor"),
    path("second-factor/authenticator-app/", views.totp_setup, name="totp-setup"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("account/", views.security, name="security"),
    path("account/sign-out-everywhere/", views.sign_out_everywhere, name="sign-out-everywhere"),
    path(
        "account/second-factors/<str:kind>/<id:device_id>/remove/",
        views.device_remove,
        name="device-remove",
    ),
    path("account/password/", views.password_change, name="password-change"),
    path("account/backup-codes/", views.backup_codes, name="backup-codes"),
    path("account/api-tokens/new/", views.api_token_new, name="api-token-new"),
    path(
        "account/api-tokens/<id:token_id>/revoke/",
        views.api_token_revoke_view,
        name="api-token-revoke",
    ),
]
