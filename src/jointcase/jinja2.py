"""The Jinja2 environment: GOV.UK Frontend macros, URL and static helpers, protective marking.

Templates import the Design System's own macros (``govuk_frontend_jinja/components/...``), so
the GOV.UK Design System's examples apply unchanged, and JointCase's few MoJ components live in
``templates/components/moj.html``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader

from jointcase.access.labels import Classification
from jointcase.agencies.models import Agency
from jointcase.audit.labels import action_label, details_lines, reason_label, value_label
from jointcase.cases.conditions import condition_details
from jointcase.home.marking import marking_for_request
from jointcase.home.navigation import navigation_items, unread_notification_count
from jointcase.lib.urls import url_maker


def url(viewname: str, *args: Any, **kwargs: Any) -> str:
    return reverse(viewname, args=args or None, kwargs=kwargs or None)


def _date(value: Any, fmt: str = "%-d %B %Y") -> str:
    if value is None or value == "":
        return ""
    if hasattr(value, "astimezone") and hasattr(value, "hour"):
        value = timezone.localtime(value)
    return str(value.strftime(fmt))


def _datetime(value: Any) -> str:
    return _date(value, "%-d %B %Y at %H:%M")


def _agency_name(code: str) -> str:
    """An agency's name for the code an audit entry keeps (the code itself for one since
    removed): pages name agencies, never their codes."""

    if not code:
        return ""
    return Agency.objects.filter(code=code).values_list("name", flat=True).first() or code


def environment(**options: Any) -> Environment:
    loader = ChoiceLoader(
        [
            FileSystemLoader([str(settings.BASE_DIR / "templates")]),
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]
    )
    options.pop("loader", None)
    env = Environment(loader=loader, **options)  # noqa: S701 - autoescape set in settings
    env.globals.update(
        {
            "url": url,
            "url_maker": url_maker,
            "static": static,
            "service_name": settings.SERVICE_NAME,
            "get_messages": messages.get_messages,
            "marking_for_request": marking_for_request,
            "Classification": Classification,
            "demo_mode": settings.DEMO_MODE,
            "navigation_items": navigation_items,
            "unread_notification_count": unread_notification_count,
            "system_high_label": lambda: settings.SYSTEM_HIGH,
            "condition_details": condition_details,
        }
    )
    env.filters.update(
        {
            "date": _date,
            "datetime": _datetime,
            "action_label": action_label,
            "details_lines": details_lines,
            "value_label": value_label,
            "reason_label": reason_label,
            "agency_name": _agency_name,
        }
    )
    return env
