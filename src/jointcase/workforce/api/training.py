"""Prison training in the API: the completion records the caller may see, and recording one,
scoped and refused exactly like the pages (same selector and service; the errors of
``jointcase.api_common``: 400 by field, 403 for a refusal)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from jointcase.api_common import (
    ErrorOut,
    IsoDate,
    PageQuery,
    api_user,
    paginate,
    rules,
    token_auth,
    username,
    vocabulary,
    vocabulary_register,
)
from jointcase.workforce.courses import courses_current
from jointcase.workforce.selectors.training import completions_for
from jointcase.workforce.services.training import completion_record

router = Router(tags=["prison training"], auth=token_auth(write_scope="write:workforce"))


class CompletionOut(Schema):
    id: uuid.UUID = Field(..., description="The completion's opaque identifier")
    staff: str = Field(..., description="The member of staff's username")
    staff_name: str
    course: str = Field(..., description="The course's code in the courses file")
    course_label: str
    completed_on: dt.date
    expires_on: dt.date = Field(
        ..., description="The first day the completion no longer counts (derived, never given)"
    )
    current: bool = Field(..., description="Whether it counts today")
    evidence_note: str
    recorded_by: str | None = Field(None, description="The recorder's username")

    @staticmethod
    def resolve_id(obj: Any) -> uuid.UUID:
        return obj.public_id

    @staticmethod
    def resolve_staff(obj: Any) -> str:
        return str(obj.staff.username)

    @staticmethod
    def resolve_staff_name(obj: Any) -> str:
        return str(obj.staff)

    @staticmethod
    def resolve_course(obj: Any) -> str:
        return str(obj.course_code)

    @staticmethod
    def resolve_course_label(obj: Any) -> str:
        return courses_current().label_of(obj.course_code)

    @staticmethod
    def resolve_current(obj: Any) -> bool:
        return bool(obj.is_current(timezone.localdate()))

    @staticmethod
    def resolve_recorded_by(obj: Any) -> str | None:
        return obj.recorded_by.username if obj.recorded_by is not None else None


class CompletionPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[CompletionOut]


class CompletionQuery(PageQuery):
    staff: str | None = Field(None, max_length=150, description="Only this username's records")
    course: str | None = Field(None, max_length=60, description="Only this course code")


vocabulary_register("courses", lambda: sorted(courses_current().courses))


class CompletionIn(Schema):
    staff: str = Field(
        ...,
        max_length=150,
        description="The member of staff's username",
        json_schema_extra=username(),
    )
    course: str = Field(
        ...,
        max_length=60,
        description="A course code of the courses file (required of the member of staff)",
        json_schema_extra={**vocabulary("courses"), **rules("required-course")},
    )
    completed_on: IsoDate = Field(
        ..., description="Today or earlier", json_schema_extra=rules("today-or-earlier")
    )
    evidence_note: str = Field("", max_length=2000)


@router.get(
    "/workforce/training",
    response=CompletionPage,
    summary="Training completions the caller may see",
    description=(
        "The caller's own completions, and their establishment's staff's if they are its "
        "prison CT lead, newest first. Regional coordinators and national roles see figures "
        "only (on the pages), never named records: their list is their own (usually empty)."
    ),
)
def training_list(request: HttpRequest, filters: Query[CompletionQuery]) -> dict[str, Any]:
    items = completions_for(api_user(request))
    if filters.staff:
        items = items.filter(staff__username=filters.staff)
    if filters.course:
        items = items.filter(course_code=filters.course)
    return paginate(items, filters)


@router.post(
    "/workforce/training",
    response={201: CompletionOut, 400: ErrorOut, 403: ErrorOut},
    summary="Record a training completion (an establishment's prison CT lead)",
    description=(
        "Records that a member of the caller's establishment's staff completed a course the "
        "courses file requires of them there. 400 with field errors for a member of staff "
        "outside the establishment (``staff``), a course unknown or not required "
        "(``course``), a date in the future (``completed_on``); nothing is stored."
    ),
)
def training_record(request: HttpRequest, payload: CompletionIn) -> Status:
    completion = completion_record(
        actor=api_user(request),
        staff=payload.staff,
        course_code=payload.course,
        completed_on=payload.completed_on,
        evidence_note=payload.evidence_note,
        request=request,
    )
    return Status(201, completion)
