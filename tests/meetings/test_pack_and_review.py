"""The PDF meeting pack over several pages (the marking at the top and the bottom of each), open
actions carried to the next meeting (page and pack), and escalation thresholds from settings."""

from __future__ import annotations

import datetime as dt
import re
import zlib
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from jointcase.accounts.models import User
from jointcase.audit.models import AuditEntry
from jointcase.meetings.escalation import escalate
from jointcase.meetings.models import MeetingType
from jointcase.meetings.services.actions import action_complete, action_create
from jointcase.meetings.services.meetings import meeting_create
from jointcase.meetings.services.minutes import minutes_section_add
from jointcase.notifications.models import Notification
from tests.meetings.conftest import MeetingWorld
from tests.register_fixtures import CaseWorld

pytestmark = pytest.mark.django_db
ClientFor = Callable[[User], Client]
_TEXT = re.compile(rb"BT ([\d.]+) ([\d.]+) Td (?:[\d.]+ Tw )?\((.*?)\) Tj ET", re.S)


def _pages(pdf: bytes) -> list[list[tuple[float, str]]]:
    """Each page's text runs as (height on the page, text)."""
    pages = []
    for stream in re.findall(rb"stream\n(.*?)\nendstream", pdf, re.S):
        try:
            content = zlib.decompressobj().decompress(stream)
        except zlib.error:
            continue
        runs = [(float(y), text.decode("latin-1")) for _x, y, text in _TEXT.findall(content)]
        if runs:
            pages.append(runs)
    return pages


def test_every_page_of_a_long_pack_is_marked_at_the_top_and_the_bottom(
    meeting_world: MeetingWorld, client_for: ClientFor
) -> None:
    people = meeting_world.world.personas
    for number in range(8):
        minutes_section_add(
            actor=people.nsd_practitioner,
            meeting=meeting_world.meeting,
            heading=f"Probation update {number}",
            body="Attended every appointment; employment search continues. " * 40,
        )
    action_create(
        actor=people.ct_supervisor,
        case=meeting_world.world.case,
        description="Review the licence conditions",
        owner=people.pom,
        due_date=timezone.localdate() - dt.timedelta(days=3),
        meeting=meeting_world.meeting,
        today=timezone.localdate() - dt.timedelta(days=10),
    )
    response = client_for(people.pom).get(f"/meetings/{meeting_world.meeting.public_id}/pack.pdf")
    assert response.status_code == 200
    pages = _pages(response.content)
    assert len(pages) >= 3
    # numbered "page X of Y"; the subject and case named; distribution and handling stated;
    # an open action past its due date shown as overdue
    # (the page count is written when the pack is closed: its own text run on the line)
    footers = [t.replace(") Tj (", "") for runs in pages for _y, t in runs if t.startswith("Page ")]
    assert footers == [f"Page {n} of {len(pages)}" for n in range(1, len(pages) + 1)]
    whole = " ".join(t for runs in pages for _y, t in runs)
    whole = whole.replace("\\(", "(").replace("\\)", ")")  # PDF strings escape brackets
    assert "JC-900001 (HOLLOWAY, Daniel)" in whole
    assert "Distribution: the invitees of this meeting" in whole
    assert "Handling: OFFICIAL-SENSITIVE." in whole
    assert "OVERDUE by 3 days (open)" in whole
    for runs in pages:
        markings = [y for y, text in runs if text == "OFFICIAL-SENSITIVE"]
        assert len(markings) == 2, runs[:3]
        top, bottom = max(markings), min(markings)
        assert top >= max(y for y, _t in runs)  # nothing above the top marking
        assert bottom <= min(y for y, text in runs if not text.startswith("Page "))
    text = "\n".join(t for runs in pages for _y, t in runs)
    assert "Covert source" not in text
    assert "Section withheld: held by CT Policing North East at SECRET" in text
    # the SECRET section left out (the third) leaves no gap in the numbering
    assert "3. Probation update 0  [OFFICIAL-SENSITIVE]" in text
    assert "4. Probation update 0" not in text
    entry = AuditEntry.objects.filter(action="meeting.pack.export").latest("seq")
    assert entry.details["withheld"] == [
        meeting_world.secret_section.pk,
        meeting_world.omitted_section.pk,
    ]
    secret = _pages(
        client_for(people.nsd_practitioner)
        .get(f"/meetings/{meeting_world.meeting.public_id}/pack.pdf")
        .content
    )
    for runs in secret:
        assert [t for _y, t in runs].count("SECRET") == 2


def test_open_actions_are_carried_to_the_next_meetings_page_and_pack(
    meeting_world: MeetingWorld, client_for: ClientFor
) -> None:
    people = meeting_world.world.personas
    carried = action_create(
        actor=people.ct_supervisor,
        case=meeting_world.world.case,
        description="Check travel plans",
        owner=people.nsd_practitioner,
        due_date=timezone.localdate() + dt.timedelta(days=5),
        meeting=meeting_world.meeting,
    )
    done = action_create(
        actor=people.ct_supervisor,
        case=meeting_world.world.case,
        description="Visit the approved premises",
        owner=people.nsd_practitioner,
        due_date=timezone.localdate() + dt.timedelta(days=5),
        meeting=meeting_world.meeting,
    )
    action_complete(actor=people.nsd_practitioner, action=done, evidence="Visited")
    following = meeting_create(
        actor=people.ct_supervisor,
        type=MeetingType.MAPPA_L3,
        starts_at=timezone.now() + dt.timedelta(days=28),
        chair=people.ct_supervisor,
        cases=[meeting_world.world.case],
        invitees=[people.pom],
    )
    client = client_for(people.pom)
    page = client.get(f"/meetings/{following.public_id}/").content.decode()
    review = page[page.index("Open actions for review") : page.index('id="attendees"')]
    assert "Check travel plans" in review
    assert f"/meetings/actions/{carried.public_id}/" in review
    assert "Visit the approved premises" not in review
    pack = "\n".join(
        t
        for runs in _pages(client.get(f"/meetings/{following.public_id}/pack.pdf").content)
        for _y, t in runs
    )
    assert "Check travel plans" in pack[pack.index("Open actions for review") :]


def test_the_escalation_thresholds_come_from_the_settings(
    team_world: CaseWorld, settings: SettingsWrapper
) -> None:
    settings.JOINTCASE_ACTION_DUE_SOON_WORKING_DAYS = 0
    settings.JOINTCASE_ACTION_ESCALATE_MANAGER_WORKING_DAYS = 4
    settings.JOINTCASE_ACTION_ESCALATE_SENIOR_WORKING_DAYS = 1
    people = team_world.personas
    due = dt.date(2031, 3, 3)  # a Monday
    action_create(
        actor=people.ct_supervisor,
        case=team_world.case,
        description="Check the address",
        owner=people.nsd_practitioner,
        due_date=due,
        source_kind="ASSESSMENT",
        today=due - dt.timedelta(days=10),
    )
    Notification.objects.all().delete()
    assert escalate(today=dt.date(2031, 2, 28)) == 0  # the Friday before: not "due soon" at 0
    assert escalate(today=dt.date(2031, 3, 3)) == 1  # due today: reminded
    assert escalate(today=dt.date(2031, 3, 6)) == 0  # 3 working days late: under 4
    assert escalate(today=dt.date(2031, 3, 7)) == 1  # 4: the line manager
    assert escalate(today=dt.date(2031, 3, 10)) == 1  # 4 + 1: the senior
    assert [n.recipient.username for n in Notification.objects.order_by("pk")] == [
        "nsd.practitioner",
        "nsd.lead",
        "nsd.lead",
    ]
