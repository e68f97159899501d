"""The case pages: who sees them, what they show, and the lists."""

from __future__ import annotations

import pytest

from jointcase.audit.models import AuditEntry
from tests.registerui_support import reader

pytestmark = pytest.mark.django_db

TABS = ["", "person/", "sentence/", "notification/", "team/", "timeline/", "history/"]


def test_a_team_member_reads_every_tab_of_the_case(case_world):
    client = reader(case_world.personas.nsd_practitioner, case_world.case.pk)
    case = case_world.case
    for tab in TABS:
        response = client.get(f"/cases/{case.public_id}/{tab}")
        body = response.content.decode()
        assert response.status_code == 200, tab
        assert "HOLLOWAY" in body.upper()
        assert case.reference in body
        assert "moj-sub-navigation" in body
        assert "OFFICIAL-SENSITIVE" in body


@pytest.mark.parametrize("who", ["ctnm_officer", "pom"])
def test_every_member_of_the_case_team_reads_the_overview(case_world, who):
    client = reader(getattr(case_world.personas, who), case_world.case.pk)
    response = client.get(f"/cases/{case_world.case.public_id}/")
    assert response.status_code == 200
    assert case_world.case.reference in response.content.decode()


def test_the_overview_shows_key_dates_with_days_remaining_mappa_and_team(case_world):
    body = (
        reader(case_world.personas.nsd_practitioner, case_world.case.pk)
        .get(f"/cases/{case_world.case.public_id}/")
        .content.decode()
    )
    assert "Conditional release date (CRD)" in body
    assert "Days remaining" in body
    assert "Category 4" in body
    assert "Lead NSD practitioner" in body


@pytest.mark.parametrize(
    "who",
    [
        "officer_not_on_case",
        "excluded_officer",
        "prison_ct_lead",
        "partner_liaison",
        "national_lead",
        "auditor",
        "agency_admin",
        "system_admin",
    ],
)
def test_someone_without_need_to_know_gets_page_not_found_on_every_tab(case_world, who):
    user = getattr(case_world.personas, who)
    client = reader(user, case_world.case.pk)
    case = case_world.case
    for tab in [*TABS, "edit/", "mappa/new/", "team/new/"]:
        response = client.get(f"/cases/{case.public_id}/{tab}")
        assert response.status_code == 404, tab
        assert "Page not found" in response.content.decode()
        # The header names the reader, whose synthetic surname may be the person's too.
        page = response.content.decode().upper().replace(user.get_full_name().upper(), "")
        assert "HOLLOWAY" not in page


def test_a_missing_case_and_a_forbidden_case_look_the_same(case_world):
    client = reader(case_world.personas.officer_not_on_case, case_world.case.pk)
    forbidden = client.get(f"/cases/{case_world.case.public_id}/")
    missing = client.get("/cases/999999/")
    assert forbidden.status_code == missing.status_code == 404
    assert (
        forbidden.content.decode().split("<main")[1].split("</main>")[0]
        == missing.content.decode().split("<main")[1].split("</main>")[0]
    )


def test_each_case_read_and_each_refusal_is_audited(case_world):
    case = case_world.case
    reader(case_world.personas.nsd_practitioner, case_world.case.pk).get(
        f"/cases/{case.public_id}/"
    )
    reader(case_world.personas.officer_not_on_case, case_world.case.pk).get(
        f"/cases/{case.public_id}/"
    )
    reads = AuditEntry.objects.filter(action="case.read", object_id=str(case.pk)).order_by("seq")
    assert [(entry.actor_username, entry.outcome) for entry in reads] == [
        ("nsd.practitioner", "ALLOW"),
        ("officer.notoncase", "DENY"),
    ]


def test_a_removed_member_is_refused_on_their_very_next_request(case_world):
    client = reader(case_world.personas.ctnm_officer, case_world.case.pk)
    url = f"/cases/{case_world.case.public_id}/"
    assert client.get(url).status_code == 200
    lead = reader(case_world.personas.nsd_practitioner, case_world.case.pk)
    response = lead.post(
        f"/cases/{case_world.case.public_id}/team/{case_world.ctnm.pk}/end/", {"confirm": "yes"}
    )
    assert response.status_code == 302
    assert client.get(url).status_code == 404
    assert "HOLLOWAY" not in client.get("/cases/").content.decode().upper()


def test_the_timeline_lists_events_across_agencies_and_filters_by_type(case_world):
    client = reader(case_world.personas.nsd_practitioner, case_world.case.pk)
    url = f"/cases/{case_world.case.public_id}/timeline/"
    body = client.get(url).content.decode()
    assert "moj-timeline" in body
    assert "Case opened" in body
    assert "MAPPA category" in body
    filtered = client.get(url, {"kind": "MAPPA"}).content.decode()
    assert "MAPPA category" in filtered
    assert "Case opened" not in filtered


def test_an_unknown_timeline_filter_is_a_field_error_not_a_crash(case_world):
    client = reader(case_world.personas.nsd_practitioner, case_world.case.pk)
    url = f"/cases/{case_world.case.public_id}/timeline/"
    for params in ({"kind": "NOPE"}, {"agency": "abc"}):
        response = client.get(url, params)
        assert response.status_code == 400
        assert "There is a problem" in response.content.decode()


def test_exclusions_are_shown_to_the_lead_only(case_world):
    url = f"/cases/{case_world.case.public_id}/team/"
    lead = (
        reader(case_world.personas.nsd_practitioner, case_world.case.pk).get(url).content.decode()
    )
    pom = reader(case_world.personas.pom, case_world.case.pk).get(url).content.decode()
    assert "Conflict of interest" in lead
    assert "Exclusions" in lead
    assert "Conflict of interest" not in pom
    assert "Exclusions" not in pom


def test_team_management_is_refused_to_members_who_do_not_lead_the_case(case_world):
    pom = reader(case_world.personas.pom, case_world.case.pk)
    assert pom.get(f"/cases/{case_world.case.public_id}/team/new/").status_code == 403
    assert (
        pom.post(f"/cases/{case_world.case.public_id}/team/{case_world.ctnm.pk}/end/").status_code
        == 403
    )


def test_my_cases_lists_the_case_with_its_phase_and_next_key_date(case_world):
    response = reader(case_world.personas.nsd_practitioner, case_world.case.pk).get("/cases/")
    body = response.content.decode()
    assert response.status_code == 200
    assert case_world.case.reference in body
    assert "moj-badge" in body
    assert "MAPPA review" in body
    for sort in ("next_key_date", "-next_key_date", "name", "-reference", "'; DROP TABLE x"):
        assert (
            reader(case_world.personas.nsd_practitioner, case_world.case.pk)
            .get("/cases/", {"sort": sort})
            .status_code
            == 200
        )


def test_my_teams_cases_include_a_case_my_team_works_but_my_cases_do_not(case_world):
    from jointcase.agencies.models import Team
    from jointcase.cases.services import team_member_add

    team = Team.objects.get(name="NSD North team 1")
    team_member_add(
        actor=case_world.personas.nsd_practitioner,
        case=case_world.case,
        role="CO_WORKING_PRACTITIONER",
        team=team,
    )
    client = reader(case_world.personas.nsd_lead, case_world.case.pk)
    assert case_world.case.reference in client.get("/cases/team/").content.decode()
    assert case_world.case.reference not in client.get("/cases/").content.decode()


def test_lists_show_nothing_of_cases_the_user_may_not_see(case_world):
    for who in ("officer_not_on_case", "excluded_officer"):
        client = reader(getattr(case_world.personas, who), case_world.case.pk)
        for url in ("/cases/", "/cases/team/"):
            body = client.get(url).content.decode()
            assert case_world.case.reference not in body
            assert "There are no cases in this list" in body


def test_a_member_first_says_why_they_are_opening_the_case(case_world, undeclared_client_for):
    response = undeclared_client_for(case_world.personas.nsd_practitioner).get(
        f"/cases/{case_world.case.public_id}/timeline/"
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/audit/purpose/")


def test_nobody_is_asked_for_a_purpose_for_a_case_they_may_not_see(
    case_world, undeclared_client_for
):
    response = undeclared_client_for(case_world.personas.officer_not_on_case).get(
        f"/cases/{case_world.case.public_id}/"
    )
    assert response.status_code == 404


def test_my_cases_sort_by_next_key_date_both_ways(case_world):
    import datetime as dt

    from django.utils import timezone

    from jointcase.cases.services import case_open, mappa_register

    user = case_world.personas.nsd_practitioner
    soon = case_open(
        actor=user,
        person=case_world.person,
        cohort="TERRORIST_RISK",
        ideology="OTHER",
        lead_agency=user.agency,
        actor_role="LEAD_NSD_PRACTITIONER",
        reference="JC-900002",
    )
    mappa_register(
        actor=user,
        case=soon,
        category="M4",
        level=1,
        review_date=timezone.localdate() + dt.timedelta(days=5),
    )
    client = reader(user)

    def order(sort):
        body = client.get("/cases/", {"sort": sort}).content.decode()
        return sorted(["JC-900001", "JC-900002"], key=body.index)

    assert order("next_key_date") == ["JC-900002", "JC-900001"]
    assert order("-next_key_date") == ["JC-900001", "JC-900002"]
    assert "in 5 days" in client.get("/cases/").content.decode()
