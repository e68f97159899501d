"""Bad input: an attendee (a user, or an external attendee by agency) from an agency
the minutes are not releasable to is refused with a clear message and nothing is stored. The
meeting's own releasability and every section's count."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from jointcase.accounts.models import User
from jointcase.accounts.tokens import api_token_create
from jointcase.agencies.models import Agency
from jointcase.meetings.models import (
    Invitation,
    Meeting,
    MeetingEvent,
    MeetingType,
    OtherAgencyAttendees,
)
from jointcase.meetings.services.invitations import attendance_record, invitation_add
from jointcase.meetings.services.meetings import meeting_create, meeting_update
from jointcase.meetings.services.minutes import minutes_section_add
from tests.meetings.conftest import MeetingWorld
from tests.register_fixtures import CaseWorld

pytestmark = pytest.mark.django_db
ClientFor = Callable[[User], Client]
POLICE_ONLY = "may not receive minutes released only to CT Policing North East"


@pytest.fixture
def police_meeting(team_world: CaseWorld, keyring: object) -> Meeting:
    """A meeting of police only, with a section the police release to police only."""
    people = team_world.personas
    meeting = meeting_create(
        actor=people.ct_supervisor,
        type=MeetingType.CT_CASE_CONFERENCE,
        starts_at=timezone.now() + dt.timedelta(days=2),
        chair=people.ct_supervisor,
        cases=[team_world.case],
        invitees=[people.ctnm_officer],
    )
    minutes_section_add(
        actor=people.ct_supervisor,
        meeting=meeting,
        heading="Police only",
        body="Deployment detail (synthetic)",
        releasable_to=Agency.objects.filter(code="ctu-north-east"),
    )
    return meeting


def test_a_user_from_an_agency_a_section_is_not_released_to_is_refused(
    team_world: CaseWorld, police_meeting: Meeting, client_for: ClientFor
) -> None:
    people = team_world.personas
    before = Invitation.objects.count(), MeetingEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        invitation_add(
            actor=people.ct_supervisor, meeting=police_meeting, user=people.prison_ct_lead
        )
    assert error.value.message_dict["user"] == [f"HMP Frankland {POLICE_ONLY}"]
    response = client_for(people.ct_supervisor).post(
        f"/meetings/{police_meeting.public_id}/invite/", {"user": people.prison_ct_lead.pk}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body
    assert f"HMP Frankland {POLICE_ONLY}" in body
    assert (Invitation.objects.count(), MeetingEvent.objects.count()) == before


def test_an_external_attendee_from_such_an_agency_is_refused_on_the_page_and_in_the_api(
    team_world: CaseWorld, police_meeting: Meeting, client_for: ClientFor
) -> None:
    people = team_world.personas
    meeting = police_meeting
    before = Invitation.objects.count()
    response = client_for(people.ct_supervisor).post(
        f"/meetings/{meeting.public_id}/invite/",
        {
            "external_name": "Sam Okafor",
            "external_role": "Social worker",
            "external_agency": "Durham County Council",
        },
    )
    assert response.status_code == 400
    assert f"Durham County Council {POLICE_ONLY}" in response.content.decode()
    _token, secret = api_token_create(actor=None, user=people.ct_supervisor, name="t", days=1)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    response = api.post(
        f"/api/v1/meetings/{meeting.public_id}/invitations",
        json.dumps({"external_name": "Sam Okafor", "external_agency": "hmp-frankland"}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "external_agency", "message": f"hmp-frankland {POLICE_ONLY}"}
    ]
    response = api.post(
        f"/api/v1/meetings/{meeting.public_id}/invitations",
        json.dumps({"user": "pom.bpss"}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "user", "message": f"HMP Frankland {POLICE_ONLY}"}
    ]
    assert Invitation.objects.count() == before
    # an external attendee of an agency the section is released to is welcome
    response = api.post(
        f"/api/v1/meetings/{meeting.public_id}/invitations",
        json.dumps({"external_name": "DS Reid", "external_agency": "CT Policing North East"}),
        content_type="application/json",
    )
    assert response.status_code == 201


def test_a_narrow_section_is_refused_while_an_invitee_of_another_agency_may_not_receive_it(
    meeting_world: MeetingWorld, client_for: ClientFor
) -> None:
    people = meeting_world.world.personas
    police = Agency.objects.get(code="ctu-north-east")
    response = client_for(people.ct_supervisor).post(
        f"/meetings/{meeting_world.meeting.public_id}/minutes/new/",
        {
            "heading": "Police only",
            "body": "Deployment detail (synthetic)",
            "case": meeting_world.world.case.pk,
            "classification": "OFFICIAL-SENSITIVE",
            "releasable_to": [police.code],
            "withheld_display": "SHOW_PLACEHOLDER",
            "other_agency_attendees": "REFUSE",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "is invited and may not receive a section released only to CT Policing North East" in (
        body
    )
    assert "choose to withhold it from attendees of other agencies" in body
    assert meeting_world.meeting.sections.count() == 3


def test_the_originator_may_admit_other_agencies_and_withhold_the_section_from_them(
    meeting_world: MeetingWorld, client_for: ClientFor
) -> None:
    people = meeting_world.world.personas
    meeting = meeting_world.meeting
    section = minutes_section_add(
        actor=people.ct_supervisor,
        meeting=meeting,
        heading="Police only",
        body="Deployment detail (synthetic)",
        releasable_to=Agency.objects.filter(code="ctu-north-east"),
        other_agency_attendees=OtherAgencyAttendees.WITHHOLD,
    )
    invitation = invitation_add(
        actor=people.ct_supervisor, meeting=meeting, user=people.prison_ct_lead
    )
    attendance_record(actor=people.ct_supervisor, invitation=invitation, attended=True)
    page = client_for(people.prison_ct_lead).get(f"/meetings/{meeting.public_id}/").content.decode()
    assert "Covert source reports" in page  # SC attendee: the unrestricted SECRET section
    assert "Deployment detail" not in page
    assert "Section withheld: held by CT Policing North East at OFFICIAL-SENSITIVE" in page
    police_page = (
        client_for(people.ctnm_officer).get(f"/meetings/{meeting.public_id}/").content.decode()
    )
    assert "Deployment detail" in police_page
    assert section.other_agency_attendees == OtherAgencyAttendees.WITHHOLD


def test_without_any_restriction_an_external_attendee_of_any_agency_is_invited(
    meeting_world: MeetingWorld,
) -> None:
    invitation = invitation_add(
        actor=meeting_world.world.personas.ct_supervisor,
        meeting=meeting_world.meeting,
        external_name="Sam Okafor",
        external_role="Social worker",
        external_agency="Durham County Council",
    )
    assert invitation.agency_name == "Durham County Council"


def test_recording_attendance_of_someone_the_minutes_may_not_go_to_is_refused(
    team_world: CaseWorld, police_meeting: Meeting, client_for: ClientFor
) -> None:
    people = team_world.personas
    invitation = police_meeting.invitations.get(user=people.ctnm_officer)
    # the officer moves to the prison service after he was invited
    User.objects.filter(pk=people.ctnm_officer.pk).update(
        agency=Agency.objects.get(code="hmp-frankland")
    )
    response = client_for(people.ct_supervisor).post(
        f"/meetings/{police_meeting.public_id}/attendance/",
        {"invitation": str(invitation.public_id), "outcome": "attended"},
    )
    assert response.status_code == 400
    assert f"HMP Frankland {POLICE_ONLY}" in response.content.decode()
    invitation.refresh_from_db()
    assert not invitation.attended
    # apologies are still recorded: nothing is sent to someone who was not there
    invitation.user = User.objects.get(pk=people.ctnm_officer.pk)
    attendance_record(
        actor=people.ct_supervisor, invitation=invitation, attended=False, apologies=True
    )


def test_a_meeting_whose_chair_or_invitee_may_not_receive_its_minutes_is_not_stored(
    team_world: CaseWorld, keyring: object, client_for: ClientFor
) -> None:
    people = team_world.personas
    police = Agency.objects.filter(code="ctu-north-east")
    with pytest.raises(ValidationError) as error:
        meeting_create(
            actor=people.ct_supervisor,
            type=MeetingType.CT_CASE_CONFERENCE,
            starts_at=timezone.now() + dt.timedelta(days=2),
            chair=people.nsd_lead,
            cases=[team_world.case],
            minutes_releasable_to=police,
        )
    assert error.value.message_dict["chair"] == [f"NSD North {POLICE_ONLY}"]
    day = timezone.localdate() + dt.timedelta(days=3)
    response = client_for(people.ct_supervisor).post(
        "/meetings/new/",
        {
            "type": "MAPPA_L3",
            "day-day": day.day,
            "day-month": day.month,
            "day-year": day.year,
            "time": "10:30",
            "chair": people.ct_supervisor.pk,
            "cases": [team_world.case.pk],
            "invitees": [people.pom.pk],
            "minutes_releasable_to": [a.code for a in police],
        },
    )
    assert response.status_code == 400
    assert f"HMP Frankland {POLICE_ONLY}" in response.content.decode()
    assert not Meeting.objects.exists()


def test_a_new_chair_who_may_not_receive_the_minutes_is_refused(
    team_world: CaseWorld, police_meeting: Meeting
) -> None:
    people = team_world.personas
    with pytest.raises(ValidationError) as error:
        meeting_update(
            actor=people.ct_supervisor,
            meeting=police_meeting,
            expected_version=police_meeting.version,
            chair=people.nsd_lead,
        )
    assert error.value.message_dict["chair"] == [f"NSD North {POLICE_ONLY}"]
    assert Meeting.objects.get(pk=police_meeting.pk).chair == people.ct_supervisor
