"""The meetings and actions pages: queues with highlighting, forms with error summaries,
minutes rendered at the reader's clearance."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from jointcase.accounts.models import User
from jointcase.meetings.models import ActionStatus, AgreedAction, Meeting
from jointcase.meetings.services.actions import action_create
from jointcase.meetings.services.meetings import meeting_create
from tests.meetings.conftest import MeetingWorld
from tests.register_fixtures import CaseWorld

pytestmark = pytest.mark.django_db
ClientFor = Callable[[User], Client]


def _action(world: CaseWorld, days: int, text: str) -> AgreedAction:
    people = world.personas
    action = action_create(
        actor=people.ct_supervisor,
        case=world.case,
        description=text,
        owner=people.nsd_practitioner,
        due_date=timezone.localdate() + dt.timedelta(days=30),
        source_kind="ASSESSMENT",
    )
    AgreedAction.objects.filter(pk=action.pk).update(
        due_date=timezone.localdate() + dt.timedelta(days=days)
    )
    return action


def test_my_actions_highlights_overdue_and_due_soon(
    team_world: CaseWorld, client_for: ClientFor
) -> None:
    _action(team_world, -5, "Overdue visit")
    _action(team_world, 0, "Visit due today")
    _action(team_world, 40, "Later review")
    page = client_for(team_world.personas.nsd_practitioner).get("/meetings/actions/mine/")
    body = page.content.decode()
    assert page.status_code == 200
    assert body.index("Overdue visit") < body.index("Visit due today") < body.index("Later review")
    assert body.count("govuk-tag--red") == 1
    assert body.count("govuk-tag--orange") == 1
    overdue_only = (
        client_for(team_world.personas.nsd_practitioner)
        .get("/meetings/actions/mine/?due=overdue")
        .content.decode()
    )
    assert "Overdue visit" in overdue_only
    assert "Later review" not in overdue_only
    other = (
        client_for(team_world.personas.ctnm_officer).get("/meetings/actions/mine/").content.decode()
    )
    assert "Overdue visit" not in other


def test_an_action_queue_sorts_on_the_server_and_ignores_an_unknown_order(
    team_world: CaseWorld, client_for: ClientFor
) -> None:
    _action(team_world, 2, "Soon and low")
    urgent = _action(team_world, 9, "Later but high")
    AgreedAction.objects.filter(pk=urgent.pk).update(priority="HIGH")
    client = client_for(team_world.personas.nsd_practitioner)

    def order(sort: str) -> list[str]:
        response = client.get("/meetings/actions/mine/", {"sort": sort, "due": ""})
        assert response.status_code == 200
        body = response.content.decode()
        return sorted(["Soon and low", "Later but high"], key=body.index)

    assert order("due") == ["Soon and low", "Later but high"]
    assert order("-due") == ["Later but high", "Soon and low"]
    assert order("priority") == ["Later but high", "Soon and low"]
    assert order("'; drop table x") == ["Soon and low", "Later but high"]  # the default
    body = client.get("/meetings/actions/mine/", {"sort": "-due", "status": "open_all"}).content
    page = body.decode()
    # The header says how the list is sorted and links to the other direction, filters kept.
    assert 'aria-sort="descending"' in page
    assert "sort=due" in page
    assert "status=open_all" in page


def test_team_and_agency_views(team_world: CaseWorld, client_for: ClientFor) -> None:
    _action(team_world, 3, "Team action")
    people = team_world.personas
    assert (
        "Team action" in client_for(people.nsd_lead).get("/meetings/actions/team/").content.decode()
    )
    assert (
        "Team action"
        in client_for(people.nsd_lead).get("/meetings/actions/agency/").content.decode()
    )
    assert client_for(people.nsd_practitioner).get("/meetings/actions/agency/").status_code == 404
    assert (
        "Team action"
        not in client_for(people.agency_admin).get("/meetings/actions/team/").content.decode()
    )


def test_agreeing_an_action_on_a_case_with_errors_then_success(
    team_world: CaseWorld, client_for: ClientFor
) -> None:
    people = team_world.personas
    client = client_for(people.ct_supervisor)
    url = f"/meetings/cases/{team_world.case.public_id}/actions/new/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"description": "", "priority": "MEDIUM"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body
    assert "Select who owns the action" in body
    assert "Enter the date the action is due" in body
    past = timezone.localdate() - dt.timedelta(days=1)
    response = client.post(
        url,
        {
            "description": "Home visit",
            "owner": people.nsd_practitioner.pk,
            "due_date-day": past.day,
            "due_date-month": past.month,
            "due_date-year": past.year,
            "priority": "HIGH",
        },
    )
    assert response.status_code == 400
    assert "The due date must be today or in the future" in response.content.decode()
    due = timezone.localdate() + dt.timedelta(days=7)
    response = client.post(
        url,
        {
            "description": "Home visit",
            "owner": people.nsd_practitioner.pk,
            "due_date-day": due.day,
            "due_date-month": due.month,
            "due_date-year": due.year,
            "priority": "HIGH",
        },
    )
    assert response.status_code == 302
    action = AgreedAction.objects.get()
    assert (action.owner, action.due_date, action.priority) == (
        people.nsd_practitioner,
        due,
        "HIGH",
    )


def test_an_owner_not_on_the_case_is_refused_on_the_form(
    team_world: CaseWorld, client_for: ClientFor
) -> None:
    people = team_world.personas
    # a colleague in an agency on the case, but not on the case himself
    due = timezone.localdate() + dt.timedelta(days=7)
    response = client_for(people.ct_supervisor).post(
        f"/meetings/cases/{team_world.case.public_id}/actions/new/",
        {
            "description": "Prison visit",
            "owner": people.prison_ct_lead.pk,
            "due_date-day": due.day,
            "due_date-month": due.month,
            "due_date-year": due.year,
            "priority": "LOW",
        },
    )
    assert response.status_code == 400
    assert "This person cannot own actions on this case" in response.content.decode()
    assert not AgreedAction.objects.exists()


def test_the_practitioner_completes_an_action_with_evidence(
    team_world: CaseWorld, client_for: ClientFor
) -> None:
    action = _action(team_world, 3, "Check the address")
    client = client_for(team_world.personas.nsd_practitioner)
    url = f"/meetings/actions/{action.public_id}/complete/"
    response = client.post(url, {"version": action.version, "evidence": ""})
    assert response.status_code == 400
    assert "Enter the evidence that the action is complete" in response.content.decode()
    response = client.post(url, {"version": action.version, "evidence": "Address checked on visit"})
    assert response.status_code == 302
    page = client.get(f"/meetings/actions/{action.public_id}/").content.decode()
    assert "Address checked on visit" in page
    assert "Completed" in page
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE


def test_reassigning_on_the_page_needs_a_reason(
    team_world: CaseWorld, client_for: ClientFor
) -> None:
    action = _action(team_world, 3, "Check the address")
    people = team_world.personas
    client = client_for(people.ct_supervisor)
    url = f"/meetings/actions/{action.public_id}/reassign/"
    response = client.post(
        url, {"version": action.version, "owner": people.ctnm_officer.pk, "reason": ""}
    )
    assert response.status_code == 400
    response = client.post(
        url, {"version": action.version, "owner": people.ctnm_officer.pk, "reason": "Leave"}
    )
    assert response.status_code == 302
    assert "Reassigned" in client.get(f"/meetings/actions/{action.public_id}/").content.decode()


def test_the_pom_reads_the_minutes_with_the_secret_section_withheld(
    meeting_world: MeetingWorld, client_for: ClientFor
) -> None:
    people = meeting_world.world.personas
    page = client_for(people.pom).get(f"/meetings/{meeting_world.meeting.public_id}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "Compliant with licence conditions" in body
    assert "Section withheld: held by CT Policing North East at SECRET" in body
    assert "Covert source" not in body
    assert "Police intelligence update" not in body
    assert "Surveillance" not in body
    assert "Operational tasking" not in body
    assert "jc-marking--official-sensitive" in body
    assert "jc-marking--secret" not in body
    full = (
        client_for(people.nsd_practitioner)
        .get(f"/meetings/{meeting_world.meeting.public_id}/")
        .content.decode()
    )
    assert "Covert source" in full
    assert "jc-marking--secret" in full


def test_recording_a_meeting_and_a_secret_section_on_the_pages(
    team_world: CaseWorld, client_for: ClientFor, keyring: object
) -> None:
    people = team_world.personas
    client = client_for(people.ct_supervisor)
    response = client.post("/meetings/new/", {"type": "MAPPA_L3"})
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    day = timezone.localdate() + dt.timedelta(days=3)
    response = client.post(
        "/meetings/new/",
        {
            "type": "MAPPA_L3",
            "day-day": day.day,
            "day-month": day.month,
            "day-year": day.year,
            "time": "10:30",
            "chair": people.ct_supervisor.pk,
            "cases": [team_world.case.pk],
            "invitees": [people.nsd_practitioner.pk, people.pom.pk],
            "agenda": "Risk review",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    meeting = Meeting.objects.get()
    response = client.post(
        f"/meetings/{meeting.public_id}/minutes/new/",
        {
            "heading": "Police update",
            "body": "Intelligence summary",
            "case": team_world.case.pk,
            "classification": "SECRET",
            "withheld_display": "SHOW_PLACEHOLDER",
        },
    )
    assert response.status_code == 302
    pom_invite = meeting.invitations.get(user=people.pom)
    assert (
        client.post(
            f"/meetings/{meeting.public_id}/attendance/",
            {"invitation": str(pom_invite.public_id), "outcome": "attended"},
        ).status_code
        == 302
    )
    pom_page = client_for(people.pom).get(f"/meetings/{meeting.public_id}/").content.decode()
    assert "Section withheld: held by CT Policing North East at SECRET" in pom_page
    assert "Intelligence summary" not in pom_page


def test_the_pdf_pack_is_marked_on_every_page_and_withholds_what_the_reader_may_not_see(
    meeting_world: MeetingWorld, client_for: ClientFor
) -> None:
    import re
    import zlib

    people = meeting_world.world.personas
    response = client_for(people.pom).get(f"/meetings/{meeting_world.meeting.public_id}/pack.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="OFFICIAL-SENSITIVE')
    pages = []
    # fpdf2 writes "stream\n<zlib data>\nendstream": match exactly that (a data byte that is \r
    # must not be taken for part of the line break).
    for stream in re.findall(rb"stream\n(.*?)\nendstream", response.content, re.S):
        try:
            pages.append(zlib.decompressobj().decompress(stream).decode("latin-1"))
        except zlib.error:
            continue
    pages = [page for page in pages if " Tj" in page or "TJ" in page]
    assert pages
    for page in pages:
        assert page.count("(OFFICIAL-SENSITIVE)") >= 2  # top and bottom of every page
    everything = "\n".join(pages)
    assert "Compliant with licence conditions" in everything
    assert "Section withheld: held by CT Policing North East at SECRET" in everything
    assert "Covert source" not in everything
    assert "Surveillance" not in everything
    from jointcase.audit.models import AuditEntry

    assert AuditEntry.objects.filter(action="meeting.pack.export", actor_id=people.pom.pk).exists()
    full = client_for(people.nsd_practitioner).get(
        f"/meetings/{meeting_world.meeting.public_id}/pack.pdf"
    )
    assert full["Content-Disposition"].startswith('attachment; filename="SECRET')


def test_my_actions_pages_agree_with_the_filter_and_drop_cases_no_longer_visible(
    team_world: CaseWorld, client_for: ClientFor
) -> None:
    from jointcase.cases.models import CaseExclusion
    from jointcase.meetings import selectors

    people = team_world.personas
    made = [_action(team_world, days, f"Action {days:02d}") for days in range(1, 8)]
    rows, has_next = selectors.my_actions_page(people.nsd_practitioner, page=1, size=3)
    assert [a.pk for a in rows] == [a.pk for a in made[:3]]
    assert has_next
    rows, has_next = selectors.my_actions_page(people.nsd_practitioner, page=3, size=3)
    assert [a.pk for a in rows] == [made[6].pk]
    assert not has_next
    assert [a.pk for a in selectors.my_actions_for(people.nsd_practitioner)] == [a.pk for a in made]
    CaseExclusion.objects.create(
        case=team_world.case,
        user=people.nsd_practitioner,
        reason="test",
        created_by=people.nsd_lead,
    )
    assert selectors.my_actions_page(people.nsd_practitioner, page=1, size=3) == ([], False)
    assert not selectors.my_actions_for(people.nsd_practitioner).exists()
    body = client_for(people.nsd_practitioner).get("/meetings/actions/mine/").content.decode()
    assert "Action 01" not in body


def test_the_meetings_list_shows_case_subject_chair_and_date_sorted_on_the_server(
    meeting_world: MeetingWorld, client_for: ClientFor
) -> None:
    people = meeting_world.world.personas
    case = meeting_world.world.case
    earlier = meeting_create(
        actor=people.ct_supervisor,
        type="PROFESSIONALS",
        starts_at=meeting_world.meeting.starts_at - dt.timedelta(days=30),
        chair=people.nsd_practitioner,
        cases=[case],
    )
    client = client_for(people.nsd_practitioner)
    response = client.get("/meetings/")
    body = response.content.decode()
    assert response.status_code == 200
    assert case.reference in body
    assert case.person.display_name in body
    assert people.ct_supervisor.get_full_name() in body
    newest_first = [str(meeting_world.meeting.public_id), str(earlier.public_id)]
    assert sorted(newest_first, key=body.index) == newest_first
    assert 'aria-sort="descending"' in body
    oldest = client.get("/meetings/", {"sort": "date"}).content.decode()
    assert sorted(newest_first, key=oldest.index) == newest_first[::-1]
    # An order the page does not offer is ignored; a bad page number is the first page.
    odd = client.get("/meetings/", {"sort": "starts_at;--", "page": "-3"})
    assert odd.status_code == 200
    assert sorted(newest_first, key=odd.content.decode().index) == newest_first
