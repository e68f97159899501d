from __future__ import annotations

from django.urls import path

from jointcase.accounts import views

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-in/problems/", views.recovery, name="recovery"),
    path("second-factor/", views.second_factor, name="second-factor"),
    path("second-factor/authenticator-app/", views.totp_setup, name="totp-setup"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("account/", views.security, name="security"),
    path("account/sign-out-everywhere/", views.sign_out_everywhere, name="sign-out-everywhere"),
    path(
        "account/second-factors/<str:kind>/<int:device_id>/remove/",
        views.device_remove,
        name="device-remove",
    ),
    path("account/backup-codes/", views.backup_codes, name="backup-codes"),
    path("account/api-tokens/new/", views.api_token_new, name="api-token-new"),
    path(
        "account/api-tokens/<int:token_id>/revoke/",
        views.api_token_revoke_view,
        name="api-token-revoke",
    ),
]
