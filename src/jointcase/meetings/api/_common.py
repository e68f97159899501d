"""The meetings API's one router and what its operations share.

A route calls the service and returns its result; what a service raises is answered by the
exception handlers every router shares (``jointcase.api_common.register_exception_handlers``):
400 keyed by field (a stale ``version`` included), 403 when ``access`` refuses an actor who may
see the object (``NotPermitted``), and the 404 of a missing object where the caller may not see
what it was given (a hidden refusal)."""

from __future__ import annotations

import uuid

from django.http import HttpRequest
from ninja import Router

from jointcase.accounts.models import User
from jointcase.api_common import (
    api_user,
    token_auth,
)
from jointcase.cases.models import Case
from jointcase.meetings import selectors
from jointcase.meetings.models import Meeting
from jointcase.meetings.services import checks

router = Router(tags=["meetings"], auth=token_auth(write_scope="write:meetings"))


def _owner(username: str | None) -> User | None:
    if not username:
        return None
    return User.objects.filter(username=username, is_active=True).first()


def _case_key(public_id: uuid.UUID | None) -> int | None:
    """A case filter as the internal key the selectors filter on: None for no filter, 0 (which
    matches nothing) for a case that does not exist, the same answer as for a hidden case."""
    if public_id is None:
        return None
    return Case.objects.filter(public_id=public_id).values_list("pk", flat=True).first() or 0


def _editable_meeting(request: HttpRequest, meeting_id: str) -> Meeting:
    """The meeting the caller may change: a 404 if they may not see it, and ``NotPermitted``
    (a DENY entry, answered 403 by ``jointcase.api_common``'s handler) if they may see it but
    not change it."""
    user = api_user(request)
    meeting = selectors.meeting_get_for(
        user=user, meeting_id=meeting_id, request=request, action="meeting.change"
    )
    checks.meeting_editor_require(actor=user, meeting=meeting, request=request)
    return meeting
