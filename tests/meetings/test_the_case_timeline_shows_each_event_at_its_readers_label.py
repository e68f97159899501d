"""The case timeline is the whole case's, each event under its own label: decisions, agreed
actions and their completion, minutes, material added, share decisions, break-glass and
contacts all land on it; a reader sees an event only where the same rule lets them see what it
stands for (a SECRET item's event is invisible to a reader cleared below it, and a reader who
sees only its tearline is shown the tearline's title); the page and the API agree."""

from __future__ import annotations

import datetime as dt
import re

from django.test import Client
from django.utils import timezone

from jointcase.accounts.tokens import api_token_create
from jointcase.agencies.models import Agency
from jointcase.cases.models import TimelineKind
from jointcase.material.services.breakglass import breakglass_open
from jointcase.material.services.sharing import share_request_create, share_request_decide
from jointcase.meetings.services.actions import action_complete, action_create
from jointcase.meetings.services.decisions import decision_record
from jointcase.supervision.models import ContactKind, ContactOutcome
from jointcase.supervision.services.contacts import contact_record
from tests.material.item_helpers import approved_tearline, secret_report
from tests.meetings.conftest import MeetingWorld
from tests.registerui_support import reader


def _api_titles(user, case) -> dict[str, dict]:
    _token, plaintext = api_token_create(actor=None, user=user, name="tests", days=1)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    data = client.get(f"/api/v1/cases/{case.public_id}/timeline", {"page_size": 100}).json()
    assert data["count"] == len(data["results"])
    return {event["title"]: event for event in data["results"]}


def _page(user, case) -> str:
    response = reader(user, case.pk).get(f"/cases/{case.public_id}/timeline/")
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


def test_every_source_lands_on_the_timeline_and_each_reader_sees_it_at_their_label(
    meeting_world: MeetingWorld,
) -> None:
    world = meeting_world.world
    people, case = world.personas, world.case
    decision_record(
        actor=people.ct_supervisor,
        meeting=meeting_world.meeting,
        case=case,
        text="Refer for a polygraph test",
    )
    action = action_create(
        actor=people.ct_supervisor,
        case=case,
        description="Arrange the polygraph test",
        owner=people.nsd_practitioner,
        due_date=timezone.localdate() + dt.timedelta(days=14),
        meeting=meeting_world.meeting,
    )
    action_complete(actor=people.nsd_practitioner, action=action, evidence="Booked for Monday")
    report = secret_report(world)
    approved_tearline(world, report)
    secret_report(world, title="Covert deployment log")  # no tearline: the POM never sees it
    ask = share_request_create(
        actor=people.nsd_practitioner,
        item=report,
        kind="ONWARD_SHARE",
        reason="Risk review",
        to_agency=Agency.objects.get(code="partner"),
    )
    share_request_decide(
        actor=people.ctnm_officer, share_request=ask, approve=False, reason="Not needed"
    )
    breakglass_open(actor=people.officer_not_on_case, case=case, reason="Urgent risk to life")
    contact_record(
        actor=people.nsd_practitioner,
        case=case,
        kind=ContactKind.HOME_VISIT,
        occurred_at=timezone.now() - dt.timedelta(hours=1),
        outcome=ContactOutcome.ATTENDED,
    )

    full = _api_titles(people.ctnm_officer, case)
    kinds = {event["kind"] for event in full.values()}
    assert kinds >= {
        TimelineKind.DECISION,
        TimelineKind.ACTION,
        TimelineKind.MINUTES,
        TimelineKind.MATERIAL,
        TimelineKind.SHARE,
        TimelineKind.BREAK_GLASS,
        TimelineKind.CONTACT,
    }
    assert "Arrange the polygraph test (completed)" in full
    report_event = full["Intelligence report 'Police intelligence report'"]
    assert report_event["label"] == {"classification": "SECRET", "caveats": ["UK EYES ONLY"]}
    assert "Onward sharing to another agency refused for 'Police intelligence report'" in full
    assert full["Police intelligence update (MAPPA level 3)"]["label"]["classification"] == "SECRET"
    assert full["Refer for a polygraph test (MAPPA level 3)"]["label"] == {
        "classification": "OFFICIAL-SENSITIVE",
        "caveats": [],
    }

    # The POM (BPSS, no caveats) sees the report through its tearline only, never the item
    # without a tearline nor the SECRET minutes; her page and her API answer agree.
    pom = _api_titles(people.pom, case)
    assert "Intelligence report 'Tearline: travel'" in pom
    assert pom["Intelligence report 'Tearline: travel'"]["label"]["classification"] == (
        "OFFICIAL-SENSITIVE"
    )
    assert "Onward sharing to another agency refused for 'Tearline: travel'" in pom
    assert "Refer for a polygraph test (MAPPA level 3)" in pom
    page = _page(people.pom, case)
    for title in pom:
        assert title.replace("'", "&#39;") in page, title
    for hidden in ("Police intelligence report", "Covert deployment log", "Police intelligence"):
        assert not any(hidden in title for title in pom), hidden
        assert hidden not in page, hidden
    assert len(pom) < len(full)

    # The full reader's page shows each event's label tag, and the kinds in plain English.
    page = _page(people.ctnm_officer, case)
    assert "Police intelligence report" in page
    assert "SECRET UK EYES ONLY</strong>" in page
    assert ">Emergency access (break-glass)</option>" in page
    assert "Sharing decision: Onward sharing to another agency refused for" in page
