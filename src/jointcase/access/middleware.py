"""How a page answers a refusal, in one place for every app.

A service or selector that refuses raises ``NotPermitted`` after writing the DENY audit entry
(``access.acting.permission_require``). When the refusal is *hidden* (the actor may not know the
object exists) the page must answer exactly as for a missing object, a 404; a visible refusal
goes on to Django's 403 page with its message. The API answers the same two ways through its
exception handler in ``jointcase.api_common``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse

from jointcase.access.acting import NotPermitted


class HiddenRefusalMiddleware:
    """Turn a hidden ``NotPermitted`` raised by any page into the 404 of a missing object."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, NotPermitted) and exception.hidden:
            raise Http404("Not found") from None
        return None
