"""The meetings services ask ``jointcase.access.meetings`` themselves: a service called directly
(a task, a script, a future view that forgets to check) by someone who may not act refuses with
``NotPermitted`` and leaves a DENY entry with the reason, however it was called, and writes
nothing else. The rules are ``Refusal``s, the one shape every app uses."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jointcase.access.acting import NotPermitted, Refusal
from jointcase.access.material import LabelFields
from jointcase.access.meetings import (
    action_due_change_refusal,
    meeting_change_refusal,
    meeting_editor_refusal,
    meeting_see_refusal,
    minutes_write_refusal,
)
from jointcase.audit.models import AuditEntry, Outcome
from jointcase.meetings.models import AgreedAction, Invitation
from jointcase.meetings.selectors import meeting_case_ids_for
from jointcase.meetings.services.actions import action_change_due, action_create
from jointcase.meetings.services.invitations import invitation_add
from tests.meetings.conftest import MeetingWorld
from tests.register_fixtures import CaseWorld

pytestmark = pytest.mark.django_db


def _officers_action(world: CaseWorld) -> AgreedAction:
    people = world.personas
    return action_create(
        actor=people.ct_supervisor,
        case=world.case,
        description="Check the associate's vehicle",
        owner=people.ctnm_officer,
        due_date=timezone.localdate() + dt.timedelta(days=5),
        source_kind="ASSESSMENT",
    )


def _denials(user_pk: int, action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(actor_id=user_pk, action=action, outcome=Outcome.DENY))


def test_a_due_date_move_called_directly_without_the_authority_is_audited_and_changes_nothing(
    team_world: CaseWorld,
) -> None:
    people = team_world.personas
    action = _officers_action(team_world)
    with pytest.raises(NotPermitted) as refused:
        action_change_due(
            actor=people.pom,
            action=action,
            due_date=action.due_date + dt.timedelta(days=30),
            reason="Pushing it back",
        )
    assert not refused.value.hidden  # the POM sees the action: 403, not 404
    assert AgreedAction.objects.get(pk=action.pk).due_date == action.due_date
    [denial] = _denials(people.pom.pk, "action.due")
    assert denial.reason == "not_owner_or_manager"


def test_an_invitee_from_outside_the_case_teams_calling_the_service_directly_cannot_invite(
    meeting_world: MeetingWorld,
) -> None:
    people = meeting_world.world.personas
    meeting = meeting_world.meeting
    invitation_add(actor=people.ct_supervisor, meeting=meeting, user=people.prison_ct_lead)
    before = Invitation.objects.filter(meeting=meeting).count()
    with pytest.raises(NotPermitted):
        invitation_add(
            actor=people.prison_ct_lead,
            meeting=meeting,
            external_name="Sam Okafor",
            external_role="Social worker",
            external_agency="Durham County Council",
        )
    assert Invitation.objects.filter(meeting=meeting).count() == before
    [denial] = _denials(people.prison_ct_lead.pk, "meeting.change")
    assert denial.reason == "not_editor"


def test_the_meetings_rules_for_acting_are_refusals_with_a_reason_and_a_message(
    meeting_world: MeetingWorld,
) -> None:
    people = meeting_world.world.personas
    action = _officers_action(meeting_world.world)
    steer = action_due_change_refusal(people.pom, action)
    assert isinstance(steer, Refusal)
    assert steer.reason == "not_owner_or_manager"
    assert "due date" in steer.message
    assert action_due_change_refusal(people.ctnm_officer, action) is None
    invitation_add(
        actor=people.ct_supervisor, meeting=meeting_world.meeting, user=people.prison_ct_lead
    )
    change = meeting_change_refusal(people.prison_ct_lead, meeting_world.meeting)
    assert isinstance(change, Refusal)
    assert change.reason == "not_editor"
    assert not change.hidden
    assert meeting_change_refusal(people.ct_supervisor, meeting_world.meeting) is None


def test_the_meeting_page_s_editor_check_agrees_with_the_change_rule_for_everyone_who_sees_it(
    meeting_world: MeetingWorld,
) -> None:
    """The meeting page offers its change links by ``meeting_editor_refusal`` with the cases it
    already read (no second decision of the meeting): for every persona who may see the
    meeting, that gives what ``meeting_change_refusal`` gives, with the cases passed or not."""
    people = meeting_world.world.personas
    meeting = meeting_world.meeting
    invitation_add(actor=people.ct_supervisor, meeting=meeting, user=people.prison_ct_lead)
    seen = 0
    for name, user in people.all().items():
        if meeting_see_refusal(user, meeting) is not None:
            continue
        seen += 1
        change = meeting_change_refusal(user, meeting)
        cases = meeting_case_ids_for(user, meeting)
        for editor in (
            meeting_editor_refusal(user, meeting, visible_case_ids=cases),
            meeting_editor_refusal(user, meeting),
        ):
            assert (editor is None) == (change is None), name
            if change is not None:
                assert editor == change, name
    assert seen >= 3  # the chair, a case-team member and the invitee from outside the teams


def test_the_minutes_writers_label_check_is_the_reach_rule_material_uses(
    meeting_world: MeetingWorld,
) -> None:
    people = meeting_world.world.personas
    agency = people.nsd_practitioner.agency_id
    top_secret = LabelFields("TOP SECRET", frozenset(), frozenset(), agency)
    refusal = minutes_write_refusal(people.nsd_practitioner, top_secret)
    assert isinstance(refusal, Refusal)
    assert refusal.reason == "clearance"
    assert refusal.message == "You cannot write a section with a label you could not read"
    official = LabelFields("OFFICIAL-SENSITIVE", frozenset(), frozenset(), agency)
    assert minutes_write_refusal(people.nsd_practitioner, official) is None
