"""Every notice the meetings app sends is a generic sentence and a link: never a case reference,
a person's name or anything agreed, even to an invitee from outside the case team; and an
inactive user is never sent one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jointcase.meetings.escalation import escalate
from jointcase.meetings.models import MeetingType
from jointcase.meetings.services.actions import action_change_due, action_create, action_reassign
from jointcase.meetings.services.invitations import invitation_add
from jointcase.meetings.services.meetings import meeting_create
from jointcase.notifications.models import Notification
from tests.register_fixtures import CaseWorld

pytestmark = pytest.mark.django_db
DESCRIPTION = "Visit the associate's address in Leeds"


def test_meeting_and_action_notices_name_no_case_person_or_content(team_world: CaseWorld) -> None:
    people = team_world.personas
    meeting = meeting_create(
        actor=people.ct_supervisor,
        type=MeetingType.MAPPA_L3,
        starts_at=timezone.now() + dt.timedelta(days=1),
        chair=people.ct_supervisor,
        cases=[team_world.case],
        agenda="Risk review of JC-900001",
        invitees=[people.nsd_practitioner],
    )
    # an invitee from outside the case team
    invitation_add(actor=people.ct_supervisor, meeting=meeting, user=people.prison_ct_lead)
    action = action_create(
        actor=people.ct_supervisor,
        case=team_world.case,
        description=DESCRIPTION,
        owner=people.nsd_practitioner,
        due_date=timezone.localdate() + dt.timedelta(days=1),
        meeting=meeting,
    )
    action_reassign(
        actor=people.ct_supervisor, action=action, owner=people.ctnm_officer, reason="Leave"
    )
    escalate(today=timezone.localdate())
    notices = list(Notification.objects.all())
    assert {n.recipient_id for n in notices} >= {
        people.nsd_practitioner.pk,
        people.prison_ct_lead.pk,
        people.ctnm_officer.pk,
    }
    for notice in notices:
        for secret in (
            team_world.case.reference,
            "Holloway",
            "HOLLOWAY",
            "Daniel",
            DESCRIPTION,
            "Risk review",
        ):
            assert secret not in notice.text, notice.text
            assert secret not in notice.link, notice.link
        assert notice.link.startswith("/meetings/")


def test_an_inactive_owner_is_sent_nothing_when_their_action_changes(
    team_world: CaseWorld,
) -> None:
    people = team_world.personas
    action = action_create(
        actor=people.ct_supervisor,
        case=team_world.case,
        description=DESCRIPTION,
        owner=people.ctnm_officer,
        due_date=timezone.localdate() + dt.timedelta(days=5),
        source_kind="ASSESSMENT",
    )
    Notification.objects.all().delete()
    type(people.ctnm_officer).objects.filter(pk=people.ctnm_officer.pk).update(is_active=False)
    action.owner.refresh_from_db()
    action_change_due(
        actor=people.ct_supervisor,
        action=action,
        due_date=action.due_date + dt.timedelta(days=7),
        reason="Officer on leave",
    )
    assert not Notification.objects.filter(recipient=people.ctnm_officer).exists()
