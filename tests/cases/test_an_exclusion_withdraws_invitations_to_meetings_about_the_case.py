"""Excluding someone from a case withdraws their invitations to the planned meetings about it,
in the same transaction as the exclusion, audited: their name leaves the attendee list and
the pack, and they are told nothing. Meetings already held keep their record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jointcase.accounts.models import User
from jointcase.audit.models import AuditEntry
from jointcase.cases import services as case_services
from jointcase.cases.models import CaseExclusion
from jointcase.meetings.models import (
    Invitation,
    Meeting,
    MeetingEvent,
    MeetingEventKind,
    MeetingStatus,
    MeetingType,
)
from jointcase.meetings.services import invitations as invitation_services
from jointcase.meetings.services.invitations import invitations_withdraw_for_exclusion
from jointcase.meetings.services.meetings import meeting_create
from jointcase.notifications.models import Notification
from tests.register_fixtures import CaseWorld

pytestmark = pytest.mark.django_db


def _meeting(world: CaseWorld, *, days: int) -> Meeting:
    people = world.personas
    return meeting_create(
        actor=people.nsd_practitioner,
        type=MeetingType.MAPPA_L3,
        starts_at=timezone.now() + dt.timedelta(days=days),
        chair=people.nsd_practitioner,
        cases=[world.case],
        agenda="Pre-release planning",
        invitees=[people.ctnm_officer, people.pom],
    )


def _attendee_list(response: HttpResponse) -> str:
    """The meeting page's attendee table (the pack lists the same invitations)."""
    page = response.content.decode()
    start = page.index('id="attendees"')
    return page[start : page.index("</table>", start)]


def _exclude(world: CaseWorld, user: User) -> CaseExclusion:
    return case_services.exclusion_add(
        actor=world.personas.nsd_practitioner,
        case=world.case,
        user=user,
        reason="Conflict of interest (synthetic)",
    )


def test_excluding_someone_withdraws_their_invitation_to_a_planned_meeting_about_the_case(
    case_world: CaseWorld, client_for: Callable[[User], Client]
) -> None:
    people = case_world.personas
    meeting = _meeting(case_world, days=5)
    officer_name = people.ctnm_officer.get_full_name()
    page_url = reverse("meetings:meeting", args=[meeting.public_id])
    assert officer_name in _attendee_list(client_for(people.nsd_practitioner).get(page_url))
    notices_before = Notification.objects.filter(recipient=people.ctnm_officer).count()

    _exclude(case_world, people.ctnm_officer)

    assert not Invitation.objects.filter(meeting=meeting, user=people.ctnm_officer).exists()
    assert Invitation.objects.filter(meeting=meeting, user=people.pom).exists()
    assert officer_name not in _attendee_list(client_for(people.nsd_practitioner).get(page_url))
    entry = AuditEntry.objects.get(action="meeting.uninvite_excluded")
    assert (entry.actor_id, entry.object_type, entry.object_id) == (
        people.nsd_practitioner.pk,
        "meeting",
        str(meeting.pk),
    )
    assert entry.details["user"] == people.ctnm_officer.pk
    assert MeetingEvent.objects.filter(
        meeting=meeting, kind=MeetingEventKind.UNINVITED, case=case_world.case
    ).exists()
    # told nothing: no notice of the withdrawal (or of anything else)
    assert Notification.objects.filter(recipient=people.ctnm_officer).count() == notices_before


def test_a_meeting_already_held_keeps_its_record_of_who_was_invited(
    case_world: CaseWorld,
) -> None:
    people = case_world.personas
    held = _meeting(case_world, days=2)
    Meeting.objects.filter(pk=held.pk).update(status=MeetingStatus.HELD)
    planned = _meeting(case_world, days=9)

    _exclude(case_world, people.ctnm_officer)

    assert Invitation.objects.filter(meeting=held, user=people.ctnm_officer).exists()
    assert not Invitation.objects.filter(meeting=planned, user=people.ctnm_officer).exists()


def test_if_the_withdrawal_fails_the_exclusion_is_not_written_either(
    case_world: CaseWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    people = case_world.personas
    meeting = _meeting(case_world, days=5)

    def broken(**_kwargs: object) -> int:
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(invitation_services, "invitations_withdraw_for_exclusion", broken)
    with pytest.raises(RuntimeError):
        _exclude(case_world, people.ctnm_officer)
    assert not CaseExclusion.objects.filter(user=people.ctnm_officer).exists()
    assert Invitation.objects.filter(meeting=meeting, user=people.ctnm_officer).exists()


def test_the_withdrawal_service_refuses_someone_who_may_not_manage_the_case_team(
    case_world: CaseWorld,
) -> None:
    people = case_world.personas
    meeting = _meeting(case_world, days=5)
    with pytest.raises(PermissionDenied):
        invitations_withdraw_for_exclusion(
            actor=people.pom, case=case_world.case, user=people.ctnm_officer
        )
    assert Invitation.objects.filter(meeting=meeting, user=people.ctnm_officer).exists()
