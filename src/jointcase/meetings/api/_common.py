"""The meetings API's one router and what its operations share: how a service's answer or
refusal becomes the API's (``jointcase.api_common``'s error shape)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import Router
from ninja.responses import Status

from jointcase.access.acting import NotPermitted
from jointcase.accounts.models import User
from jointcase.api_common import (
    api_user,
    field_errors,
    refusal_body,
    stale_edit_body,
    token_auth,
)
from jointcase.cases.models import Case
from jointcase.lib.edits import ConcurrentEdit
from jointcase.meetings import selectors
from jointcase.meetings.services import checks

router = Router(tags=["meetings"], auth=token_auth())


def _owner(username: str | None) -> User | None:
    if not username:
        return None
    return User.objects.filter(username=username, is_active=True).first()


def _forbidden(error: PermissionDenied) -> Status:
    return Status(403, refusal_body(str(error)))


def _write(call: Callable[[], Any], *, status: int = 200) -> Any:
    """A service call's result (as ``status``: 201 created, 204 nothing to return), or its
    refusal as the API answers it: 400 keyed by field (a stale ``version`` included), 403 when
    ``access`` refuses an actor who may see the object (``NotPermitted``), and a 404 where the
    caller may not see what it was given (a hidden refusal, as for a missing object)."""
    try:
        result = call()
    except ValidationError as error:
        return Status(400, field_errors(error))
    except ConcurrentEdit as error:
        return Status(400, stale_edit_body(error))
    except NotPermitted as error:
        if error.hidden:
            raise Http404("Not found") from None
        return _forbidden(error)
    except PermissionDenied:
        raise Http404("Not found") from None
    if status == 200:
        return result
    return Status(status, None if status == 204 else result)


def _case_key(public_id: uuid.UUID | None) -> int | None:
    """A case filter as the internal key the selectors filter on: None for no filter, 0 (which
    matches nothing) for a case that does not exist, the same answer as for a hidden case."""
    if public_id is None:
        return None
    return Case.objects.filter(public_id=public_id).values_list("pk", flat=True).first() or 0


def _editable_meeting(request: HttpRequest, meeting_id: str) -> Any:
    """The meeting (404 if the caller may not see it), or a 403 if they may not change it."""
    user = api_user(request)
    meeting = selectors.meeting_get_for(
        user=user, meeting_id=meeting_id, request=request, action="meeting.change"
    )
    try:
        checks.meeting_editor_require(actor=user, meeting=meeting, request=request)
    except PermissionDenied as error:
        return _forbidden(error)
    return meeting
