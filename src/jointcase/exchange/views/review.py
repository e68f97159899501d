"""Linkage review pages: the queue of records awaiting review (and recently linked ones), the
pair page (the partner record and a candidate person side by side, what agrees and what
differs, the match weight; link or keep apart with a reason) and unlinking a linked record.

Thin: parse, call a selector or a service, render. The rules are ``jointcase.access.exchange``.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from jointcase.access.acting import permission_require
from jointcase.access.exchange import reviews_refusal
from jointcase.exchange.forms.review import DecisionForm, UnlinkForm
from jointcase.exchange.models import LinkCandidate, RecordLinkage, Resolution
from jointcase.exchange.records import LABELS
from jointcase.exchange.selectors.review import (
    COMPARISONS,
    PersonView,
    candidates_of,
    decisions_of,
    level_agrees,
    level_label,
    linkage_get_for,
    person_view_for,
    reviews_for,
)
from jointcase.exchange.services.review import record_unlink, review_keep_apart, review_link
from jointcase.exchange.sources import sources_current
from jointcase.lib.forms import form_page
from jointcase.people.views import acting_user

PAGE_ROWS = 50


def _source_labels() -> dict[str, str]:
    return {code: source.label for code, source in sources_current().items()}


@require_http_methods(["GET"])
def reviews(request: HttpRequest) -> HttpResponse:
    """The records awaiting review (or, ``?show=linked``, the linked ones)."""
    user = acting_user(request)
    permission_require(
        actor=user,
        refusal=reviews_refusal(user),
        action="exchange.reviews",
        object_type="source_record",
        object_id="queue",
        request=request,
    )
    show = "linked" if request.GET.get("show") == "linked" else "review"
    page = Paginator(reviews_for(user, show=show), PAGE_ROWS).get_page(request.GET.get("page"))
    return render(
        request,
        "exchange/review/queue.html",
        {"title": "Linkage review", "page": page, "show": show, "labels": _source_labels()},
    )


def _record_values(linkage: RecordLinkage) -> dict[str, str]:
    record = linkage.record
    address = ", ".join(
        part
        for part in (record.address_line_1, record.address_line_2, record.town, record.postcode)
        if part
    )
    return {
        "given_name": record.given_names,
        "surname": record.surname,
        "date_of_birth": record.date_of_birth.strftime("%d %B %Y"),
        "address": address,
        "pnc_id": record.pnc_id,
        "crn": record.crn,
        "prison_number": record.prison_number,
    }


def _person_values(view: PersonView) -> dict[str, str]:
    if not view.visible:
        return {}
    names = view.names
    return {
        "given_name": "; ".join(name.rsplit(" ", 1)[0] for name in names if " " in name),
        "surname": "; ".join(name.rsplit(" ", 1)[-1] for name in names),
        "date_of_birth": view.date_of_birth.strftime("%d %B %Y") if view.date_of_birth else "",
        "address": "; ".join(view.addresses),
        **view.identifiers,
    }


def _rows(
    linkage: RecordLinkage, candidate: LinkCandidate | None, view: PersonView | None
) -> list[dict[str, Any]]:
    """One row per compared field: its label, both sides, and how they compare."""
    record = _record_values(linkage)
    person = _person_values(view) if view is not None else {}
    rows = []
    for name, label in COMPARISONS.items():
        level = candidate.levels.get(name, "") if candidate is not None else ""
        rows.append(
            {
                "name": name,
                "label": label,
                "record": record.get(name, ""),
                "person": person.get(name, ""),
                "level": level_label(level) if level else "",
                "agrees": level_agrees(level) if level else None,
            }
        )
    return rows


def _shown_candidate(candidates: list[LinkCandidate], wanted: str | None) -> LinkCandidate | None:
    for candidate in candidates:
        if wanted and str(candidate.pk) == wanted:
            return candidate
    return candidates[0] if candidates else None


@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, linkage_id: str) -> HttpResponse:
    """A record and one candidate side by side; link them or keep them apart."""
    user = acting_user(request)
    linkage = linkage_get_for(user, linkage_id, request=request)
    candidates = candidates_of(linkage)
    wanted = request.POST.get("candidate") if request.method == "POST" else None
    candidate = _shown_candidate(candidates, wanted or request.GET.get("candidate"))
    record = linkage.record
    view: PersonView | None
    if record.resolution != Resolution.REVIEW and record.person_id is not None:
        view = person_view_for(user, record.person_id, request=request)
        shown = next((c for c in candidates if c.person_id == record.person_id), None)
    else:
        view = (
            person_view_for(user, candidate.person_id, request=request)
            if candidate is not None
            else None
        )
        shown = candidate
    form = DecisionForm(
        request.POST if request.method == "POST" else None,
        initial={"candidate": candidate.pk if candidate is not None else None},
    )

    def decide(data: dict[str, Any]) -> RecordLinkage:
        decide_with = review_link if data["decision"] == "link" else review_keep_apart
        return decide_with(
            actor=user,
            linkage=linkage,
            candidate_id=data["candidate"],
            reason=data["reason"],
            request=request,
        )

    return form_page(
        request,
        form,
        decide,
        template="exchange/review/pair.html",
        context={
            "title": f"{record.given_names} {record.surname}",
            "linkage": linkage,
            "record": record,
            "candidates": candidates,
            "candidate": shown,
            "view": view,
            "rows": _rows(linkage, shown, view),
            "open": record.resolution == Resolution.REVIEW and candidate is not None,
            # Only about a person the reviewer may see: for another, only that one exists.
            "twin": bool(view and view.visible)
            and (linkage.possible_twin or any(c.possible_twin for c in candidates)),
            "decisions": decisions_of(linkage),
            "labels": _source_labels(),
            "field_labels": LABELS,
        },
        success_url=lambda decided: reverse("exchange:review", args=[decided.public_id]),
        success_message="Decision saved",
    )


@require_http_methods(["GET", "POST"])
def review_unlink(request: HttpRequest, linkage_id: str) -> HttpResponse:
    """Unlink a linked record from its person, with a reason."""
    user = acting_user(request)
    linkage = linkage_get_for(user, linkage_id, request=request)
    form = UnlinkForm(request.POST if request.method == "POST" else None)
    return form_page(
        request,
        form,
        lambda data: record_unlink(
            actor=user, linkage=linkage, reason=data["reason"], request=request
        ),
        template="exchange/review/unlink.html",
        context={
            "title": "Unlink the record",
            "linkage": linkage,
            "record": linkage.record,
            "linked": linkage.record.resolution == Resolution.LINKED,
        },
        success_url=lambda done: reverse("exchange:review", args=[done.public_id]),
        success_message="Record unlinked",
    )
