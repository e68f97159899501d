"""Static assets and the security headers Django does not set itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from whitenoise.middleware import WhiteNoiseMiddleware

from jointcase.home.marking import CURRENT_MARKING, marking_for_request


class StaticAssetsMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise, plus GOV.UK and MoJ Frontend's own /assets/ (fonts and images).

    Building WhiteNoise's file table walks every static file (thousands, with finders on
    outside production). Django builds the middleware chain for every test client, so the
    table is built once per process and settings and then shared (it is never changed after
    start-up: autorefresh is off).
    """

    _file_tables: ClassVar[dict[tuple[str, ...], dict[str, Any]]] = {}

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse] | None = None) -> None:
        key = (
            str(settings.STATIC_ROOT),
            str(settings.STATIC_URL),
            str(getattr(settings, "WHITENOISE_USE_FINDERS", settings.DEBUG)),
            repr(settings.STATICFILES_DIRS),
            repr(settings.FRONTEND_ASSET_DIRS),
        )
        cached = self._file_tables.get(key)
        self._reuse_table = cached is not None
        super().__init__(get_response)
        if cached is not None:
            self.files = cached
            return
        for directory in settings.FRONTEND_ASSET_DIRS:
            if directory.is_dir():
                self.add_files(str(directory), prefix="assets/")
        self._file_tables[key] = self.files

    def add_files(self, root: str, prefix: str | None = None) -> None:
        if not self._reuse_table:
            super().add_files(root, prefix)

    def add_files_from_finders(self) -> None:
        if not self._reuse_table:
            super().add_files_from_finders()


class SecurityHeadersMiddleware:
    """Headers for every response: no caching of protected pages, a strict permissions policy.

    It also makes the request's page marking the current one while the view runs (see
    ``jointcase.home.marking``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = CURRENT_MARKING.set(marking_for_request(request))
        try:
            response = self.get_response(request)
        finally:
            CURRENT_MARKING.reset(token)
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
