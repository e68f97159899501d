"""Supervision contacts in the API: a case's contacts (notes only at the caller's clearance,
``notes_withheld`` otherwise) and planning or recording one, scoped and refused exactly like
the pages (same selectors and services; the errors of ``jointcase.api_common``: 400 by field,
403 for a visible refusal, 404 alike for missing and forbidden)."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import Enum
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict
from pydantic.config import JsonDict

from jointcase.access.labels import Classification
from jointcase.agencies.models import Agency, Caveat
from jointcase.api_common import (
    REQUIRED_TEXT,
    ErrorOut,
    IsoDateTime,
    NotFoundOut,
    PageQuery,
    api_user,
    paginate,
    rules,
    token_auth,
    vocabulary,
)
from jointcase.cases.selectors import case_get_for
from jointcase.supervision.models import ContactKind, ContactOutcome, Enforcement
from jointcase.supervision.selectors.contacts import (
    ContactView,
    case_contacts_for,
    contact_get_for,
    contacts_rendered,
)
from jointcase.supervision.services.contacts import (
    CANCEL_REASON_MAX,
    NotesLabel,
    contact_cancel,
    contact_plan,
    contact_record,
)

router = Router(tags=["supervision contacts"], auth=token_auth(write_scope="write:supervision"))

KindName = Enum("KindName", {v: v for v in ContactKind.values}, type=str)  # type: ignore[misc]
ContactOutcomeName = Enum("ContactOutcomeName", {v: v for v in ContactOutcome.values}, type=str)  # type: ignore[misc]
EnforcementName = Enum("EnforcementName", {v: v for v in Enforcement.values}, type=str)  # type: ignore[misc]
ActionName = Enum("ActionName", {"plan": "plan", "record": "record"}, type=str)


class ContactOut(Schema):
    id: uuid.UUID = Field(..., description="The contact's opaque identifier")
    case: uuid.UUID = Field(..., description="The case's opaque identifier")
    kind: str
    kind_label: str
    planned_for: dt.datetime | None
    occurred_at: dt.datetime | None
    outcome: str = Field(..., description="Empty while only planned")
    enforcement: str
    enforcement_reason: str
    cancelled_at: dt.datetime | None = Field(
        ..., description="When a planned appointment was called off; null otherwise"
    )
    cancel_reason: str = Field(..., description="Why it was called off; empty otherwise")
    classification: str = Field(..., description="The label of the notes")
    caveats: list[str]
    notes: str | None = Field(..., description="The notes; null when withheld or none")
    notes_withheld: bool = Field(..., description="True when the caller may not read the notes")
    version: int


class ContactPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[ContactOut]


_GIVEN: JsonDict = {"not": {"type": "null"}}


class ContactIn(Schema):
    """Plan an appointment (``planned_for`` needed) or record a contact (``occurred_at`` and
    ``outcome`` needed), as the document's ``oneOf`` says."""

    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [
                {
                    "title": "Plan an appointment",
                    "properties": {"action": {"const": "plan"}, "planned_for": _GIVEN},
                    "required": ["planned_for"],
                },
                {
                    "title": "Record a contact",
                    "properties": {
                        "action": {"const": "record"},
                        "occurred_at": _GIVEN,
                        "outcome": _GIVEN,
                    },
                    "required": ["occurred_at", "outcome"],
                },
            ]
        }
    )

    action: ActionName = Field(..., description="plan an appointment, or record a contact")
    kind: KindName = Field(..., description="The kind of contact")
    planned_for: IsoDateTime | None = Field(
        None,
        description="plan: when (today or later, up to a year ahead)",
        json_schema_extra=rules("within-a-year"),
    )
    occurred_at: IsoDateTime | None = Field(
        None,
        description="record: when it happened (not in the future)",
        json_schema_extra=rules("not-in-the-future"),
    )
    outcome: ContactOutcomeName | None = Field(None, description="record: the outcome")
    enforcement: EnforcementName = Field(
        EnforcementName("NONE"), json_schema_extra=rules("with-enforcement")
    )
    enforcement_reason: str = Field(
        "", max_length=2000, json_schema_extra=rules("with-enforcement")
    )
    notes: str = Field("", max_length=10_000)
    classification: str = Field(
        Classification.OFFICIAL_SENSITIVE,
        max_length=20,
        json_schema_extra={**vocabulary("classifications"), **rules("within-clearance")},
    )
    caveats: list[str] = Field(
        default_factory=list,
        max_length=10,
        description="Caveat codes",
        json_schema_extra={**vocabulary("caveats"), **rules("within-clearance")},
    )
    releasable_to: list[str] = Field(
        default_factory=list,
        max_length=20,
        description="Agency codes",
        json_schema_extra=vocabulary("agencies"),
    )


class ContactCancelIn(Schema):
    version: int = Field(..., ge=1, description="The contact's version the caller last read")
    reason: str = Field(
        ...,
        max_length=CANCEL_REASON_MAX,
        description="Why it is called off",
        json_schema_extra=REQUIRED_TEXT,
    )


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """A time without an offset is read in the service's time zone."""
    if value is None or timezone.is_aware(value):
        return value
    return timezone.make_aware(value)


def _out(view: ContactView) -> dict[str, Any]:
    contact = view.contact
    return {
        "id": contact.public_id,
        "case": contact.case.public_id,
        "kind": contact.kind,
        "kind_label": contact.get_kind_display(),
        "planned_for": contact.planned_for,
        "occurred_at": contact.occurred_at,
        "outcome": contact.outcome,
        "enforcement": contact.enforcement,
        "enforcement_reason": contact.enforcement_reason,
        "cancelled_at": contact.cancelled_at,
        "cancel_reason": contact.cancel_reason,
        "classification": contact.classification,
        "caveats": view.caveat_codes,
        "notes": view.notes,
        "notes_withheld": view.notes_withheld or view.notes_unreadable,
        "version": contact.version,
    }


@router.get(
    "/cases/{case_id}/contacts",
    response={200: ContactPage, 404: NotFoundOut},
    summary="The case's supervision contacts, notes at the caller's clearance",
)
def case_contacts(request: HttpRequest, case_id: uuid.UUID, query: Query[PageQuery]) -> Any:
    user = api_user(request)
    case = case_get_for(user=user, case_id=case_id, request=request)
    page = paginate(case_contacts_for(user, case).select_related("case"), query)
    views = contacts_rendered(user, page["results"], request=request)
    page["results"] = [_out(view) for view in views]
    return page


def _label(payload: ContactIn) -> NotesLabel | Status:
    caveats = {c.code: c for c in Caveat.objects.filter(code__in=payload.caveats)}
    agencies = {a.code: a for a in Agency.objects.filter(code__in=payload.releasable_to)}
    errors = [
        {"field": "caveats", "message": f"Unknown caveat {code!r}"}
        for code in payload.caveats
        if code not in caveats
    ] + [
        {"field": "releasable_to", "message": f"Unknown agency {code!r}"}
        for code in payload.releasable_to
        if code not in agencies
    ]
    if errors:
        return Status(400, {"detail": "There is a problem with the request", "errors": errors})
    return NotesLabel(
        classification=payload.classification,
        caveats=tuple(caveats.values()),
        releasable_to=tuple(agencies.values()),
    )


@router.post(
    "/cases/{case_id}/contacts",
    response={201: ContactOut, 400: ErrorOut, 403: ErrorOut, 404: NotFoundOut},
    summary="Plan an appointment or record a contact on the case",
)
def contact_add(request: HttpRequest, case_id: uuid.UUID, payload: ContactIn) -> Any:
    user = api_user(request)
    case = case_get_for(user=user, case_id=case_id, request=request)
    label = _label(payload)
    if isinstance(label, Status):
        return label
    kind = payload.kind.value
    if payload.action.value == "plan":
        contact = contact_plan(
            actor=user,
            case=case,
            kind=kind,
            planned_for=_aware(payload.planned_for),
            notes=payload.notes,
            label=label,
            request=request,
        )
    else:
        contact = contact_record(
            actor=user,
            case=case,
            kind=kind,
            occurred_at=_aware(payload.occurred_at),
            outcome=payload.outcome.value if payload.outcome is not None else "",
            enforcement=payload.enforcement.value,
            enforcement_reason=payload.enforcement_reason,
            notes=payload.notes,
            label=label,
            request=request,
        )
    view = contacts_rendered(user, [contact], request=request)[0]
    return Status(201, _out(view))


@router.post(
    "/cases/{case_id}/contacts/{contact_id}/cancel",
    response={200: ContactOut, 400: ErrorOut, 403: ErrorOut, 404: NotFoundOut},
    summary="Call off a planned appointment, with the reason",
)
def contact_cancel_api(
    request: HttpRequest, case_id: uuid.UUID, contact_id: uuid.UUID, payload: ContactCancelIn
) -> Any:
    user = api_user(request)
    case = case_get_for(user=user, case_id=case_id, request=request)
    contact = contact_get_for(user, case, contact_id)
    contact = contact_cancel(
        actor=user,
        contact=contact,
        expected_version=payload.version,
        reason=payload.reason,
        request=request,
    )
    view = contacts_rendered(user, [contact], request=request)[0]
    return _out(view)
