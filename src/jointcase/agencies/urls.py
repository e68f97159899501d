from __future__ import annotations

from django.urls import URLPattern, URLResolver

app_name = "agencies"

urlpatterns: list[URLPattern | URLResolver] = []
