"""The permission checks the meetings services run first (``_common.checked``), and pages and
API operations run before showing a form: each asks a ``*_refusal`` of
``jointcase.access.meetings`` and hands it to ``access.acting.permission_require`` (a DENY
audit entry with the reason, then ``NotPermitted``: 403, or 404 when the refusal is hidden
because the actor may not see the object at all)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest

from jointcase.access.acting import permission_require
from jointcase.access.meetings import (
    action_due_change_refusal,
    case_see_refusal,
    meeting_change_refusal,
    meeting_see_refusal,
)
from jointcase.accounts.models import User
from jointcase.cases.models import Case
from jointcase.meetings.models import ActionStatus, AgreedAction, Invitation, Meeting


def meeting_editor_require(
    *, actor: User, meeting: Meeting, request: HttpRequest | None = None, **_: Any
) -> None:
    """``actor`` may change ``meeting`` (``meeting_change_refusal``)."""
    permission_require(
        actor=actor,
        refusal=meeting_change_refusal(actor, meeting),
        action="meeting.change",
        object_type="meeting",
        object_id=meeting.pk,
        request=request,
    )


def invitation_editor_require(
    *, actor: User, invitation: Invitation, request: HttpRequest | None = None, **_: Any
) -> None:
    """``actor`` may change the meeting of ``invitation``."""
    meeting_editor_require(actor=actor, meeting=invitation.meeting, request=request)


def meeting_visible_require(
    *,
    actor: User,
    meeting: Meeting,
    request: HttpRequest | None = None,
    audit_action: str = "meeting.change",
    **_: Any,
) -> None:
    """``actor`` may see ``meeting`` (else hidden: the same 404 as a missing one)."""
    permission_require(
        actor=actor,
        refusal=meeting_see_refusal(actor, meeting),
        action=audit_action,
        object_type="meeting",
        object_id=meeting.pk,
        request=request,
    )


def case_visible_require(
    *,
    actor: User,
    case: Case,
    request: HttpRequest | None = None,
    audit_action: str = "case.change",
    **_: Any,
) -> None:
    """``actor`` may see ``case`` (else hidden: the same 404 as a missing one)."""
    permission_require(
        actor=actor,
        refusal=case_see_refusal(actor, case),
        action=audit_action,
        object_type="case",
        object_id=case.pk,
        request=request,
    )


def decision_require(
    *, actor: User, meeting: Meeting, case: Case, request: HttpRequest | None = None, **_: Any
) -> None:
    """A decision at ``meeting`` about ``case``: ``actor`` may see both."""
    meeting_visible_require(
        actor=actor, meeting=meeting, request=request, audit_action="meeting.decision"
    )
    case_visible_require(actor=actor, case=case, request=request, audit_action="meeting.decision")


def cases_visible_require(
    *, actor: User, cases: Iterable[Case], request: HttpRequest | None = None, **_: Any
) -> None:
    """A new meeting about ``cases`` (a list or a queryset): ``actor`` may see each."""
    for case in list(cases):
        case_visible_require(actor=actor, case=case, request=request, audit_action="meeting.create")


def minutes_writer_require(
    *, actor: User, meeting: Meeting, request: HttpRequest | None = None, **_: Any
) -> None:
    """Minutes of ``meeting``: ``actor`` may see it (the section's label is checked by the
    service: a refused label is bad input, 400)."""
    meeting_visible_require(
        actor=actor, meeting=meeting, request=request, audit_action="meeting.minutes.add"
    )


def action_case_require(
    *, actor: User, case: Case, request: HttpRequest | None = None, **_: Any
) -> None:
    """A new action on ``case``: ``actor`` may see the case."""
    case_visible_require(actor=actor, case=case, request=request, audit_action="action.create")


def plan_entry_require(
    *, actor: User, case: Case, request: HttpRequest | None = None, **_: Any
) -> None:
    """A new risk management plan entry on ``case``: ``actor`` may see the case."""
    case_visible_require(actor=actor, case=case, request=request, audit_action="case.risk_plan.add")


def _action_authority_require(
    *, actor: User, action: AgreedAction, audit_action: str, request: HttpRequest | None
) -> None:
    permission_require(
        actor=actor,
        refusal=case_see_refusal(actor, action.case) or action_due_change_refusal(actor, action),
        action=audit_action,
        object_type="action",
        object_id=action.pk,
        request=request,
    )


def action_due_change_require(
    *, actor: User, action: AgreedAction, request: HttpRequest | None = None, **_: Any
) -> None:
    """``actor`` may move the action's due date (``action_due_change_refusal``)."""
    _action_authority_require(
        actor=actor, action=action, audit_action="action.due", request=request
    )


def action_reassign_require(
    *, actor: User, action: AgreedAction, request: HttpRequest | None = None, **_: Any
) -> None:
    """``actor`` may reassign the action (the same rule as moving its due date)."""
    _action_authority_require(
        actor=actor, action=action, audit_action="action.reassign", request=request
    )


def action_complete_require(
    *, actor: User, action: AgreedAction, request: HttpRequest | None = None, **_: Any
) -> None:
    """``actor`` may complete the action (it closes it: the rule of moving its due date)."""
    _action_authority_require(
        actor=actor, action=action, audit_action="action.complete", request=request
    )


def action_status_require(
    *,
    actor: User,
    action: AgreedAction,
    status: str = "",
    request: HttpRequest | None = None,
    **_: Any,
) -> None:
    """Cancelling needs the authority of ``action_due_change_refusal``; any other status is
    for anyone who may see the action (the service validates it)."""
    if status == ActionStatus.CANCELLED:
        _action_authority_require(
            actor=actor, action=action, audit_action="action.status", request=request
        )
    else:
        permission_require(
            actor=actor,
            refusal=case_see_refusal(actor, action.case),
            action="action.status",
            object_type="action",
            object_id=action.pk,
            request=request,
        )
