from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from jointcase.audit import views

app_name = "audit"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("purpose/", views.purpose, name="purpose"),
    path("search/", views.search, name="search"),
    path("search/export.csv", views.search_export, name="search-export"),
    path("who-accessed/", views.object_report, name="object-report"),
    path("who-accessed/export.csv", views.object_export, name="object-export"),
    path("user-activity/", views.user_report, name="user-report"),
    path("user-activity/export.csv", views.user_export, name="user-export"),
    path("break-glass/", views.breakglass_queue, name="breakglass"),
    path("break-glass/export.csv", views.breakglass_export, name="breakglass-export"),
]
