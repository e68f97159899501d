"""Agreed actions in the API: the caller's queue, a case's actions, agreeing and steering one."""

from __future__ import annotations

from collections.abc import Callable
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
from jointcase.cases.models import Case
from jointcase.meetings import selectors
from jointcase.meetings.api._common import (
    _case_key,
    _owner,
    router,
)
from jointcase.meetings.api.schemas import (
    ActionCompleteIn,
    ActionIn,
    ActionOut,
    ActionPage,
    ActionQuery,
    DueIn,
    ReassignIn,
    StatusIn,
)
from jointcase.meetings.models import (
    AgreedAction,
)
from jointcase.meetings.services import actions as action_services


@router.get("/actions/mine", response=ActionPage, summary="Actions the caller owns")
def actions_mine(request: HttpRequest, filters: Query[ActionQuery]) -> dict[str, Any]:
    due = filters.due if filters.due in selectors.DUE_FILTERS else None
    items = selectors.my_actions_for(
        api_user(request),
        status=filters.status or "open_all",
        due=due,
        case_id=_case_key(filters.case),
    )
    return paginate(items, filters)


@router.get("/actions/{action_id}", response=ActionOut, summary="One agreed action")
def action_read(request: HttpRequest, action_id: str) -> Any:
    return selectors.action_get_for(user=api_user(request), action_id=action_id, request=request)


@router.get("/cases/{case_id}/actions", response=ActionPage, summary="Agreed actions on a case")
def case_actions(request: HttpRequest, case_id: str, filters: Query[PageQuery]) -> dict[str, Any]:
    user = api_user(request)
    case = selectors.case_for_actions(user=user, case_id=case_id, request=request)
    return paginate(
        selectors.case_actions_for(user=user, case=case).order_by("due_date", "id"), filters
    )


@router.post(
    "/cases/{case_id}/actions", response={201: ActionOut, 400: ErrorOut}, summary="Agree an action"
)
def action_create(request: HttpRequest, case_id: str, payload: ActionIn) -> Any:
    user = api_user(request)
    case: Case = selectors.case_for_actions(user=user, case_id=case_id, request=request)
    meeting = None
    if payload.meeting is not None:
        meeting = selectors.meeting_get_for(user=user, meeting_id=payload.meeting, request=request)
    owner = _owner(payload.owner)
    return Status(
        201,
        action_services.action_create(
            actor=user,
            case=case,
            description=payload.description,
            owner=owner,
            due_date=payload.due_date,
            priority=payload.priority,
            meeting=meeting,
            source_kind=payload.source_kind or ("MEETING" if meeting else "ASSESSMENT"),
            source_id=payload.source_id,
            request=request,
            unknown_owner=bool(payload.owner) and owner is None,
        ),
    )


def _action(request: HttpRequest, action_id: str) -> AgreedAction:
    return selectors.action_get_for(
        user=api_user(request), action_id=action_id, request=request, action="action.write"
    )


def _action_change(
    request: HttpRequest, action_id: str, change: Callable[..., AgreedAction], **fields: Any
) -> Any:
    """One change to an action: the action (404 if the caller may not see it), then the
    service, which asks ``access.meetings`` itself (a 403 with a DENY entry if the caller may
    see the action but not do this)."""
    user = api_user(request)
    action = _action(request, action_id)
    return change(actor=user, action=action, request=request, **fields)


@router.post(
    "/actions/{action_id}/complete",
    response={200: ActionOut, 400: ErrorOut, 403: ErrorOut},
    summary="Complete an action with evidence (owner, their manager, the case's lead or seniors)",
)
def action_complete(request: HttpRequest, action_id: str, payload: ActionCompleteIn) -> Any:
    return _action_change(
        request,
        action_id,
        action_services.action_complete,
        evidence=payload.evidence,
        evidence_item_id=payload.evidence_item_id,
        expected_version=payload.version,
    )


@router.post(
    "/actions/{action_id}/reassign",
    response={200: ActionOut, 400: ErrorOut, 403: ErrorOut},
    summary="Reassign an action (owner, their manager, the case's lead or seniors)",
)
def action_reassign(request: HttpRequest, action_id: str, payload: ReassignIn) -> Any:
    owner = _owner(payload.owner)
    return _action_change(
        request,
        action_id,
        action_services.action_reassign,
        owner=owner,
        unknown_owner=bool(payload.owner) and owner is None,
        reason=payload.reason,
        expected_version=payload.version,
    )


@router.post(
    "/actions/{action_id}/status",
    response={200: ActionOut, 400: ErrorOut, 403: ErrorOut},
    summary="Change an action's status (cancelling: owner, their manager, the case's lead or "
    "seniors)",
)
def action_status(request: HttpRequest, action_id: str, payload: StatusIn) -> Any:
    return _action_change(
        request,
        action_id,
        action_services.action_update_status,
        status=payload.status,
        reason=payload.reason,
        expected_version=payload.version,
    )


@router.post(
    "/actions/{action_id}/due",
    response={200: ActionOut, 400: ErrorOut, 403: ErrorOut},
    summary="Change an action's due date (owner, their manager, the case's lead or seniors)",
)
def action_due(request: HttpRequest, action_id: str, payload: DueIn) -> Any:
    return _action_change(
        request,
        action_id,
        action_services.action_change_due,
        due_date=payload.due_date,
        reason=payload.reason,
        expected_version=payload.version,
    )
