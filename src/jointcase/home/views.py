"""The home page, static information pages, health check and error pages."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from jointcase.access.roles import holds_agency_admin_role, is_auditor
from jointcase.access.training import training_nav_visible
from jointcase.access.workforce import may_hold_or_manage_caseloads
from jointcase.accounts.models import User


def _card(title: str, url_name: str, text: str) -> dict[str, str] | None:
    try:
        return {"title": title, "href": reverse(url_name), "text": text}
    except NoReverseMatch:
        return None


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    candidates: list[dict[str, Any] | None] = [
        _card("My cases", "cases:my-cases", "Cases where you are on the case team."),
        _card(
            "My actions", "meetings:my-actions", "Agreed actions you own, overdue ones highlighted."
        ),
        _card(
            "Search", "cases:search", "Find a person by name, alias, date of birth or identifier."
        ),
        _card(
            "Requests for material",
            "material:inbox",
            "Requests to see or share your agency's material, and your own requests.",
        ),
        _card(
            "Emergency access",
            "material:breakglass-start",
            "Break-glass: open a case's material in an emergency, with a reason. Reviewed.",
        ),
        _card(
            "Contacts due",
            "supervision:contacts-due",
            "Supervision contacts planned and due, and cases below their contact standard.",
        ),
        _card("Your account", "accounts:security", "Second factors and sessions."),
    ]
    if may_hold_or_manage_caseloads(user):
        candidates.insert(
            2,
            _card(
                "Caseload",
                "workforce:caseload",
                "Your caseload against your capacity; your team's, and cases to allocate.",
            ),
        )
    if training_nav_visible(user):
        candidates.append(
            _card(
                "Prison training",
                "workforce:training-overview",
                "Counter-terrorism training, staff confidence and POM involvement.",
            )
        )
    if is_auditor(user):
        candidates.append(_card("Audit", "audit:index", "Who saw what, when and why."))
    if holds_agency_admin_role(user):
        candidates.append(
            _card(
                "Agency administration", "agencies:admin-users", "Users and teams of your agency."
            )
        )
    cards = [card for card in candidates if card]
    return render(request, "home/home.html", {"title": "Home", "cards": cards})


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "home/simple.html",
        {
            "title": "Accessibility statement",
            "paragraphs": [
                "JointCase is built to meet the Web Content Accessibility Guidelines (WCAG) 2.2 "
                "at level AA, using the GOV.UK and MoJ Design Systems.",
                "Every journey works without JavaScript, with a keyboard alone and with a "
                "screen reader. Automated accessibility checks run on the key pages with every "
                "change.",
                "If you find a problem, tell your agency administrator: it will be fixed.",
            ],
        },
    )


def privacy(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "home/simple.html",
        {
            "title": "Privacy and audit notice",
            "paragraphs": [
                "JointCase processes personal data for law enforcement purposes under Part 3 of "
                "the Data Protection Act 2018.",
                "Every sign-in, every record you open, every change and every disclosure is "
                "recorded with who, when and why, in a tamper-evident log that auditors review.",
                "Open only the records you need for your work.",
            ],
        },
    )


def health(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, with no detail an attacker could use."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return JsonResponse({"status": "ok"})
    except Exception:  # noqa: BLE001 - any failure means "not ready"
        return JsonResponse({"status": "unavailable"}, status=503)


def _error(request: HttpRequest, status: int, title: str, paragraphs: list[str]) -> HttpResponse:
    try:
        return render(
            request, "home/simple.html", {"title": title, "paragraphs": paragraphs}, status=status
        )
    except Exception:  # noqa: BLE001 - the error page itself must never fail
        return HttpResponse(title, status=status, content_type="text/plain")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(
        request,
        404,
        "Page not found",
        [
            "If you typed the web address, check it is correct.",
            "If you followed a link to a record, it may not exist or you may not have access "
            "to it. Ask the case lead if you need access.",
        ],
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(
        request,
        403,
        "You do not have permission to do this",
        [
            "Ask your manager or the case lead if you need to do this.",
        ],
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(
        request,
        400,
        "Sorry, there is a problem with that request",
        [
            "Go back and try again.",
        ],
    )


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(
        request,
        500,
        "Sorry, there is a problem with the service",
        [
            "Try again later. Nothing you entered has been saved unless you were told so.",
        ],
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _error(
        request,
        403,
        "Your form expired",
        [
            "For your security, forms expire. Go back, reload the page and try again.",
        ],
    )
