"""The notices page (the signed-in user's own notices, newest first) and opening one notice."""

from __future__ import annotations

from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from jointcase.accounts.models import User
from jointcase.notifications.models import Notification
from jointcase.notifications.selectors import notification_get_for, notifications_for
from jointcase.notifications.services import notification_mark_read

#: The most notices one page lists.
PAGE_SIZE = 100


@require_http_methods(["GET"])
def notification_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    return render(
        request,
        "notifications/list.html",
        {
            "title": "Notifications",
            "notifications": list(notifications_for(user=user)[:PAGE_SIZE]),
        },
    )


@require_http_methods(["GET"])
def notification_open(request: HttpRequest, notification_id: UUID) -> HttpResponse:
    """Open a notice: mark it read and go to what it is about.

    A GET, like following a link in an e-mail: opening is what marks a notice read, and the
    only change is the reader's own read flag. Someone else's notice is a 404, as a missing one.
    The link was checked when the notice was written (a plain path on this site); it is checked
    again here so that a redirect never leaves the site.
    """
    user = request.user
    assert isinstance(user, User)
    try:
        notification = notification_get_for(user=user, notification_id=notification_id)
    except Notification.DoesNotExist as missing:
        raise Http404("No such notification") from missing
    notification_mark_read(notification=notification)
    target = notification.link
    if not target or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("notifications:list")
    return HttpResponseRedirect(target)
