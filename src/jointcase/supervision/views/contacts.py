"""Contacts pages: a case's contacts (its standard, a shortfall banner, planned and past
contacts), planning and recording contacts, one contact with its notes at the reader's
clearance, and "Contacts due" for a practitioner or (``?scope=team``) their manager.

Thin: parse, call a selector or a service, render. Every case page opens its case through the
register's audited read (``cases.views._case_for``: the purpose question, then 404 alike for
missing and forbidden); a contact is looked up only within that case. The forms that act are
refused (a DENY entry) before they are shown or read; the services ask again.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from jointcase.access.acting import permission_require
from jointcase.access.material import case_agencies
from jointcase.access.supervision import (
    contact_change_decision,
    contact_change_refusal,
    contact_write_decision,
    contact_write_refusal,
)
from jointcase.accounts.models import User
from jointcase.agencies.models import Agency, Caveat
from jointcase.cases.models import Case
from jointcase.cases.views import PHASE_BADGES, _case_for, case_tabs
from jointcase.lib.urls import url_maker
from jointcase.people.views import acting_user, handle_form
from jointcase.supervision.forms import contacts as forms
from jointcase.supervision.models import Contact, ContactKind, ContactOutcome, Enforcement
from jointcase.supervision.selectors.contacts import (
    DueContact,
    case_contacts_for,
    case_standing_for,
    contact_get_for,
    contacts_due_for,
    contacts_rendered,
)
from jointcase.supervision.services.contacts import (
    NotesLabel,
    contact_cancel,
    contact_outcome_record,
    contact_plan,
    contact_record,
)

PAGE_SIZE = 200
TEMPLATE_FORM = "supervision/contact_form.html"
ALIASES = {"occurred_at": "occurred_on", "planned_for": "planned_on"}


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time))


def _case_url(case: Case) -> str:
    return reverse("supervision:case-contacts", args=[case.public_id])


def _caption(case: Case) -> str:
    return f"{case.person.display_name} ({case.reference})"


def _label_choices(case: Case) -> dict[str, Any]:
    return {
        "caveats": [
            (str(pk), code)
            for pk, code in Caveat.objects.filter(is_active=True).values_list("pk", "code")
        ],
        "agencies": Agency.objects.filter(pk__in=case_agencies(case)),
    }


def _label_of(cleaned: dict[str, Any]) -> NotesLabel:
    caveat_ids = [int(pk) for pk in cleaned.get("caveats") or []]
    return NotesLabel(
        classification=cleaned["classification"],
        caveats=tuple(Caveat.objects.filter(pk__in=caveat_ids).order_by("pk")),
        releasable_to=tuple(sorted(cleaned.get("releasable_to") or [], key=lambda a: a.pk)),
    )


def contact_rows(views: list[Any]) -> list[dict[str, Any]]:
    """What a list shows of each contact: display labels, never raw codes."""
    rows = []
    for view in views:
        contact: Contact = view.contact
        rows.append(
            {
                "view": view,
                "contact": contact,
                "kind": contact.get_kind_display(),
                "outcome": ContactOutcome(contact.outcome).label
                if contact.outcome
                else ("Cancelled" if contact.cancelled_at is not None else ""),
                "enforcement": Enforcement(contact.enforcement).label
                if contact.enforcement != Enforcement.NONE
                else "",
                "holder": contact.practitioner.get_full_name() or contact.practitioner.username,
            }
        )
    return rows


@require_http_methods(["GET"])
def case_contacts(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """The case's standard in words, a banner when below it, the planned contacts and the
    history with outcomes and enforcement."""
    user = acting_user(request)
    case = _case_for(request, case_id)
    now = timezone.now()
    standing = case_standing_for(case, now=now)
    contacts = list(case_contacts_for(user, case)[:PAGE_SIZE])
    rows = contact_rows(contacts_rendered(user, contacts, request=request, open_notes=False))
    planned = [r for r in rows if not r["contact"].outcome and r["contact"].cancelled_at is None]
    planned.sort(key=lambda r: r["contact"].planned_for or now)
    return render(
        request,
        "supervision/case_contacts.html",
        {
            "title": f"Contacts: {_caption(case)}",
            "case": case,
            "tabs": case_tabs(case, "contacts"),
            "tab_title": "Supervision contacts",
            "phase_badges": PHASE_BADGES,
            "standing": standing,
            "upcoming": [r for r in planned if (r["contact"].planned_for or now) >= now],
            "overdue": [r for r in planned if (r["contact"].planned_for or now) < now],
            "history": [r for r in rows if r["contact"].outcome or r["contact"].cancelled_at],
            "can_write": contact_write_decision(user, case).allowed,
            "truncated": len(contacts) == PAGE_SIZE,
        },
    )


def _write_require(request: HttpRequest, user: User, case: Case, action: str) -> None:
    permission_require(
        actor=user,
        refusal=contact_write_refusal(user, case),
        action=action,
        object_type="case",
        object_id=case.pk,
        request=request,
    )


@require_http_methods(["GET", "POST"])
def contact_plan_page(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = acting_user(request)
    case = _case_for(request, case_id)
    _write_require(request, user, case, "contact.plan_form")
    form = forms.ContactPlanForm(request.POST or None)
    return handle_form(
        request,
        form,
        lambda c: contact_plan(
            actor=user,
            case=case,
            kind=c["kind"],
            planned_for=_at(c["planned_on"], c["planned_time"]),
            notes=c["notes"],
            label=NotesLabel(classification=c["classification"]),
            request=request,
        ),
        template=TEMPLATE_FORM,
        aliases=ALIASES,
        success_url=_case_url(case),
        success_message="Appointment planned",
        context={
            "title": "Plan an appointment",
            "caption": _caption(case),
            "submit": "Plan the appointment",
            "cancel": _case_url(case),
        },
    )


@require_http_methods(["GET", "POST"])
def contact_record_page(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """Record a contact that was not planned."""
    user = acting_user(request)
    case = _case_for(request, case_id)
    _write_require(request, user, case, "contact.record_form")
    form = forms.ContactRecordForm(request.POST or None, **_label_choices(case))
    return handle_form(
        request,
        form,
        lambda c: contact_record(
            actor=user,
            case=case,
            kind=c["kind"],
            occurred_at=_at(c["occurred_on"], c["occurred_time"]),
            outcome=c["outcome"],
            enforcement=c["enforcement"],
            enforcement_reason=c["enforcement_reason"],
            notes=c["notes"],
            label=_label_of(c),
            request=request,
        ),
        template=TEMPLATE_FORM,
        aliases=ALIASES,
        success_url=_case_url(case),
        success_message="Contact recorded",
        context={
            "title": "Record a contact",
            "caption": _caption(case),
            "intro": "For a contact that was planned, record it from the case's planned "
            "contacts instead.",
            "submit": "Record the contact",
            "cancel": _case_url(case),
        },
    )


@require_http_methods(["GET"])
def contact_detail(request: HttpRequest, case_id: uuid.UUID, contact_id: uuid.UUID) -> HttpResponse:
    """One contact; its notes at the reader's clearance (withheld below the label)."""
    user = acting_user(request)
    case = _case_for(request, case_id)
    contact = contact_get_for(user, case, contact_id)
    rows = contact_rows(contacts_rendered(user, [contact], request=request))
    can_change = (
        not contact.outcome
        and contact.cancelled_at is None
        and contact_change_decision(user, contact).allowed
    )
    return render(
        request,
        "supervision/contact_detail.html",
        {
            "title": f"{rows[0]['kind']}: {_caption(case)}",
            "case": case,
            "row": rows[0],
            "can_record": can_change,
            "can_cancel": can_change,
            "back": _case_url(case),
        },
    )


def _contact_to_change(
    request: HttpRequest, user: User, case_id: uuid.UUID, contact_id: uuid.UUID, action: str
) -> tuple[Case, Contact]:
    """The case and the contact a change page works on, once the user may change it (a refusal
    is audited as ``action``)."""
    case = _case_for(request, case_id)
    contact = contact_get_for(user, case, contact_id)
    permission_require(
        actor=user,
        refusal=contact_change_refusal(user, contact),
        action=action,
        object_type="contact",
        object_id=contact.pk,
        request=request,
    )
    return case, contact


@require_http_methods(["GET", "POST"])
def contact_outcome_page(
    request: HttpRequest, case_id: uuid.UUID, contact_id: uuid.UUID
) -> HttpResponse:
    """Record what happened at a planned contact (a stale form is refused)."""
    user = acting_user(request)
    case, contact = _contact_to_change(request, user, case_id, contact_id, "contact.outcome_form")
    planned = timezone.localtime(contact.planned_for) if contact.planned_for else None
    initial: dict[str, Any] = {
        "version": contact.version,
        "classification": contact.classification,
        "enforcement": Enforcement.NONE,
    }
    if planned is not None:
        initial["occurred_on"] = planned.date()
        initial["occurred_time"] = planned.strftime("%H:%M")
    form = forms.ContactOutcomeForm(request.POST or None, initial=initial)
    return handle_form(
        request,
        form,
        lambda c: contact_outcome_record(
            actor=user,
            contact=contact,
            expected_version=c["version"],
            occurred_at=_at(c["occurred_on"], c["occurred_time"]),
            outcome=c["outcome"],
            enforcement=c["enforcement"],
            enforcement_reason=c["enforcement_reason"],
            notes=c["notes"],
            label=NotesLabel(
                classification=c["classification"],
                caveats=tuple(contact.caveats.all()),
                releasable_to=tuple(contact.releasable_to.all()),
            ),
            request=request,
        ),
        template=TEMPLATE_FORM,
        aliases=ALIASES,
        success_url=_case_url(case),
        success_message="Contact recorded",
        context={
            "title": f"Record the outcome: {contact.get_kind_display()}",
            "caption": _caption(case),
            "intro": f"Planned for {planned:%-d %B %Y at %H:%M}." if planned else "",
            "submit": "Record the outcome",
            "cancel": _case_url(case),
        },
    )


@require_http_methods(["GET", "POST"])
def contact_cancel_page(
    request: HttpRequest, case_id: uuid.UUID, contact_id: uuid.UUID
) -> HttpResponse:
    """Call off a planned appointment, with the reason (a stale form is refused)."""
    user = acting_user(request)
    case, contact = _contact_to_change(request, user, case_id, contact_id, "contact.cancel_form")
    planned = timezone.localtime(contact.planned_for) if contact.planned_for else None
    form = forms.ContactCancelForm(request.POST or None, initial={"version": contact.version})
    return handle_form(
        request,
        form,
        lambda c: contact_cancel(
            actor=user,
            contact=contact,
            expected_version=c["version"],
            reason=c["reason"],
            request=request,
        ),
        template=TEMPLATE_FORM,
        success_url=_case_url(case),
        success_message="Appointment cancelled",
        context={
            "title": f"Cancel the appointment: {contact.get_kind_display()}",
            "caption": _caption(case),
            "intro": f"Planned for {planned:%-d %B %Y at %H:%M}. A cancelled appointment stays "
            "on the case's record and does not count towards the contact standard."
            if planned
            else "",
            "submit": "Cancel the appointment",
            "cancel_label": "Keep the appointment",
            "cancel": reverse("supervision:contact", args=[case.public_id, contact.public_id]),
        },
    )


@require_http_methods(["GET"])
def contacts_due(request: HttpRequest) -> HttpResponse:
    """My planned contacts coming up and not yet recorded, and my cases below standard; with
    ``?scope=team``, the same for one person I manage at a time (``&person=<id>``, else the
    first by name), with a list of everyone I manage to choose from."""
    user = acting_user(request)
    scope = "team" if request.GET.get("scope") == "team" else "mine"
    due = contacts_due_for(user, scope=scope, person_id=request.GET.get("person"))
    title = "Contacts due"
    if scope == "team":
        title = "Contacts due: people I manage"
    holder = _person_name(due.person) if due.person else ""
    return render(
        request,
        "supervision/contacts_due.html",
        {
            "title": title,
            "scope": scope,
            "due": due,
            "person_name": holder,
            "people": [(p.pk, _person_name(p)) for p in due.people] if scope == "team" else [],
            "below": _below_rows(due.below),
            "upcoming": _due_rows(due.upcoming, holder),
            "overdue": _due_rows(due.overdue, holder),
        },
    )


def _person_name(user: User) -> str:
    return user.get_full_name() or user.username


_KINDS = dict(ContactKind.choices)
#: As the ``datetime`` filter of the templates shows a moment.
WHEN = "%-d %B %Y at %H:%M"


def _due_rows(contacts: list[DueContact], holder: str) -> list[dict[str, Any]]:
    """What "Contacts due" shows of each planned contact (its notes never), built once in
    Python rather than looked up attribute by attribute in the template."""
    href = url_maker("supervision:contact", 2)
    zone = timezone.get_current_timezone()
    return [
        {
            "planned_sort": int(contact.planned_for.timestamp()),
            "planned": contact.planned_for.astimezone(zone).strftime(WHEN),
            "kind": _KINDS.get(contact.kind, contact.kind),
            "href": href(contact.case_public_id, contact.public_id),
            "reference": contact.case_reference,
            "person": contact.person_name,
            "holder": holder,
        }
        for contact in contacts
    ]


def _below_rows(below: list[Any]) -> list[dict[str, Any]]:
    href = url_maker("supervision:case-contacts", 1)
    return [
        {
            "href": href(row.case_public_id),
            "reference": row.reference,
            "person": row.person_name,
            "due_on": row.standing.due_on,
            "standard": row.standing.standard.label,
            "practitioner": _person_name(row.practitioner) if row.practitioner else "",
        }
        for row in below
    ]
