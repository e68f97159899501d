from __future__ import annotations

from django.urls import path

from jointcase.home import views

app_name = "home"

urlpatterns = [
    path("", views.home, name="home"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("privacy/", views.privacy, name="privacy"),
    path("health/", views.health, name="health"),
]
