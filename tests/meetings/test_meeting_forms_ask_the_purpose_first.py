"""Every meetings page that shows case content asks the purpose of consultation before its
first read (DPA 2018 s.62), the forms that change a meeting or an action included: adding a
minutes section, inviting, recording a decision, agreeing an action at a meeting, changing the
meeting, removing an invitee, and completing, reassigning, re-dating or changing the status of
an action. Someone who may not see the meeting is not asked (a 404, revealing nothing)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from jointcase.accounts.models import User
from jointcase.audit.models import AuditEntry
from jointcase.meetings.services.actions import action_create
from tests.meetings.conftest import MeetingWorld

pytestmark = pytest.mark.django_db
ClientFor = Callable[[User], Client]
PURPOSE_PAGE = "/audit/purpose/"


def _form_urls(mw: MeetingWorld) -> list[str]:
    people = mw.world.personas
    invitation = mw.meeting.invitations.exclude(user=mw.meeting.chair).first()
    assert invitation is not None
    action = action_create(
        actor=people.ct_supervisor,
        case=mw.world.case,
        description="Check the associate's vehicle",
        owner=people.ct_supervisor,
        due_date=timezone.localdate() + dt.timedelta(days=5),
        meeting=mw.meeting,
    )
    meeting = f"/meetings/{mw.meeting.public_id}"
    return [
        f"{meeting}/minutes/new/",
        f"{meeting}/invite/",
        f"{meeting}/decisions/new/",
        f"{meeting}/actions/new/",
        f"{meeting}/edit/",
        f"{meeting}/invitations/{invitation.public_id}/remove/",
        f"/meetings/actions/{action.public_id}/complete/",
        f"/meetings/actions/{action.public_id}/reassign/",
        f"/meetings/actions/{action.public_id}/due/",
        f"/meetings/actions/{action.public_id}/status/",
    ]


def test_every_meeting_and_action_form_asks_why_before_the_first_read(
    meeting_world: MeetingWorld, undeclared_client_for: ClientFor
) -> None:
    chair = meeting_world.world.personas.ct_supervisor
    case = meeting_world.world.case
    for url in _form_urls(meeting_world):
        client = undeclared_client_for(chair)
        before = AuditEntry.objects.count()
        response = client.get(url)
        assert response.status_code == 302, url
        location = response["Location"]
        assert location.startswith(PURPOSE_PAGE), url
        assert "object_type=case" in location, url
        assert f"object_id={case.pk}" in location, url
        assert AuditEntry.objects.count() == before, f"{url}: read before the purpose was asked"
        declared = client.post(
            PURPOSE_PAGE,
            {
                "object_type": "case",
                "object_id": str(case.pk),
                "next": url,
                "purpose": "meeting_preparation",
            },
        )
        assert declared.status_code == 302, url
        assert client.get(url).status_code == 200, url
        read = AuditEntry.objects.filter(actor_id=chair.pk).latest("seq")
        assert read.purpose == "meeting_preparation", url


def test_who_may_not_see_the_meeting_is_not_asked_but_told_not_found(
    meeting_world: MeetingWorld, undeclared_client_for: ClientFor
) -> None:
    outsider = meeting_world.world.personas.officer_not_on_case
    for url in _form_urls(meeting_world):
        response = undeclared_client_for(outsider).get(url)
        assert response.status_code == 404, url
