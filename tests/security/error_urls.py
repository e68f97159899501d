"""A URLConf for the error-page tests: every real route, plus views that fail on purpose."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import path

from jointcase.urls import handler400, handler403, handler404, handler500, urlpatterns


def explode(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("secret-detail-that-must-not-leak")


def forbid(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied("secret-detail-that-must-not-leak")


def suspicious(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("secret-detail-that-must-not-leak")


urlpatterns = [
    path("test-errors/500/", explode),
    path("test-errors/403/", forbid),
    path("test-errors/400/", suspicious),
    *urlpatterns,
]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
