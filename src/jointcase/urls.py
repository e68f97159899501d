"""Every route of JointCase. The security matrix (tests/security) walks this resolver."""

from __future__ import annotations

from django.urls import include, path

from jointcase.admin import admin_site

urlpatterns = [
    path("", include("jointcase.accounts.urls")),
    path("", include("jointcase.home.urls")),
    path("webauthn/", include("django_otp_webauthn.urls", namespace="otp_webauthn")),
    path("admin/", admin_site.urls),
]

handler400 = "jointcase.home.views.bad_request"
handler403 = "jointcase.home.views.permission_denied"
handler404 = "jointcase.home.views.page_not_found"
handler500 = "jointcase.home.views.server_error"
