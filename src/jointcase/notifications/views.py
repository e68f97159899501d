"""The notices page: the signed-in user's own notices, newest first."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from jointcase.accounts.models import User
from jointcase.notifications.selectors import notifications_for

#: The most notices one page lists.
PAGE_SIZE = 100


@require_http_methods(["GET"])
def notification_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    return render(
        request,
        "notifications/list.html",
        {"notifications": list(notifications_for(user=user)[:PAGE_SIZE])},
    )
