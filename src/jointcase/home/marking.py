"""Protective marking of a rendered page.

Every page shows, at its top and bottom, the highest classification displayed on it (OFFICIAL
where nothing more). Templates and views record each labelled thing they show with
``marking_for_request(request).note(level)``; the layout renders the page body first and the
banners after, so the banner always reflects everything on the page.
"""

from __future__ import annotations

from django.http import HttpRequest

from jointcase.access.labels import CLASSIFICATION_RANK, Classification


class PageMarking:
    """The highest classification noted while rendering one response."""

    def __init__(self) -> None:
        self.highest: str = Classification.OFFICIAL

    def note(self, classification: str) -> str:
        if CLASSIFICATION_RANK[classification] > CLASSIFICATION_RANK[self.highest]:
            self.highest = classification
        return ""

    @property
    def css_modifier(self) -> str:
        return self.highest.lower().replace(" ", "-")


def marking_for_request(request: HttpRequest | None) -> PageMarking:
    if request is None:
        return PageMarking()
    marking: PageMarking | None = getattr(request, "_jointcase_marking", None)
    if marking is None:
        marking = PageMarking()
        request._jointcase_marking = marking  # type: ignore[attr-defined]
    return marking
