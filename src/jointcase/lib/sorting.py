"""Server-side sorting of a list page: a ``sort`` query parameter checked against the page's
own columns, and the header links that change it (the MoJ sortable table's look, without its
JavaScript, so sorting works with none and across pages).

``sort`` is a column's key, ``-key`` for descending. A value that is not one of the page's
columns is ignored (the page's default order), never an error: it can only come from an edited
address. Changing the order goes back to the first page; the other filters are kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class SortHeader:
    """One column header: its label, the link that sorts by it, and its ``aria-sort``."""

    key: str
    label: str
    href: str
    aria_sort: str


def sort_param(request: HttpRequest, columns: Mapping[str, str], default: str) -> str:
    """The order asked for (``key`` or ``-key`` of ``columns``), else ``default``."""
    asked = request.GET.get("sort", "")
    return asked if asked.removeprefix("-") in columns else default


def sort_headers(
    request: HttpRequest, columns: Mapping[str, str], current: str
) -> dict[str, SortHeader]:
    """Each sortable column's header, by key: a link to sort by it ascending, or descending
    when it is already the ascending order."""
    headers: dict[str, SortHeader] = {}
    for key, label in columns.items():
        if current == key:
            aria, target = "ascending", f"-{key}"
        elif current == f"-{key}":
            aria, target = "descending", key
        else:
            aria, target = "none", key
        query = request.GET.copy()
        query.pop("page", None)
        query["sort"] = target
        headers[key] = SortHeader(key, label, "?" + query.urlencode(), aria)
    return headers
