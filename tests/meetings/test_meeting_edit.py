"""Changing a meeting after it is recorded: its details, the cases discussed and the invitees,
each in the meeting's history and the audit chain; removals take effect on access at once."""

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
from jointcase.audit.models import AuditEntry, Outcome
from jointcase.meetings import selectors
from jointcase.meetings.models import Invitation, Meeting, MeetingEventKind, MeetingType
from jointcase.meetings.services.invitations import attendance_record, invitation_add
from jointcase.meetings.services.meetings import meeting_cases_set
from tests.meetings.conftest import MeetingWorld
from tests.support.meetings import meeting_form_fields, second_case

pytestmark = pytest.mark.django_db
ClientFor = Callable[[User], Client]


def test_the_chair_changes_the_date_chair_and_agenda_and_the_history_shows_it(
    meeting_world: MeetingWorld, client_for: ClientFor
) -> None:
    people = meeting_world.world.personas
    meeting = meeting_world.meeting
    client = client_for(people.ct_supervisor)
    page = client.get(f"/meetings/{meeting.public_id}/").content.decode()
    assert f"/meetings/{meeting.public_id}/edit/" in page
    assert client.get(f"/meetings/{meeting.public_id}/edit/").status_code == 200
    new_day = timezone.localdate() + dt.timedelta(days=9)
    response = client.post(
        f"/meetings/{meeting.public_id}/edit/",
        meeting_form_fields(
            meeting,
            **{"day-day": new_day.day, "day-month": new_day.month, "day-year": new_day.year},
            time="14:15",
            chair=people.nsd_lead.pk,
            agenda="Risk review; travel plans",
            type=MeetingType.MAPPA_L2,
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    meeting.refresh_from_db()
    assert timezone.localtime(meeting.starts_at).date() == new_day
    assert f"{timezone.localtime(meeting.starts_at):%H:%M}" == "14:15"
    assert (meeting.chair, meeting.agenda, meeting.type) == (
        people.nsd_lead,
        "Risk review; travel plans",
        MeetingType.MAPPA_L2,
    )
    assert meeting.invitations.filter(user=people.nsd_lead).exists()  # the new chair is invited
    fields = set(
        meeting.events.filter(kind=MeetingEventKind.CHANGED).values_list("field", flat=True)
    )
    assert fields == {"starts_at", "chair", "agenda", "type"}
    entry = AuditEntry.objects.filter(action="meeting.update").latest("seq")
    assert set(entry.details["changes"]) == {"starts_at", "chair", "agenda", "type"}
    history = client.get(f"/meetings/{meeting.public_id}/").content.decode()
    assert "Changed</strong> (chair)" in history
    assert "MAPPA level 3 &rarr; MAPPA level 2" in history


def test_bad_input_on_the_edit_page_changes_nothing(
    meeting_world: MeetingWorld, client_for: ClientFor
) -> None:
    people = meeting_world.world.personas
    meeting = meeting_world.meeting
    client = client_for(people.ct_supervisor)
    response = client.post(
        f"/meetings/{meeting.public_id}/edit/",
        meeting_form_fields(meeting, cases=[], agenda="Changed agenda", **{"day-year": ""}),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body
    assert "must include a year" in body
    response = client.post(
        f"/meetings/{meeting.public_id}/edit/",
        meeting_form_fields(meeting, cases=[], agenda="Changed agenda"),
    )
    assert response.status_code == 400
    assert "Select at least one case to discuss" in response.content.decode()
    stale = client.post(
        f"/meetings/{meeting.public_id}/edit/", meeting_form_fields(meeting, version=0)
    )
    assert "Someone else changed this meeting" in stale.content.decode()
    fresh = Meeting.objects.get(pk=meeting.pk)
    assert (fresh.agenda, fresh.version) == (meeting.agenda, meeting.version)
    assert list(fresh.cases.all()) == [meeting_world.world.case]
    assert not fresh.events.filter(kind=MeetingEventKind.CHANGED).exists()


def test_removing_a_case_takes_the_meeting_from_those_who_saw_it_only_through_that_case(
    meeting_world: MeetingWorld, client_for: ClientFor
) -> None:
    people = meeting_world.world.personas
    meeting = meeting_world.meeting
    other = second_case(meeting_world, people.officer_not_on_case)
    outsider = client_for(people.officer_not_on_case)
    assert outsider.get(f"/meetings/{meeting.public_id}/").status_code == 404
    chair = client_for(people.ct_supervisor)
    both = [meeting_world.world.case.pk, other.pk]
    assert (
        chair.post(
            f"/meetings/{meeting.public_id}/edit/", meeting_form_fields(meeting, cases=both)
        ).status_code
        == 302
    )
    page = outsider.get(f"/meetings/{meeting.public_id}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "JC-900002" in body
    assert "JC-900001" not in body  # the case he may not see is never named, even in history
    assert "Compliant with licence conditions" not in body  # minutes of the other case
    api = _api(people.officer_not_on_case).get(f"/api/v1/meetings/{meeting.public_id}").json()
    assert api["cases"] == [str(other.public_id)]  # the case he may not see is not even counted
    full = _api(people.ct_supervisor).get(f"/api/v1/meetings/{meeting.public_id}").json()
    assert full["cases"] == [str(meeting_world.world.case.public_id), str(other.public_id)]
    meeting.refresh_from_db()
    response = chair.post(
        f"/meetings/{meeting.public_id}/edit/",
        meeting_form_fields(meeting, cases=[meeting_world.world.case.pk]),
    )
    assert response.status_code == 302
    assert outsider.get(f"/meetings/{meeting.public_id}/").status_code == 404
    assert not selectors.meetings_for(people.officer_not_on_case).exists()
    kinds = list(meeting.events.values_list("kind", flat=True))
    assert MeetingEventKind.CASE_ADDED in kinds
    assert MeetingEventKind.CASE_REMOVED in kinds


def test_a_case_with_minutes_at_the_meeting_cannot_be_removed(
    meeting_world: MeetingWorld,
) -> None:
    people = meeting_world.world.personas
    meeting = meeting_world.meeting
    other = second_case(meeting_world, people.officer_not_on_case)
    meeting = meeting_cases_set(
        actor=people.ct_supervisor,
        meeting=meeting,
        cases=[meeting_world.world.case, other],
        expected_version=meeting.version,
    )
    with pytest.raises(ValidationError) as error:
        meeting_cases_set(
            actor=people.ct_supervisor,
            meeting=meeting,
            cases=[other],
            expected_version=meeting.version,
        )
    assert error.value.message_dict["cases"] == [
        "Minutes, decisions, actions or plan entries about JC-900001 were recorded at this "
        "meeting, so it cannot be removed"
    ]
    assert set(meeting.cases.all()) == {meeting_world.world.case, other}


def test_an_editor_never_removes_a_case_they_cannot_see(meeting_world: MeetingWorld) -> None:
    people = meeting_world.world.personas
    meeting = meeting_world.meeting
    other = second_case(meeting_world, people.officer_not_on_case)
    meeting = meeting_cases_set(
        actor=people.ct_supervisor,
        meeting=meeting,
        cases=[meeting_world.world.case, other],
        expected_version=meeting.version,
    )
    # The officer may edit (he sees JC-900002) and submits only what he sees: JC-900001 stays.
    meeting_cases_set(
        actor=people.officer_not_on_case,
        meeting=meeting,
        cases=[other],
        expected_version=meeting.version,
    )
    assert set(meeting.cases.all()) == {meeting_world.world.case, other}


def test_removing_an_invitee_ends_their_access_at_once(
    meeting_world: MeetingWorld, client_for: ClientFor
) -> None:
    people = meeting_world.world.personas
    meeting = meeting_world.meeting
    invitation = invitation_add(
        actor=people.ct_supervisor, meeting=meeting, user=people.prison_ct_lead
    )
    attendance_record(actor=people.ct_supervisor, invitation=invitation, attended=True)
    guest = client_for(people.prison_ct_lead)
    assert "Covert source reports" in guest.get(f"/meetings/{meeting.public_id}/").content.decode()
    chair = client_for(people.ct_supervisor)
    url = f"/meetings/{meeting.public_id}/invitations/{invitation.public_id}/remove/"
    confirm = chair.get(url)
    assert confirm.status_code == 200
    assert "and their attendance will be removed" in confirm.content.decode()
    assert chair.post(url).status_code == 302
    assert not Invitation.objects.filter(pk=invitation.pk).exists()
    assert guest.get(f"/meetings/{meeting.public_id}/").status_code == 404
    assert guest.get(f"/meetings/{meeting.public_id}/pack.pdf").status_code == 404
    entry = AuditEntry.objects.get(action="meeting.uninvite")
    assert entry.details["attended"] is True
    history = chair.get(f"/meetings/{meeting.public_id}/").content.decode()
    assert "Invitation removed" in history


def test_external_attendees_are_added_and_removed(
    meeting_world: MeetingWorld, client_for: ClientFor
) -> None:
    people = meeting_world.world.personas
    meeting = meeting_world.meeting
    chair = client_for(people.ct_supervisor)
    response = chair.post(
        f"/meetings/{meeting.public_id}/invite/",
        {"external_name": "Sam Okafor", "external_role": "Social worker", "external_agency": ""},
    )
    assert response.status_code == 400
    assert "Enter the external attendee" in response.content.decode()
    response = chair.post(
        f"/meetings/{meeting.public_id}/invite/",
        {
            "external_name": "Sam Okafor",
            "external_role": "Social worker",
            "external_agency": "Durham County Council",
        },
    )
    assert response.status_code == 302
    invitation = meeting.invitations.get(external_name="Sam Okafor")
    page = chair.get(f"/meetings/{meeting.public_id}/").content.decode()
    assert "Sam Okafor (Social worker)" in page
    assert "Durham County Council" in page
    assert (
        chair.post(
            f"/meetings/{meeting.public_id}/invitations/{invitation.public_id}/remove/"
        ).status_code
        == 302
    )
    assert not meeting.invitations.filter(external_name="Sam Okafor").exists()


def test_the_chair_cannot_be_removed(meeting_world: MeetingWorld, client_for: ClientFor) -> None:
    meeting = meeting_world.meeting
    chair_invitation = meeting.invitations.get(user=meeting.chair)
    response = client_for(meeting_world.world.personas.ct_supervisor).post(
        f"/meetings/{meeting.public_id}/invitations/{chair_invitation.public_id}/remove/"
    )
    assert response.status_code == 400
    assert "The chair cannot be removed" in response.content.decode()
    assert Invitation.objects.filter(pk=chair_invitation.pk).exists()


def test_an_invitee_from_outside_the_case_teams_may_read_but_not_change_the_meeting(
    meeting_world: MeetingWorld, client_for: ClientFor
) -> None:
    people = meeting_world.world.personas
    meeting = meeting_world.meeting
    invitation_add(actor=people.ct_supervisor, meeting=meeting, user=people.prison_ct_lead)
    guest = client_for(people.prison_ct_lead)
    page = guest.get(f"/meetings/{meeting.public_id}/").content.decode()
    assert f"/meetings/{meeting.public_id}/edit/" not in page
    chair_invitation = meeting.invitations.get(user=meeting.chair)
    for url in (
        f"/meetings/{meeting.public_id}/edit/",
        f"/meetings/{meeting.public_id}/invite/",
        f"/meetings/{meeting.public_id}/minutes/new/",
        f"/meetings/{meeting.public_id}/invitations/{chair_invitation.public_id}/remove/",
    ):
        assert guest.get(url).status_code == 403, url
    response = guest.post(
        f"/meetings/{meeting.public_id}/edit/", meeting_form_fields(meeting, agenda="Hijacked")
    )
    assert response.status_code == 403
    assert Meeting.objects.get(pk=meeting.pk).agenda == meeting.agenda
    assert AuditEntry.objects.filter(
        action="meeting.change", actor_id=people.prison_ct_lead.pk, outcome=Outcome.DENY
    ).exists()


def _api(user: User) -> Client:
    _token, plaintext = api_token_create(actor=None, user=user, name="test", days=1)
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")


def _call(client: Client, method: str, url: str, payload: object = None) -> tuple[int, object]:
    response = getattr(client, method)(
        url, json.dumps(payload) if payload is not None else "", content_type="application/json"
    )
    return response.status_code, (response.json() if response.content else None)


def test_meetings_are_recorded_changed_and_their_invitees_managed_through_the_api(
    meeting_world: MeetingWorld,
) -> None:
    people = meeting_world.world.personas
    case = meeting_world.world.case
    api = _api(people.ct_supervisor)
    when = (timezone.now() + dt.timedelta(days=14)).replace(microsecond=0).isoformat()
    status, body = _call(api, "post", "/api/v1/meetings", {"type": "MAPPA_L3", "cases": []})
    assert status == 400
    # The document requires both (a client generated from it never omits them): pydantic's
    # field errors, keyed by the body's location.
    assert {e["field"] for e in body["errors"]} >= {"payload.starts_at", "payload.cases"}  # type: ignore[index]
    status, body = _call(
        api,
        "post",
        "/api/v1/meetings",
        {
            "type": "CT_CASE_CONFERENCE",
            "starts_at": when,
            "chair": "ct.supervisor",
            "cases": [str(case.public_id)],
            "agenda": "Pre-release planning",
            "invitees": ["nsd.practitioner"],
        },
    )
    assert status == 201, body
    meeting_id = body["id"]  # type: ignore[index]
    status, body = _call(
        api, "post", f"/api/v1/meetings/{meeting_id}", {"version": 1, "agenda": "Changed"}
    )
    assert (status, body["agenda"]) == (200, "Changed")  # type: ignore[index]
    status, body = _call(
        api, "post", f"/api/v1/meetings/{meeting_id}", {"version": 1, "agenda": "Stale"}
    )
    assert status == 409  # a stale version: well formed, but the meeting changed since
    status, body = _call(
        api,
        "post",
        f"/api/v1/meetings/{meeting_id}/invitations",
        {
            "external_name": "Sam Okafor",
            "external_role": "Social worker",
            "external_agency": "Durham County Council",
        },
    )
    assert status == 201, body
    invitation_id = body["id"]  # type: ignore[index]
    status, body = _call(
        api, "post", f"/api/v1/meetings/{meeting_id}/invitations", {"user": "prison.ctlead"}
    )
    assert status == 201
    guest = _api(people.prison_ct_lead)
    assert guest.get(f"/api/v1/meetings/{meeting_id}").status_code == 200
    status, body = _call(
        guest, "post", f"/api/v1/meetings/{meeting_id}", {"version": 2, "agenda": "Hijacked"}
    )
    assert status == 403
    guest_invitation = Invitation.objects.get(
        meeting__public_id=meeting_id, user=people.prison_ct_lead
    )
    status, _ = _call(
        api, "delete", f"/api/v1/meetings/{meeting_id}/invitations/{guest_invitation.public_id}"
    )
    assert status == 204
    assert guest.get(f"/api/v1/meetings/{meeting_id}").status_code == 404
    status, _ = _call(api, "delete", f"/api/v1/meetings/{meeting_id}/invitations/{invitation_id}")
    assert status == 204
    assert (
        _call(
            _api(people.officer_not_on_case),
            "delete",
            f"/api/v1/meetings/{meeting_id}/invitations/1",
        )[0]
        == 404
    )
    assert Meeting.objects.get(public_id=meeting_id).agenda == "Changed"


def test_the_cases_discussed_change_through_the_api_keeping_those_the_caller_cannot_see(
    meeting_world: MeetingWorld,
) -> None:
    people = meeting_world.world.personas
    meeting = meeting_world.meeting
    other = second_case(meeting_world, people.officer_not_on_case)
    status, body = _call(
        _api(people.ct_supervisor),
        "post",
        f"/api/v1/meetings/{meeting.public_id}",
        {
            "version": meeting.version,
            "cases": [str(meeting_world.world.case.public_id), str(other.public_id)],
        },
    )
    assert status == 200, body
    officer = _api(people.officer_not_on_case)
    # He may see (and so edit) the meeting through JC-900002; JC-900001 is not his to remove.
    status, body = _call(
        officer,
        "post",
        f"/api/v1/meetings/{meeting.public_id}",
        {"version": body["version"], "cases": [str(other.public_id)], "agenda": "Both cases"},  # type: ignore[index]
    )
    assert (status, body["cases"]) == (200, [str(other.public_id)])  # type: ignore[index]
    assert set(meeting.cases.values_list("pk", flat=True)) == {
        meeting_world.world.case.pk,
        other.pk,
    }
    status, _ = _call(
        officer,
        "post",
        f"/api/v1/meetings/{meeting.public_id}",
        {"version": body["version"], "cases": [str(meeting_world.world.case.public_id)]},  # type: ignore[index]
    )
    assert status == 404  # a case he may not see, named in the body
    status, body = _call(
        _api(people.ct_supervisor),
        "post",
        f"/api/v1/meetings/{meeting.public_id}",
        {
            "version": Meeting.objects.get(pk=meeting.pk).version,
            "cases": [str(other.public_id)],
        },
    )
    assert status == 400  # JC-900001 has minutes at this meeting
    assert body["errors"][0]["field"] == "cases"  # type: ignore[index]
