"""The service navigation shown to a signed-in, verified user.

Each entry names a URL and who sees it. Apps add their entries here, in the order users meet
them; an entry whose URL is not installed yet is skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

from jointcase.access.exchange import imports_nav_visible, linkage_review_nav_visible
from jointcase.access.known import known_nav_visible
from jointcase.access.roles import holds_agency_admin_role, is_auditor
from jointcase.access.training import training_nav_visible
from jointcase.access.workforce import may_hold_or_manage_caseloads
from jointcase.notifications.selectors import unread_count_for


@dataclass(frozen=True)
class NavEntry:
    text: str
    url_name: str
    visible: Callable[[Any], bool] = lambda user: True


NAVIGATION: list[NavEntry] = [
    NavEntry("Home", "home:home"),
    NavEntry("Cases", "cases:my-cases"),
    NavEntry("Search", "cases:search"),
    NavEntry("Audit", "audit:index", is_auditor),
    NavEntry("Agency administration", "agencies:admin-users", holds_agency_admin_role),
    NavEntry("Actions", "meetings:my-actions"),
    NavEntry("Checks", "risk:checks-due"),
    NavEntry("Contacts", "supervision:contacts-due"),
    NavEntry("Prison training", "workforce:training-overview", training_nav_visible),
    NavEntry("Caseload", "workforce:caseload", may_hold_or_manage_caseloads),
    NavEntry("Imports", "exchange:imports", imports_nav_visible),
    NavEntry("Known to you?", "exchange:known", known_nav_visible),
    NavEntry("Linkage review", "exchange:reviews", linkage_review_nav_visible),
]


_HREFS: dict[tuple[str, ...], str | None] = {}


def _href(url_name: str) -> str | None:
    """``reverse(url_name)``, remembered per URLConf (every page asks for the same few)."""
    key = (str(settings.ROOT_URLCONF), str(get_urlconf()), get_script_prefix(), url_name)
    if key not in _HREFS:
        try:
            _HREFS[key] = reverse(url_name)
        except NoReverseMatch:
            _HREFS[key] = None
    return _HREFS[key]


def navigation_items(request: HttpRequest) -> list[dict[str, Any]]:
    user = request.user
    items = []
    for entry in NAVIGATION:
        if not entry.visible(user):
            continue
        href = _href(entry.url_name)
        if href is None:
            continue
        current = request.path == href
        active = current or (href != "/" and request.path.startswith(href))
        # GOV.UK: "current" is this very page (aria-current="page"), "active" its section.
        items.append({"href": href, "text": entry.text, "active": active, "current": current})
    return items


def unread_notification_count(request: HttpRequest) -> int:
    """The signed-in user's unread notices, for the header's "Notifications (3)" link.

    One indexed count per page (``notification_unread_idx``); zero for anyone not signed in.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return unread_count_for(user=user)
