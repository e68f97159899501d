"""Pages of the workforce app: caseloads and capacity, allocation, prison training and POM
involvement."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

app_name = "workforce"

urlpatterns: list[URLPattern | URLResolver] = []
