"""Who is invited to a meeting and who attended; an exclusion withdraws planned invitations."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest

from jointcase.access.acting import permission_require
from jointcase.access.cases import case_team_manage_refusal
from jointcase.access.meetings import (
    external_minutes_release_refusal,
    participant_refusal,
    user_minutes_release_refusal,
)
from jointcase.accounts.models import User
from jointcase.audit.services import audit_record
from jointcase.cases.models import Case
from jointcase.lib.edits import StateConflict
from jointcase.meetings.models import Invitation, Meeting, MeetingEventKind, MeetingStatus
from jointcase.meetings.services._common import checked, meeting_event, meeting_link
from jointcase.meetings.services.checks import invitation_editor_require, meeting_editor_require
from jointcase.notifications.services import notify


def _check_user_invitee(meeting: Meeting, user: User) -> None:
    if not user.is_active:
        raise ValidationError({"user": "Select an active user"})
    refusal = participant_refusal(
        user, meeting.cases.values_list("pk", flat=True)
    ) or user_minutes_release_refusal(meeting, user)
    if refusal is not None:
        raise ValidationError({"user": refusal.message})
    if meeting.invitations.filter(user=user).exists():
        raise StateConflict({"user": "This person is already invited"})


def _check_external_invitee(meeting: Meeting, external_agency: str) -> None:
    if not external_agency.strip():
        raise ValidationError({"external_agency": "Enter the external attendee's agency"})
    refusal = external_minutes_release_refusal(meeting, external_agency)
    if refusal is not None:
        raise ValidationError({"external_agency": refusal.message})


@checked(meeting_editor_require)
def invitation_add(
    *,
    actor: User,
    meeting: Meeting,
    user: User | None = None,
    external_name: str = "",
    external_role: str = "",
    external_agency: str = "",
    request: HttpRequest | None = None,
) -> Invitation:
    """Invite a user, or an external attendee by name, role and agency. Anyone from an agency
    the minutes may not be released to is refused (``access.meetings.minutes_release_refusal``)."""
    external_name = external_name.strip()
    if (user is None) == (not external_name):
        raise ValidationError(
            {"user": "Select a user, or enter an external attendee's name (not both)"}
        )
    if user is not None:
        _check_user_invitee(meeting, user)
    else:
        _check_external_invitee(meeting, external_agency)
    invitation = Invitation.objects.create(
        meeting=meeting,
        user=user,
        external_name=external_name,
        external_role=external_role.strip(),
        external_agency=external_agency.strip(),
    )
    meeting_event(
        meeting,
        MeetingEventKind.INVITED,
        actor=actor,
        to_value=f"{invitation.display_name} ({invitation.agency_name})",
    )
    audit_record(
        action="meeting.invite",
        actor=actor,
        object_type="meeting",
        object_id=meeting.pk,
        details={"invitation": invitation.pk, "user": user.pk if user else None},
        request=request,
    )
    if user is not None and user.pk != actor.pk:
        notify(
            recipients=[user], text="You have been invited to a meeting", link=meeting_link(meeting)
        )
    return invitation


@checked(invitation_editor_require)
def invitation_remove(
    *, actor: User, invitation: Invitation, request: HttpRequest | None = None
) -> Meeting:
    """Remove an invitee (a user or an external attendee), attendance and all. A removed user
    loses the meeting and its minutes on their next request unless a case gives them access."""
    meeting = invitation.meeting
    if invitation.user_id is not None and invitation.user_id == meeting.chair_id:
        raise StateConflict({"invitation": "The chair cannot be removed: choose another chair"})
    who = f"{invitation.display_name} ({invitation.agency_name})"
    removed = {
        "invitation": invitation.pk,
        "user": invitation.user_id,
        "attended": invitation.attended,
    }
    invitation.delete()
    meeting_event(meeting, MeetingEventKind.UNINVITED, actor=actor, from_value=who)
    audit_record(
        action="meeting.uninvite",
        actor=actor,
        object_type="meeting",
        object_id=meeting.pk,
        details=removed,
        request=request,
    )
    return meeting


_OUTCOME = {(True, False): "Attended", (False, True): "Apologies", (False, False): "Invited"}


@checked(invitation_editor_require)
def attendance_record(
    *,
    actor: User,
    invitation: Invitation,
    attended: bool,
    apologies: bool = False,
    request: HttpRequest | None = None,
) -> Invitation:
    meeting = invitation.meeting
    if attended and apologies:
        raise ValidationError({"apologies": "Someone who attended did not send apologies"})
    if attended:
        refusal = (
            user_minutes_release_refusal(meeting, invitation.user)
            if invitation.user is not None
            else external_minutes_release_refusal(meeting, invitation.external_agency)
        )
        if refusal is not None:
            raise ValidationError({"attended": refusal.message})
    before = (invitation.attended, invitation.apologies)
    invitation.attended, invitation.apologies = attended, apologies
    invitation.save(update_fields=["attended", "apologies"])
    if before != (attended, apologies):
        meeting_event(
            meeting,
            MeetingEventKind.ATTENDANCE,
            actor=actor,
            field=invitation.display_name,
            from_value=_OUTCOME[before],
            to_value=_OUTCOME[(attended, apologies)],
        )
    audit_record(
        action="meeting.attendance",
        actor=actor,
        object_type="meeting",
        object_id=meeting.pk,
        details={
            "invitation": invitation.pk,
            "changes": {"attended/apologies": [list(before), [attended, apologies]]},
        },
        request=request,
    )
    return invitation


def _team_manager_require(
    *, actor: User, case: Case, request: HttpRequest | None = None, **_: object
) -> None:
    permission_require(
        actor=actor,
        refusal=case_team_manage_refusal(actor, case),
        action="meeting.uninvite_excluded",
        object_type="case",
        object_id=case.pk,
        request=request,
    )


@checked(_team_manager_require)
def invitations_withdraw_for_exclusion(
    *, actor: User, case: Case, user: User, request: HttpRequest | None = None
) -> int:
    """Withdraw ``user``'s invitations to the planned meetings about ``case``, when they are
    excluded from it (``cases.services.exclusion_add`` calls this in its own transaction,
    after asking ``access.cases.case_team_manage_refusal``; this asks it again).

    An exclusion beats every other relationship (docs/design.md "Need-to-know"): access already
    ends with it; this takes their name off the attendee lists and packs of the meetings still
    to come and ends their notifications of them. Each withdrawal is a meeting event on the
    case (shown only to readers of the case) and an audit entry. Meetings already held or
    cancelled keep their record of who was invited and who attended. They are not told. A
    planned meeting they chair keeps them as its chair (recorded in the entry) until an editor
    chooses another; they can no longer open it, and the edit form refuses them as chair.
    Returns how many invitations were withdrawn.
    """
    invitations = list(
        Invitation.objects.select_for_update(of=("self",))
        .filter(user=user, meeting__cases=case, meeting__status=MeetingStatus.PLANNED)
        .select_related("meeting", "user")
        .order_by("pk")
    )
    for invitation in invitations:
        meeting = invitation.meeting
        who = f"{invitation.display_name} ({invitation.agency_name})"
        withdrawn = {
            "invitation": invitation.pk,
            "user": invitation.user_id,
            "case": case.pk,
            "because": "case_exclusion",
            "chair": meeting.chair_id == invitation.user_id,
        }
        invitation.delete()
        meeting_event(meeting, MeetingEventKind.UNINVITED, actor=actor, from_value=who, case=case)
        audit_record(
            action="meeting.uninvite_excluded",
            actor=actor,
            object_type="meeting",
            object_id=meeting.pk,
            details=withdrawn,
            request=request,
        )
    return len(invitations)


__all__ = [
    "attendance_record",
    "invitation_add",
    "invitation_remove",
    "invitations_withdraw_for_exclusion",
]
