"""A control a user cannot use is not shown: on every page with action buttons (a meeting, an
agreed action, a material item, the case team, risk, checks and contacts), for each persona on
or around the case, every link and button in the page's content is followed (a button's form
posted with its hidden fields only, inside a transaction rolled back) and none answers 403
(nor, for a link, 404: a break-glass reader is not offered the case they may not open).
Each control's visibility comes from the same ``access.*_refusal`` the service enforces."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from html.parser import HTMLParser

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from jointcase.accounts.models import User
from jointcase.material.services.breakglass import breakglass_open
from jointcase.meetings.models import Invitation
from jointcase.meetings.services.actions import action_create
from jointcase.supervision.models import ContactKind
from jointcase.supervision.services.contacts import contact_plan
from tests.material.item_helpers import approved_tearline, secret_report
from tests.meetings.conftest import MeetingWorld

#: Links that are not controls (downloads, the way out, pages of other areas).
_SKIP = re.compile(
    r"^/(static|accounts|account|notifications|help|accessibility|privacy)|pack\.pdf"
)


class _Controls(HTMLParser):
    """The links and post forms inside ``<main>`` (the page's content, not its navigation)."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.links: set[str] = set()
        self.forms: list[tuple[str, dict[str, str]]] = []
        self._form: tuple[str, dict[str, str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "main":
            self.depth += 1
        if not self.depth:
            return
        if tag == "a" and values.get("href", "").startswith("/"):
            self.links.add(values["href"].split("#")[0])
        elif tag == "form" and values.get("method", "").lower() == "post":
            self._form = (values.get("action", ""), {})
            self.forms.append(self._form)
        elif tag == "input" and self._form is not None and values.get("type") == "hidden":
            self._form[1][values.get("name", "")] = values.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self.depth -= 1
        elif tag == "form":
            self._form = None


# A walk of every control, like the route walk: one database run is enough (the SQLite run).
@pytest.mark.route_walk
def test_no_persona_is_shown_a_control_that_answers_403(
    meeting_world: MeetingWorld, client_for: Callable[[User], Client]
) -> None:
    world = meeting_world.world
    people, case = world.personas, world.case
    report = secret_report(world)
    tearline = approved_tearline(world, report)
    shared = secret_report(world, title="Shared report", releasable_to=["ctu-north-west"])
    # Readers who may see some pages but change nothing: an invitee from outside the case
    # teams (reads the meeting), and an officer off the case using break-glass (reads material).
    Invitation.objects.create(meeting=meeting_world.meeting, user=people.prison_ct_lead)
    breakglass_open(actor=people.officer_not_on_case, case=case, reason="Urgent risk to life")
    action = action_create(
        actor=people.ct_supervisor,
        case=case,
        description="Check travel plans",
        owner=people.ctnm_officer,
        due_date=timezone.localdate() + dt.timedelta(days=7),
        meeting=meeting_world.meeting,
    )
    contact_plan(
        actor=people.nsd_practitioner,
        case=case,
        kind=ContactKind.OFFICE,
        planned_for=timezone.now() + dt.timedelta(days=2),
    )
    cid = case.public_id
    pages = [
        f"/meetings/{meeting_world.meeting.public_id}/",
        f"/meetings/actions/{action.public_id}/",
        f"/material/{report.pk}/",
        f"/material/{tearline.pk}/",
        f"/material/{shared.pk}/",
        f"/cases/{cid}/",
        f"/cases/{cid}/team/",
        f"/cases/{cid}/risk/",
        f"/cases/{cid}/checks/",
        f"/cases/{cid}/contacts/",
        f"/cases/{cid}/material/",
    ]
    refused = []
    # Team members who may change less than the lead (the POM, a CTNM officer), an invitee
    # from outside the case teams and a break-glass reader; each control followed once.
    for persona in ("pom", "ctnm_officer", "prison_ct_lead", "officer_not_on_case"):
        client = client_for(getattr(people, persona))
        followed: set[str] = set()
        for page in pages:
            response = client.get(page)
            if response.status_code != 200:
                continue
            controls = _Controls()
            controls.feed(response.content.decode())
            for link in sorted(controls.links - followed):
                followed.add(link)
                if _SKIP.search(link):
                    continue
                # 403: refused; 404: a page they may not open (break-glass opens the material,
                # never the case)
                if client.get(link).status_code in (403, 404):
                    refused.append((persona, page, "GET", link))
            for action_url, hidden in controls.forms:
                target = action_url or page
                with transaction.atomic():
                    status = client.post(target, hidden).status_code
                    transaction.set_rollback(True)
                if status == 403:
                    refused.append((persona, page, "POST", target))
    assert refused == []
