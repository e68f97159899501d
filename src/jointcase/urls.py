"""Every route of JointCase. The security matrix (tests/security) walks this resolver."""

from __future__ import annotations

from django.urls import include, path

from jointcase.admin import admin_site
from jointcase.api import api

urlpatterns = [
    path("", include("jointcase.accounts.urls")),
    path("", include("jointcase.home.urls")),
    path("agencies/", include("jointcase.agencies.urls")),
    path("audit/", include("jointcase.audit.urls")),
    path("people/", include("jointcase.people.urls")),
    path("cases/", include("jointcase.cases.urls")),
    path("", include("jointcase.material.urls")),
    path("", include("jointcase.notifications.urls")),
    path("meetings/", include("jointcase.meetings.urls")),
    path("", include("jointcase.risk.urls")),
    path("", include("jointcase.supervision.urls")),
    path("", include("jointcase.exchange.urls")),
    path("", include("jointcase.workforce.urls")),
    path("api/v1/", api.urls),
    path("webauthn/", include("jointcase.accounts.webauthn_urls", namespace="otp_webauthn")),
    path("admin/", admin_site.urls),
]

handler400 = "jointcase.home.views.bad_request"
handler403 = "jointcase.home.views.permission_denied"
handler404 = "jointcase.home.views.page_not_found"
handler500 = "jointcase.home.views.server_error"
