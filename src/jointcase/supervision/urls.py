"""Pages of the supervision app: a case's contacts and a practitioner's contacts due."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

app_name = "supervision"

urlpatterns: list[URLPattern | URLResolver] = []
