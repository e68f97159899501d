from __future__ import annotations

from django.urls import path

from jointcase.notifications import views

app_name = "notifications"

urlpatterns = [
    # The path predates this app (notices were material's): kept for bookmarks and links.
    path("material/notifications/", views.notification_list, name="list"),
]
