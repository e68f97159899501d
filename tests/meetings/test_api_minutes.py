"""Minutes through the API: a labelled section is added under the page's rules (originator
the caller's agency, system high, the caveats vocabulary, attendee releasability), and each
reader gets the minutes exactly as the meeting page shows them."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable

import pytest
from django.http import Http404
from django.test import Client

from jointcase.accounts.models import User
from jointcase.accounts.tokens import api_token_create
from jointcase.audit.models import AuditEntry, Outcome
from jointcase.meetings import selectors
from jointcase.meetings.models import MinutesSection
from jointcase.meetings.services.invitations import invitation_add
from jointcase.meetings.services.minutes import minutes_section_add
from tests.meetings.conftest import MeetingWorld

pytestmark = pytest.mark.django_db


def _api(user: User) -> Client:
    _token, plaintext = api_token_create(actor=None, user=user, name="test", days=1)
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")


def _post(client: Client, url: str, payload: dict[str, object]) -> tuple[int, dict[str, object]]:
    response = client.post(url, json.dumps(payload), content_type="application/json")
    return response.status_code, response.json()


def _fields(body: dict[str, object]) -> dict[str, str]:
    return {e["field"]: e["message"] for e in body["errors"]}  # type: ignore[attr-defined,index]


def _url(mw: MeetingWorld) -> str:
    return f"/api/v1/meetings/{mw.meeting.public_id}/minutes"


def test_a_secret_police_section_is_added_and_each_reader_gets_it_at_their_clearance(
    meeting_world: MeetingWorld,
) -> None:
    people = meeting_world.world.personas
    status, body = _post(
        _api(people.ct_supervisor),
        _url(meeting_world),
        {
            "heading": "Vehicle sightings",
            "body": "ANPR hits near the former address.",
            "classification": "SECRET",
            "caveats": ["UK EYES ONLY"],
            "withheld_display": "OMIT",
        },
    )
    assert status == 201, body
    assert (body["originator"], body["classification"], body["caveats"], body["order"]) == (
        "ctu-north-east",
        "SECRET",
        ["UK EYES ONLY"],
        4,
    )
    assert "body" not in body
    entry = AuditEntry.objects.filter(action="meeting.minutes.add").latest("seq")
    assert (entry.actor_id, entry.object_id) == (people.ct_supervisor.pk, str(body["id"]))

    practitioner = _api(people.nsd_practitioner).get(
        f"/api/v1/meetings/{meeting_world.meeting.public_id}"
    )
    assert practitioner.json()["minutes"][-1]["body"] == "ANPR hits near the former address."
    pom = _api(people.pom).get(f"/api/v1/meetings/{meeting_world.meeting.public_id}").json()
    assert "ANPR" not in json.dumps(pom)
    assert "Vehicle sightings" not in json.dumps(pom)
    # the two SECRET sections left out leave no gap in the numbering
    assert [s["order"] for s in pom["minutes"]] == [1, 2]


def test_the_api_and_the_page_show_every_reader_the_same_minutes(
    meeting_world: MeetingWorld, client_for: Callable[[User], Client]
) -> None:
    people = meeting_world.world.personas
    minutes_section_add(
        actor=people.nsd_practitioner,
        meeting=meeting_world.meeting,
        heading="Accommodation",
        body="Approved premises place confirmed.",
    )
    url = f"/meetings/{meeting_world.meeting.public_id}/"
    for user in (people.pom, people.nsd_practitioner, people.ct_supervisor):
        api = _api(user).get(f"/api/v1/meetings/{meeting_world.meeting.public_id}").json()
        page = client_for(user).get(url).content.decode()
        shown = re.findall(r'jc-withheld">([^<]*)<|<h3 class="govuk-heading-s">([^<]*?) <', page)
        from_page = [withheld or heading.strip() for withheld, heading in shown]
        from_api = [s["withheld"] or f"{s['order']}. {s['heading']}" for s in api["minutes"]]
        assert from_api == from_page, user.username
    pom = _api(people.pom).get(f"/api/v1/meetings/{meeting_world.meeting.public_id}").json()
    assert [s["withheld"] for s in pom["minutes"]] == [
        None,
        "Section withheld: held by CT Policing North East at SECRET",
        None,
    ]
    assert pom["minutes"][1]["heading"] == ""
    assert pom["minutes"][1]["caveats"] == []
    # the SECRET section left out (third) leaves no gap: the fourth is shown as 3
    assert [s["order"] for s in pom["minutes"]] == [1, 2, 3]
    assert pom["minutes"][2]["heading"] == "Accommodation"


def test_an_originator_in_the_body_is_refused_and_nothing_is_stored(
    meeting_world: MeetingWorld,
) -> None:
    people = meeting_world.world.personas
    for extra in ({"originator": "partner"}, {"author": people.nsd_lead.pk}, {"order": 1}):
        status, body = _post(
            _api(people.pom),
            _url(meeting_world),
            {"heading": "Prison update", "body": "Settled on the wing.", **extra},
        )
        assert status == 400, extra
        assert any(next(iter(extra)) in field for field in _fields(body)), body
    assert MinutesSection.objects.count() == 3


def test_bad_sections_are_refused_with_a_message_per_field(meeting_world: MeetingWorld) -> None:
    people = meeting_world.world.personas
    api = _api(people.ct_supervisor)
    status, body = _post(api, _url(meeting_world), {"classification": "SECRET"})
    assert status == 400  # the document says both are required
    assert set(_fields(body)) == {"payload.heading", "payload.body"}
    status, body = _post(api, _url(meeting_world), {"heading": " ", "body": "Text"})
    assert (status, _fields(body)) == (400, {"heading": "Enter a heading"})
    base = {"heading": "Update", "body": "Text"}
    status, body = _post(api, _url(meeting_world), {**base, "classification": "TOP SECRET"})
    assert (status, list(_fields(body))) == (400, ["classification"])
    assert "This system holds nothing above SECRET" in _fields(body)["classification"]
    status, body = _post(api, _url(meeting_world), {**base, "caveats": ["NOFORN", "UK EYES ONLY"]})
    assert (status, _fields(body)) == (400, {"caveats": "Unknown caveat: NOFORN"})
    status, body = _post(api, _url(meeting_world), {**base, "releasable_to": ["mi7"]})
    assert (status, _fields(body)) == (400, {"releasable_to": "Unknown agency: mi7"})
    # a caveat the writer does not hold: they could not read what they wrote
    status, body = _post(api, _url(meeting_world), {**base, "caveats": ["PERSONAL"]})
    assert (status, _fields(body)) == (
        400,
        {"classification": "You cannot write a section with a label you could not read"},
    )
    status, body = _post(api, _url(meeting_world), {**base, "withheld_display": "HIDE"})
    assert (status, list(_fields(body))) == (400, ["withheld_display"])
    assert MinutesSection.objects.count() == 3


def test_a_section_released_only_to_some_agencies_refuses_or_withholds_other_attendees(
    meeting_world: MeetingWorld,
) -> None:
    people = meeting_world.world.personas
    api = _api(people.ct_supervisor)
    section = {
        "heading": "Joint police and probation update",
        "body": "Licence variation discussed with the police.",
        "releasable_to": ["ctu-north-east", "nsd-north"],
    }
    status, body = _post(api, _url(meeting_world), section)
    assert status == 400
    message = _fields(body)["releasable_to"]
    assert "(HMP Frankland) is invited and may not receive a section released only to" in message
    assert MinutesSection.objects.count() == 3
    status, body = _post(
        api, _url(meeting_world), {**section, "other_agency_attendees": "WITHHOLD"}
    )
    assert status == 201
    assert body["releasable_to"] == ["ctu-north-east", "nsd-north"]
    pom = _api(people.pom).get(f"/api/v1/meetings/{meeting_world.meeting.public_id}").json()
    assert pom["minutes"][-1]["withheld"] == (
        "Section withheld: held by CT Policing North East at OFFICIAL-SENSITIVE"
    )
    assert "Licence variation" not in json.dumps(pom)


def test_who_may_not_add_minutes_gets_a_403_or_a_404_with_a_deny_entry(
    meeting_world: MeetingWorld,
) -> None:
    people = meeting_world.world.personas
    invitation_add(
        actor=people.ct_supervisor, meeting=meeting_world.meeting, user=people.prison_ct_lead
    )
    section = {"heading": "Prison update", "body": "Moved wings."}
    status, body = _post(_api(people.prison_ct_lead), _url(meeting_world), section)
    assert status == 403
    assert body["detail"].startswith("Only the chair")  # type: ignore[union-attr]
    denied = AuditEntry.objects.filter(actor_id=people.prison_ct_lead.pk, outcome=Outcome.DENY)
    assert denied.filter(action="meeting.change", reason="not_editor").exists()
    status, _ = _post(_api(people.officer_not_on_case), _url(meeting_world), section)
    assert status == 404
    assert AuditEntry.objects.filter(
        actor_id=people.officer_not_on_case.pk, outcome=Outcome.DENY, object_type="meeting"
    ).exists()
    # a case id in the body the writer cannot see (here: none such): 404, audited
    unknown = str(uuid.uuid4())
    status, _ = _post(_api(people.ct_supervisor), _url(meeting_world), {**section, "case": unknown})
    assert status == 404
    assert AuditEntry.objects.filter(
        actor_id=people.ct_supervisor.pk, outcome=Outcome.DENY, object_id=unknown
    ).exists()
    assert MinutesSection.objects.count() == 3


def test_a_malformed_id_is_a_404_with_a_deny_entry(meeting_world: MeetingWorld) -> None:
    user = meeting_world.world.personas.nsd_practitioner
    for read, kind in (
        (lambda: selectors.meeting_get_for(user=user, meeting_id="12abc"), "meeting"),
        (lambda: selectors.action_get_for(user=user, action_id="1 OR 1=1"), "action"),
    ):
        before = AuditEntry.objects.filter(actor_id=user.pk, outcome=Outcome.DENY).count()
        with pytest.raises(Http404):
            read()
        entry = AuditEntry.objects.filter(actor_id=user.pk, outcome=Outcome.DENY).latest("seq")
        assert AuditEntry.objects.filter(actor_id=user.pk, outcome=Outcome.DENY).count() == (
            before + 1
        )
        assert (entry.object_type, entry.reason) == (kind, "not_found")
