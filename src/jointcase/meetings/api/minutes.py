"""Minutes sections and decisions recorded at a meeting, in the API."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja.responses import Status

from jointcase.agencies.models import Agency, Caveat
from jointcase.api_common import (
    ErrorOut,
    api_user,
    field_errors,
)
from jointcase.meetings import selectors
from jointcase.meetings.api._common import (
    _editable_meeting,
    router,
)
from jointcase.meetings.api.schemas import (
    DecisionIn,
    DecisionOut,
    SectionAddedOut,
    SectionIn,
)
from jointcase.meetings.services import decisions as decision_services
from jointcase.meetings.services import minutes as minutes_services


def _codes(model: Any, codes: list[str], field: str, what: str) -> list[Any] | Status:
    """Active caveats or agencies by code (the controlled vocabularies); an unknown code is a
    400 on ``field``."""
    wanted = sorted({code.strip() for code in codes if code.strip()})
    found = {obj.code: obj for obj in model.objects.filter(code__in=wanted, is_active=True)}
    unknown = [code for code in wanted if code not in found]
    if unknown:
        return Status(
            400, field_errors(ValidationError({field: f"Unknown {what}: {', '.join(unknown)}"}))
        )
    return [found[code] for code in wanted]


@router.post(
    "/meetings/{meeting_id}/minutes",
    response={201: SectionAddedOut, 400: ErrorOut, 403: ErrorOut},
    summary="Add a labelled section to the minutes (the originator is the caller's agency)",
)
def section_add(request: HttpRequest, meeting_id: str, payload: SectionIn) -> Any:
    user = api_user(request)
    meeting = _editable_meeting(request, meeting_id)
    case = (
        selectors.case_for_actions(user=user, case_id=payload.case, request=request)
        if payload.case is not None
        else None
    )
    caveats = _codes(Caveat, payload.caveats, "caveats", "caveat")
    if isinstance(caveats, Status):
        return caveats
    releasable = _codes(Agency, payload.releasable_to, "releasable_to", "agency")
    if isinstance(releasable, Status):
        return releasable
    return Status(
        201,
        minutes_services.minutes_section_add(
            actor=user,
            meeting=meeting,
            heading=payload.heading,
            body=payload.body,
            case=case,
            classification=payload.classification,
            caveats=caveats,
            releasable_to=releasable or None,
            withheld_display=payload.withheld_display,
            other_agency_attendees=payload.other_agency_attendees,
            request=request,
        ),
    )


@router.post(
    "/meetings/{meeting_id}/decisions",
    response={201: DecisionOut, 400: ErrorOut, 403: ErrorOut},
    summary="Record a decision on one of the meeting's cases",
)
def decision_add(request: HttpRequest, meeting_id: str, payload: DecisionIn) -> Any:
    user = api_user(request)
    meeting = _editable_meeting(request, meeting_id)
    case = selectors.case_for_actions(user=user, case_id=payload.case, request=request)
    return Status(
        201,
        decision_services.decision_record(
            actor=user, meeting=meeting, case=case, text=payload.text, request=request
        ),
    )
