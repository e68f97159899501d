from __future__ import annotations

from django.urls import path
from django.views.generic import RedirectView

from jointcase.notifications import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.notification_list, name="list"),
    # The old address (notices were material's), kept for bookmarks: it sends on to the list.
    path(
        "material/notifications/",
        RedirectView.as_view(pattern_name="notifications:list", permanent=True),
        name="list-old",
    ),
    path("notifications/<uuid:notification_id>/", views.notification_open, name="open"),
]
