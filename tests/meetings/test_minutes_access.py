"""Minutes at each reader's clearance and need-to-know; the meeting rule; releasability."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from jointcase.access.meetings import (
    meeting_decision,
    meeting_filter,
    section_decision,
    section_filter,
)
from jointcase.agencies.models import Agency
from jointcase.audit.models import AuditEntry
from jointcase.meetings import selectors
from jointcase.meetings.models import Invitation, Meeting, MeetingType, MinutesSection
from jointcase.meetings.services.actions import action_complete, action_create
from jointcase.meetings.services.invitations import attendance_record, invitation_add
from jointcase.meetings.services.meetings import meeting_create
from jointcase.meetings.services.minutes import minutes_section_add
from tests.meetings.conftest import MeetingWorld

pytestmark = pytest.mark.django_db


def test_the_bpss_pom_who_attended_sees_the_secret_section_withheld(
    meeting_world: MeetingWorld,
) -> None:
    pom = meeting_world.world.personas.pom
    minutes = selectors.minutes_for(user=pom, meeting=meeting_world.meeting)
    shown = [(s.heading, s.withheld) for s in minutes.sections]
    assert shown == [("Probation update", False), ("", True)]
    assert (
        minutes.sections[1].withheld_text
        == "Section withheld: held by CT Policing North East at SECRET"
    )
    assert all("Covert source" not in (s.body or "") for s in minutes.sections)
    assert all("Surveillance" not in (s.body or "") for s in minutes.sections)
    assert minutes.marking == "OFFICIAL-SENSITIVE"
    entry = AuditEntry.objects.filter(action="meeting.minutes.read", actor_id=pom.pk).latest("seq")
    assert entry.details["withheld"] == [
        meeting_world.secret_section.pk,
        meeting_world.omitted_section.pk,
    ]


def test_a_cleared_practitioner_on_the_case_reads_every_section(
    meeting_world: MeetingWorld,
) -> None:
    minutes = selectors.minutes_for(
        user=meeting_world.world.personas.nsd_practitioner, meeting=meeting_world.meeting
    )
    assert [s.body for s in minutes.sections] == [
        "Compliant with licence conditions so far.",
        "Covert source reports renewed contact with associates.",
        "Surveillance deployment planned for next week.",
    ]
    assert minutes.marking == "SECRET"


def test_an_officer_not_on_the_case_and_not_invited_cannot_find_the_meeting(
    meeting_world: MeetingWorld,
) -> None:
    people = meeting_world.world.personas
    for user in (people.officer_not_on_case, people.excluded_officer, people.national_lead):
        with pytest.raises(Http404):
            selectors.meeting_get_for(user=user, meeting_id=meeting_world.meeting.public_id)
        assert not selectors.meetings_for(user).exists()


def test_an_invitee_not_on_the_case_sees_the_agenda_and_after_attending_the_minutes(
    meeting_world: MeetingWorld,
) -> None:
    people = meeting_world.world.personas
    outsider = people.prison_ct_lead  # SC, of an agency on the case, not on the case himself
    meeting = meeting_world.meeting
    invitation = invitation_add(actor=people.ct_supervisor, meeting=meeting, user=outsider)
    assert selectors.meeting_get_for(user=outsider, meeting_id=meeting.public_id) == meeting
    before = selectors.minutes_for(user=outsider, meeting=meeting)
    assert all(s.withheld for s in before.sections)
    attendance_record(actor=people.ct_supervisor, invitation=invitation, attended=True)
    after = selectors.minutes_for(user=outsider, meeting=meeting)
    # SC-cleared attendee: every section, through attendance (not through the case).
    assert [s.withheld for s in after.sections] == [False, False, False]


def test_an_attendee_from_an_agency_not_on_the_case_gets_no_unrestricted_section(
    meeting_world: MeetingWorld,
) -> None:
    people = meeting_world.world.personas
    invitation = invitation_add(
        actor=people.ct_supervisor, meeting=meeting_world.meeting, user=people.officer_not_on_case
    )
    attendance_record(actor=people.ct_supervisor, invitation=invitation, attended=True)
    minutes = selectors.minutes_for(user=people.officer_not_on_case, meeting=meeting_world.meeting)
    assert all(s.withheld for s in minutes.sections)


def test_an_excluded_invitee_still_sees_nothing(meeting_world: MeetingWorld) -> None:
    people = meeting_world.world.personas
    Invitation.objects.create(
        meeting=meeting_world.meeting, user=people.excluded_officer, attended=True
    )
    assert not meeting_decision(people.excluded_officer, meeting_world.meeting).allowed
    assert not section_decision(people.excluded_officer, meeting_world.open_section).allowed


def test_the_decision_and_the_filter_agree_for_every_persona(meeting_world: MeetingWorld) -> None:
    people = meeting_world.world.personas
    Invitation.objects.create(
        meeting=meeting_world.meeting, user=people.officer_not_on_case, attended=True
    )
    sections = list(MinutesSection.objects.all())
    for name, user in people.all().items():
        filtered = set(
            MinutesSection.objects.filter(section_filter(user)).values_list("pk", flat=True)
        )
        decided = {s.pk for s in sections if section_decision(user, s).allowed}
        assert filtered == decided, name
        meeting_visible = Meeting.objects.filter(meeting_filter(user)).exists()
        assert meeting_visible == meeting_decision(user, meeting_world.meeting).allowed, name


def test_an_attendee_from_an_agency_the_minutes_are_not_releasable_to_is_refused(
    team_world: object, keyring: object
) -> None:
    from tests.register_fixtures import CaseWorld

    assert isinstance(team_world, CaseWorld)
    people = team_world.personas
    police_and_probation = Agency.objects.filter(code__in=["ctu-north-east", "nsd-north"])
    meeting = meeting_create(
        actor=people.ct_supervisor,
        type=MeetingType.CT_CASE_CONFERENCE,
        starts_at=timezone.now() + dt.timedelta(days=2),
        chair=people.ct_supervisor,
        cases=[team_world.case],
        minutes_releasable_to=police_and_probation,
    )
    with pytest.raises(ValidationError) as error:
        invitation_add(actor=people.ct_supervisor, meeting=meeting, user=people.pom)
    assert error.value.message_dict["user"] == [
        "HMP Frankland may not receive minutes released only to CT Policing North East, NSD North"
    ]
    assert not meeting.invitations.filter(user=people.pom).exists()
    with pytest.raises(ValidationError):
        meeting_create(
            actor=people.ct_supervisor,
            type=MeetingType.CT_CASE_CONFERENCE,
            starts_at=timezone.now() + dt.timedelta(days=2),
            chair=people.ct_supervisor,
            cases=[team_world.case],
            minutes_releasable_to=police_and_probation,
            invitees=[people.pom],
        )
    assert Meeting.objects.count() == 1


def test_a_writer_cannot_label_a_section_above_their_own_clearance(
    meeting_world: MeetingWorld,
) -> None:
    with pytest.raises(ValidationError) as error:
        minutes_section_add(
            actor=meeting_world.world.personas.pom,
            meeting=meeting_world.meeting,
            heading="Prison update",
            body="Text",
            classification="SECRET",
        )
    assert "classification" in error.value.message_dict
    assert MinutesSection.objects.count() == 3


def test_minutes_bodies_are_sealed_at_rest(meeting_world: MeetingWorld) -> None:
    raw = bytes(MinutesSection.objects.get(pk=meeting_world.secret_section.pk).body_ciphertext)
    assert b"Covert source" not in raw


def test_open_actions_are_carried_to_the_next_meeting(meeting_world: MeetingWorld) -> None:
    people = meeting_world.world.personas
    action = action_create(
        actor=people.ct_supervisor,
        case=meeting_world.world.case,
        description="Check travel plans",
        owner=people.nsd_practitioner,
        due_date=timezone.localdate() + dt.timedelta(days=5),
        meeting=meeting_world.meeting,
    )
    following = meeting_create(
        actor=people.ct_supervisor,
        type=MeetingType.MAPPA_L3,
        starts_at=timezone.now() + dt.timedelta(days=28),
        chair=people.ct_supervisor,
        cases=[meeting_world.world.case],
    )
    assert list(selectors.actions_for_review(following, user=people.ct_supervisor)) == [action]
    action_complete(actor=people.nsd_practitioner, action=action, evidence="Checked")
    assert not selectors.actions_for_review(following, user=people.ct_supervisor).exists()
