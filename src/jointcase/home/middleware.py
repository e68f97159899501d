"""Static assets and the security headers Django does not set itself."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from whitenoise.middleware import WhiteNoiseMiddleware


class StaticAssetsMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise, plus GOV.UK and MoJ Frontend's own /assets/ (fonts and images)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse] | None = None) -> None:
        super().__init__(get_response)
        for directory in settings.FRONTEND_ASSET_DIRS:
            if directory.is_dir():
                self.add_files(str(directory), prefix="assets/")


class SecurityHeadersMiddleware:
    """Headers for every response: no caching of protected pages, a strict permissions policy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
        )
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if not request.path.startswith(("/static/", "/assets/")):
            # Protected content must not linger in shared or browser caches (back button after
            # sign-out, a shared machine).
            response.headers["Cache-Control"] = "no-store"
            response.headers.setdefault("Pragma", "no-cache")
        return response
