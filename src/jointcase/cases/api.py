"""Read API for cases (``/api/v1/cases``), scoped exactly like the pages.

Lists read through ``cases.selectors.case_list_for`` (the access filter inside the query);
one case through ``case_get_for`` (decided and audited; 404 for missing and forbidden alike).
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import Enum
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from jointcase.agencies.models import Agency
from jointcase.api_common import PageQuery, paginate, token_auth
from jointcase.cases.models import Cohort, Phase, TimelineKind
from jointcase.cases.selectors import (
    case_get_for,
    case_list_for,
    case_overview,
    case_timeline_for,
    timeline_shown,
)

PhaseName = Enum("PhaseName", {value: value for value in Phase.values}, type=str)  # type: ignore[misc]
CohortName = Enum("CohortName", {value: value for value in Cohort.values}, type=str)  # type: ignore[misc]
TimelineKindName = Enum(  # type: ignore[misc]
    "TimelineKindName", {value: value for value in TimelineKind.values}, type=str
)


class PersonRef(Schema):
    id: uuid.UUID = Field(..., description="The person's opaque identifier")
    display_name: str
    date_of_birth: dt.date | None

    @staticmethod
    def resolve_id(obj: Any) -> uuid.UUID:
        return obj.public_id


class CaseOut(Schema):
    id: uuid.UUID = Field(..., description="The case's opaque identifier")
    reference: str = Field(..., description="The human reference, for display (JC-000001)")
    person: PersonRef
    cohort: str
    ideology: str
    lead_agency: str
    phase: str
    opened_at: dt.date
    closed_at: dt.date | None
    version: int

    @staticmethod
    def resolve_id(obj: Any) -> uuid.UUID:
        return obj.public_id

    @staticmethod
    def resolve_lead_agency(obj: Any) -> str:
        return str(obj.lead_agency.code)


class CasePage(Schema):
    count: int
    page: int
    page_size: int
    results: list[CaseOut]


class MappaOut(Schema):
    category: str
    level: int
    review_date: dt.date
    valid_from: dt.date
    valid_to: dt.date | None


class KeyDateOut(Schema):
    code: str
    label: str
    day: dt.date
    days_remaining: int


class SentenceOut(Schema):
    type: str
    offence: str
    conviction_date: dt.date
    sentence_date: dt.date
    length_days: int
    extended_licence_days: int
    released_on: dt.date | None


class ConditionOut(Schema):
    code: str
    title: str
    parameters: dict[str, Any]
    review_frequency: str
    added_on: dt.date
    removed_on: dt.date | None

    @staticmethod
    def resolve_title(obj: Any) -> str:
        return str(obj)


class LicenceOut(Schema):
    starts_on: dt.date
    expires_on: dt.date
    conditions: list[ConditionOut]

    @staticmethod
    def resolve_conditions(obj: Any) -> list[Any]:
        return list(obj.conditions.all())


class NotificationOut(Schema):
    applies: bool
    reason: str
    period_years: int | None
    starts_on: dt.date | None
    ends_on: dt.date | None
    initial_due_on: dt.date | None
    next_annual_due_on: dt.date | None


class MemberOut(Schema):
    role: str
    name: str
    agency: str
    start: dt.date
    end: dt.date | None

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.user) if obj.user_id else f"{obj.team.name} (team)"

    @staticmethod
    def resolve_agency(obj: Any) -> str:
        return str(obj.agency.code)


class CaseDetailOut(CaseOut):
    mappa: MappaOut | None
    sentence: SentenceOut | None
    key_dates: list[KeyDateOut]
    licence: LicenceOut | None
    notification: NotificationOut | None
    team: list[MemberOut]


class EventLabelOut(Schema):
    classification: str = Field(..., description="The classification of what the caller sees")
    caveats: list[str] = Field(..., description="Caveat codes of the label")


class TimelineEventOut(Schema):
    occurred_at: dt.datetime
    kind: str
    title: str = Field(
        ..., description="The event; for a material item, with its title at the caller's clearance"
    )
    description: str
    agency: str | None
    label: EventLabelOut = Field(..., description="The event's own label (what the caller sees)")

    @staticmethod
    def resolve_label(obj: Any) -> dict[str, Any]:
        return {"classification": obj.classification, "caveats": obj.caveats}

    @staticmethod
    def resolve_agency(obj: Any) -> str | None:
        return obj.agency.code if obj.agency_id else None


class TimelinePage(Schema):
    count: int
    page: int
    page_size: int
    results: list[TimelineEventOut]


class CaseFilter(PageQuery):
    phase: PhaseName | None = Field(None, description="Only cases in this phase")
    cohort: CohortName | None = Field(None, description="Only cases of this cohort")


class TimelineFilter(PageQuery):
    kind: TimelineKindName | None = Field(None, description="Only events of this type")
    agency: str | None = Field(None, max_length=40, description="Only events of this agency (code)")


router = Router(tags=["cases"], auth=token_auth(write_scope="write:register"))


@router.get("/cases", response=CasePage, summary="Cases the caller may see")
def case_list(request: HttpRequest, filters: Query[CaseFilter]) -> dict[str, Any]:
    cases = case_list_for(
        user=request.user,  # type: ignore[arg-type]
        phase=filters.phase.value if filters.phase else None,
        cohort=filters.cohort.value if filters.cohort else None,
    )
    return paginate(cases.order_by("reference"), filters)


@router.get("/cases/{case_id}", response=CaseDetailOut, summary="One case with its current facts")
def case_detail(request: HttpRequest, case_id: str) -> Any:
    case = case_get_for(user=request.user, case_id=case_id, request=request)  # type: ignore[arg-type]
    facts = case_overview(case)
    for name in ("mappa", "sentence", "key_dates", "licence", "notification", "team"):
        setattr(case, name, getattr(facts, name))
    return case


@router.get("/cases/{case_id}/timeline", response=TimelinePage, summary="The case's timeline")
def case_timeline(
    request: HttpRequest, case_id: str, filters: Query[TimelineFilter]
) -> dict[str, Any]:
    case = case_get_for(user=request.user, case_id=case_id, request=request)  # type: ignore[arg-type]
    agency = Agency.objects.filter(code=filters.agency).first() if filters.agency else None
    if filters.agency and agency is None:
        return paginate([], filters)
    events = case_timeline_for(
        user=request.user,  # type: ignore[arg-type]
        case=case,
        agency=agency,
        kind=filters.kind.value if filters.kind else None,
    )
    page = paginate(events, filters)
    page["results"] = timeline_shown(request.user, case, page["results"])  # type: ignore[arg-type]
    return page
