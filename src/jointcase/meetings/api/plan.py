"""A case's risk management plan in the API."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query
from ninja.responses import Status

from jointcase.api_common import (
    ErrorOut,
    PageQuery,
    api_user,
    paginate,
)
from jointcase.meetings import selectors
from jointcase.meetings.api._common import (
    _owner,
    router,
)
from jointcase.meetings.api.schemas import (
    PlanEntryIn,
    PlanEntryOut,
    PlanPage,
)
from jointcase.meetings.services import decisions as decision_services


@router.get(
    "/cases/{case_id}/plan",
    response=PlanPage,
    summary="The case's risk management plan, pillar by pillar",
)
def risk_plan(request: HttpRequest, case_id: str, filters: Query[PageQuery]) -> dict[str, Any]:
    case = selectors.case_for_actions(user=api_user(request), case_id=case_id, request=request)
    return paginate(selectors.risk_plan_for(case=case), filters)


@router.post(
    "/cases/{case_id}/plan",
    response={201: PlanEntryOut, 400: ErrorOut},
    summary="Add an entry to the case's risk management plan",
)
def risk_plan_add(request: HttpRequest, case_id: str, payload: PlanEntryIn) -> Any:
    user = api_user(request)
    case = selectors.case_for_actions(user=user, case_id=case_id, request=request)
    owner = _owner(payload.owner)
    return Status(
        201,
        decision_services.risk_entry_add(
            actor=user,
            case=case,
            pillar=payload.pillar,
            text=payload.text,
            owner=owner,
            request=request,
            unknown_owner=bool(payload.owner) and owner is None,
        ),
    )
