"""Protective marking of a rendered page.

Every page shows, at its top and bottom, the highest classification displayed on it (OFFICIAL
where nothing more). Templates and views record each labelled thing they show with
``marking_for_request(request).note(level)``; the layout renders the page body first and the
banners after, so the banner always reflects everything on the page.

Macros imported without context (``{% from "components/marking.html" import marking_badge %}``)
cannot see ``request``; for them the marking of the request being handled is also kept in a
context variable (set by ``SecurityHeadersMiddleware`` for the length of each request), which
``marking_for_request(None)`` returns.
"""

from __future__ import annotations

from contextvars import ContextVar

from django.http import HttpRequest

from jointcase.access.labels import Classification, classification_max


class PageMarking:
    """The highest classification noted while rendering one response."""

    def __init__(self) -> None:
        self.highest: str = Classification.OFFICIAL

    def note(self, classification: str) -> str:
        self.highest = classification_max(self.highest, classification)
        return ""

    @property
    def css_modifier(self) -> str:
        return self.highest.lower().replace(" ", "-")


#: The marking of the request being handled in this thread or task (None outside a request).
CURRENT_MARKING: ContextVar[PageMarking | None] = ContextVar("jointcase_page_marking", default=None)


#: Where a request keeps its page marking (not an attribute Django's request type declares).
_MARKING_ATTRIBUTE = "_jointcase_marking"


def marking_for_request(request: HttpRequest | None) -> PageMarking:
    """The page marking of ``request`` (or, without one, of the request being handled)."""
    if request is None:
        return CURRENT_MARKING.get() or PageMarking()
    marking: PageMarking | None = getattr(request, _MARKING_ATTRIBUTE, None)
    if marking is None:
        marking = PageMarking()
        setattr(request, _MARKING_ATTRIBUTE, marking)
    return marking
