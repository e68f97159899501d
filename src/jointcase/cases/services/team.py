"""Who has access to a case: its team, exclusions and grants (``case_team_manage_refusal``:
the lead NSD practitioner or the senior operational lead on the team).

See ``jointcase.cases.services`` for what every case service does."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from jointcase.access.cases import (
    acts_on,
    case_team_manage_refusal,
)
from jointcase.agencies.models import Agency, Team
from jointcase.cases.models import (
    Case,
    CaseAccessGrant,
    CaseExclusion,
    CaseRole,
    CaseTeamMember,
    TimelineKind,
)
from jointcase.cases.services._common import (
    _audit,
    _case,
    _case_of,
    _touch,
    timeline_add,
)
from jointcase.cases.signals import case_team_member_added, case_team_member_ended
from jointcase.lib.edits import choice_check, jsonable

if TYPE_CHECKING:
    from jointcase.accounts.models import User


@acts_on(case_team_manage_refusal, _case, "case.team_member_add")
@transaction.atomic
def team_member_add(
    *,
    actor: User,
    case: Case,
    role: str,
    user: User | None = None,
    team: Team | None = None,
    agency: Agency | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    request: HttpRequest | None = None,
) -> CaseTeamMember:
    choice_check(role, CaseRole, "role", "Choose a case role from the list")
    if (user is None) == (team is None):
        raise ValidationError({"user": "Choose a person or a team (one, not both)"})
    if user is not None and not user.is_active:
        raise ValidationError({"user": "This user's account is not active"})
    if user is not None and CaseExclusion.objects.filter(case=case, user=user).exists():
        raise ValidationError({"user": "This user is excluded from the case"})
    begin = start or timezone.localdate()
    if end is not None and end < begin:
        raise ValidationError({"end": "The end date must be on or after the start date"})
    member_agency = agency or (user.agency if user is not None else team.agency if team else None)
    if member_agency is None:
        raise ValidationError({"agency": "Choose the member's agency"})
    member = CaseTeamMember.objects.create(
        case=case, user=user, team=team, role=role, agency=member_agency, start=begin, end=end
    )
    _touch(case)
    who = str(user) if user is not None else f"team {team}"
    timeline_add(
        case=case,
        kind=TimelineKind.TEAM,
        actor=actor,
        agency=member_agency,
        title=f"{who} joined the case team as {CaseRole(role).label}",
    )
    _audit(
        "case.team_member_add",
        actor,
        case,
        request,
        member_id=member.pk,
        member_user_id=user.pk if user else None,
        member_team_id=team.pk if team else None,
        changes={
            "member": [None, f"{who}:{role}"],
            "start": [None, begin.isoformat()],
            "end": [None, jsonable(end)],
        },
    )
    case_team_member_added.send(sender=Case, case=case, member=member)
    return member


@acts_on(case_team_manage_refusal, _case_of("member"), "case.team_member_remove")
@transaction.atomic
def team_member_remove(
    *, actor: User, member: CaseTeamMember, request: HttpRequest | None = None
) -> None:
    """Take a member off the case team with immediate effect (their next request is denied).

    The membership's last day becomes yesterday; a membership that started today is deleted
    (the audit entry and the timeline keep the record).
    """
    today = timezone.localdate()
    case = member.case
    who = str(member.user) if member.user_id else f"team {member.team}"
    before = member.end
    if member.start >= today:
        member_id = member.pk
        member.delete()
        after = "deleted"
    else:
        member_id = member.pk
        member.end = today - dt.timedelta(days=1) if before is None or before >= today else before
        member.save(update_fields=["end"])
        after = member.end.isoformat()
    _touch(case)
    timeline_add(case=case, kind=TimelineKind.TEAM, actor=actor, title=f"{who} left the case team")
    _audit(
        "case.team_member_remove",
        actor,
        case,
        request,
        member_id=member_id,
        changes={"end": [jsonable(before), after]},
    )
    case_team_member_ended.send(sender=Case, case=case, member=member)


@acts_on(case_team_manage_refusal, _case, "case.exclusion_add")
@transaction.atomic
def exclusion_add(
    *, actor: User, case: Case, user: User, reason: str, request: HttpRequest | None = None
) -> CaseExclusion:
    """Exclude a named user: they never see the case, whatever else they hold, and their
    invitations to the planned meetings about it are withdrawn in the same transaction
    (``meetings.services.invitations.invitations_withdraw_for_exclusion``)."""
    if not (reason or "").strip():
        raise ValidationError({"reason": "Enter the reason for the exclusion"})
    try:
        with transaction.atomic():
            exclusion = CaseExclusion.objects.create(
                case=case, user=user, reason=reason.strip(), created_by=actor
            )
    except IntegrityError as error:
        raise ValidationError({"user": "This user is already excluded from the case"}) from error
    _touch(case)
    timeline_add(
        case=case, kind=TimelineKind.ACCESS, actor=actor, title="A user was excluded from the case"
    )
    _audit(
        "case.exclusion_add",
        actor,
        case,
        request,
        reason=reason,
        excluded_user_id=user.pk,
        changes={"exclusion": [None, user.get_username()]},
    )
    # Their invitations to the planned meetings about the case go in the same transaction
    # (imported here: meetings depends on cases, never the other way at import time).
    from jointcase.meetings.services.invitations import invitations_withdraw_for_exclusion  # noqa: PLC0415 - cycle: meetings imports cases

    invitations_withdraw_for_exclusion(actor=actor, case=case, user=user, request=request)
    return exclusion


@acts_on(case_team_manage_refusal, _case_of("exclusion"), "case.exclusion_remove")
@transaction.atomic
def exclusion_remove(
    *, actor: User, exclusion: CaseExclusion, reason: str, request: HttpRequest | None = None
) -> None:
    if not (reason or "").strip():
        raise ValidationError({"reason": "Enter the reason for lifting the exclusion"})
    case = exclusion.case
    _audit(
        "case.exclusion_remove",
        actor,
        case,
        request,
        reason=reason,
        excluded_user_id=exclusion.user_id,
        changes={"exclusion": [exclusion.user.get_username(), None]},
    )
    exclusion.delete()
    _touch(case)
    timeline_add(case=case, kind=TimelineKind.ACCESS, actor=actor, title="An exclusion was lifted")


@acts_on(case_team_manage_refusal, _case, "case.grant_create")
@transaction.atomic
def grant_create(
    *,
    actor: User,
    case: Case,
    user: User,
    reason: str,
    expires_at: dt.datetime,
    starts_at: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> CaseAccessGrant:
    """An explicit, time-limited grant of need-to-know (an exclusion still beats it)."""
    begin = starts_at or timezone.now()
    errors: dict[str, str] = {}
    if not (reason or "").strip():
        errors["reason"] = "Enter the reason for the grant"
    if expires_at <= begin:
        errors["expires_at"] = "The grant must expire after it starts"
    if errors:
        raise ValidationError(errors)
    grant = CaseAccessGrant.objects.create(
        case=case,
        user=user,
        reason=reason.strip(),
        granted_by=actor,
        starts_at=begin,
        expires_at=expires_at,
    )
    _touch(case)
    timeline_add(
        case=case,
        kind=TimelineKind.ACCESS,
        actor=actor,
        title=f"Access granted to {user} until {timezone.localtime(expires_at):%d %B %Y %H:%M}",
    )
    _audit(
        "case.grant_create",
        actor,
        case,
        request,
        reason=reason,
        grant_id=grant.pk,
        grantee_id=user.pk,
        changes={"grant": [None, f"{user.get_username()} until {expires_at.isoformat()}"]},
    )
    return grant


@acts_on(case_team_manage_refusal, _case_of("grant"), "case.grant_revoke")
@transaction.atomic
def grant_revoke(
    *, actor: User, grant: CaseAccessGrant, request: HttpRequest | None = None
) -> CaseAccessGrant:
    if grant.revoked_at is None:
        grant.revoked_at = timezone.now()
        grant.save(update_fields=["revoked_at"])
        _touch(grant.case)
        timeline_add(
            case=grant.case,
            kind=TimelineKind.ACCESS,
            actor=actor,
            title=f"Access grant to {grant.user} revoked",
        )
        _audit(
            "case.grant_revoke",
            actor,
            grant.case,
            request,
            grant_id=grant.pk,
            changes={"revoked_at": [None, grant.revoked_at.isoformat()]},
        )
    return grant
