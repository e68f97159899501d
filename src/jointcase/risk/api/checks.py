"""Required checks in the API: a case's checks, the caller's own, completing one, and the
compliance figures, scoped and refused exactly like the pages (same selectors and services;
the errors of ``jointcase.api_common``: 400 by field, 403 for a visible refusal, 404 alike for
missing and forbidden)."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import Enum
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from jointcase.access.acting import permission_require
from jointcase.access.checks import compliance_refusal
from jointcase.access.material import material_decision
from jointcase.api_common import (
    ErrorOut,
    IsoDate,
    PageQuery,
    api_user,
    paginate,
    rules,
    token_auth,
)
from jointcase.cases.selectors import case_get_for
from jointcase.risk.check_rules import rules_current
from jointcase.risk.models.checks import CheckOutcome
from jointcase.risk.selectors.checks import (
    GROUPS,
    DueFilters,
    case_checks_for,
    check_get_for,
    checks_due_for,
    compliance_for,
)
from jointcase.risk.services.checks_acts import check_complete

router = Router(tags=["required checks"], auth=token_auth(write_scope="write:risk"))

CheckOutcomeName = Enum("CheckOutcomeName", {v: v for v in CheckOutcome.values}, type=str)  # type: ignore[misc]
GroupName = Enum("GroupName", {g: g for g in GROUPS}, type=str)  # type: ignore[misc]
ScopeName = Enum("ScopeName", {"mine": "mine", "team": "team"}, type=str)
MAX_PERIOD_DAYS = 3 * 366


class CheckOut(Schema):
    id: uuid.UUID = Field(..., description="The check's opaque identifier")
    case: uuid.UUID = Field(..., description="The case's opaque identifier")
    check_type: str = Field(..., description="The check type's code in the rules file")
    check_type_label: str
    rule: str
    trigger: str
    responsible_role: str
    triggered_on: dt.date
    due_on: dt.date
    original_due_on: dt.date
    status: str
    overdue: bool
    escalation_level: int
    requested_on: dt.date | None
    sent_to: str
    received_on: dt.date | None
    outcome: str
    completed_on: dt.date | None
    material: list[uuid.UUID] = Field(..., description="Linked items the caller may see")

    @staticmethod
    def resolve_id(obj: Any) -> uuid.UUID:
        return obj.public_id

    @staticmethod
    def resolve_case(obj: Any) -> uuid.UUID:
        return obj.case.public_id

    @staticmethod
    def resolve_check_type_label(obj: Any) -> str:
        return rules_current().label_of(obj.check_type)

    @staticmethod
    def resolve_rule(obj: Any) -> str:
        return obj.rule_code

    @staticmethod
    def resolve_overdue(obj: Any) -> bool:
        return bool(obj.is_overdue(timezone.localdate()))

    @staticmethod
    def resolve_material(obj: Any, context: Any) -> list[uuid.UUID]:
        user = context["request"].user
        return [item.pk for item in obj.material.all() if material_decision(user, item).allowed]


class CheckPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[CheckOut]


class MineQuery(PageQuery):
    scope: ScopeName = Field(ScopeName("mine"), description="mine or team")
    check_type: str | None = Field(None, max_length=60)
    case: str | None = Field(None, max_length=20, description="A case reference (JC-000001)")
    due_by: IsoDate | None = Field(None, description="Only checks due on or before this date")


class CheckCompleteIn(Schema):
    outcome: CheckOutcomeName
    requested_on: IsoDate = Field(
        ...,
        description="When the check was asked (today or earlier)",
        json_schema_extra=rules("today-or-earlier"),
    )
    received_on: IsoDate = Field(
        ...,
        description="When the reply came (on or after requested_on, today or earlier)",
        json_schema_extra=rules("on-or-after-field", "today-or-earlier"),
    )
    sent_to: str = Field("", max_length=200)
    notes: str = Field("", max_length=5000)
    material: list[uuid.UUID] = Field(default_factory=list, max_length=20)


class ComplianceQuery(Schema):
    from_: IsoDate = Field(..., alias="from")
    to: IsoDate = Field(
        ...,
        description="On or after from, at most three years after it",
        json_schema_extra=rules("on-or-after-field", "at-most-three-years"),
    )
    group_by: list[GroupName] = Field(default_factory=lambda: [GroupName("type")], max_length=2)


class ComplianceRowOut(Schema):
    key: list[str]
    labels: list[str]
    due: int
    on_time: int
    percent: int | None


class ComplianceOut(Schema):
    from_: IsoDate = Field(..., alias="from")
    to: IsoDate
    group_by: list[str]
    due: int
    on_time: int
    percent: int | None
    rows: list[ComplianceRowOut]


@router.get("/cases/{case_id}/checks", response=CheckPage, summary="Required checks on a case")
def case_checks(request: HttpRequest, case_id: str, filters: Query[PageQuery]) -> dict[str, Any]:
    user = api_user(request)
    case = case_get_for(user=user, case_id=case_id, request=request)
    return paginate(case_checks_for(user, case).select_related("case"), filters)


@router.get("/checks/mine", response=CheckPage, summary="Open checks for the caller or their team")
def checks_mine(request: HttpRequest, filters: Query[MineQuery]) -> dict[str, Any]:
    items = checks_due_for(
        api_user(request),
        DueFilters(
            scope=filters.scope.value,
            check_type=filters.check_type or "",
            case_reference=filters.case or "",
            due_by=filters.due_by,
        ),
    ).prefetch_related("material")
    return paginate(items, filters)


@router.post(
    "/checks/{check_id}/complete",
    response={200: CheckOut, 400: ErrorOut, 403: ErrorOut},
    summary="Complete a check (its responsible role only)",
)
def check_complete_op(request: HttpRequest, check_id: str, payload: CheckCompleteIn) -> Any:
    user = api_user(request)
    check = check_get_for(user, check_id, request=request)
    return check_complete(
        actor=user,
        check=check,
        outcome=payload.outcome.value,
        requested_on=payload.requested_on,
        received_on=payload.received_on,
        sent_to=payload.sent_to,
        notes=payload.notes,
        material_ids=payload.material,
        request=request,
    )


@router.get(
    "/compliance/checks",
    response={200: ComplianceOut, 400: ErrorOut, 403: ErrorOut},
    summary="Checks completed on time out of checks due, grouped",
)
def compliance_checks(request: HttpRequest, query: Query[ComplianceQuery]) -> Any:
    user = api_user(request)
    permission_require(
        actor=user,
        refusal=compliance_refusal(user),
        action="check.compliance",
        object_type="checks",
        object_id="compliance",
        request=request,
    )
    groups = tuple(dict.fromkeys(g.value for g in query.group_by)) or ("type",)
    if query.to < query.from_:
        raise ValidationError({"to": "The end of the period must be on or after its start"})
    if (query.to - query.from_).days > MAX_PERIOD_DAYS:
        raise ValidationError({"to": "Choose a period of three years or less"})
    rows = compliance_for(user, start=query.from_, end=query.to, group_by=groups)
    due = sum(r.due for r in rows)
    on_time = sum(r.on_time for r in rows)
    return {
        "from": query.from_,
        "to": query.to,
        "group_by": list(groups),
        "due": due,
        "on_time": on_time,
        "percent": round(100 * on_time / due) if due else None,
        "rows": [
            {
                "key": list(r.key),
                "labels": list(r.labels),
                "due": r.due,
                "on_time": r.on_time,
                "percent": r.percent,
            }
            for r in rows
        ],
    }
