"""The caseload pages as users meet them: my caseload with weights, the team page with each
practitioner's overdue contacts, the capacity page with aggregates only, the allocation form's
error summary (nothing stored), and 404 or 403 for whoever may not look."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from jointcase.accounts.models import Role, User
from jointcase.cases.models import CaseRole, CaseTeamMember
from jointcase.workforce.models import Allocation, CapacityRecord
from tests.workforce.caseload_fixtures import CaseloadWorld

pytestmark = pytest.mark.django_db


def test_my_caseload_lists_my_cases_with_their_weights_and_my_load(
    caseload_world: CaseloadWorld, client_for: Callable[[User], Client]
) -> None:
    page = client_for(caseload_world.practitioner).get(reverse("workforce:caseload"))
    body = page.content.decode()
    assert page.status_code == 200
    assert "JC-900001" in body
    assert "4.0" in body
    assert "Level 3" in body
    assert "Not assessed" in body
    assert "80%" in body  # 4.0 of 5.0 (part-time)
    assert "LEAD_NSD_PRACTITIONER" not in body
    assert "CUSTODY" not in body


def test_the_team_caseload_shows_each_practitioner_and_their_overdue_contacts(
    caseload_world: CaseloadWorld, client_for: Callable[[User], Client]
) -> None:
    page = client_for(caseload_world.lead).get(reverse("workforce:caseload-team"))
    body = page.content.decode()
    assert page.status_code == 200
    assert 'class="jc-table-scroll"' in body
    row = body.split('data-user="nsd.practitioner"')[1].split("</tr>")[0]
    assert "4.0" in row
    assert "5.0" in row
    assert "80%" in row
    assert 'govuk-tag--orange">1<' in row  # one overdue contact
    assert str(caseload_world.second) in body
    assert str(caseload_world.bpss) in body


def test_a_practitioner_may_not_open_the_team_page_or_a_colleagues_caseload(
    caseload_world: CaseloadWorld, client_for: Callable[[User], Client]
) -> None:
    client = client_for(caseload_world.practitioner)
    assert client.get(reverse("workforce:caseload-team")).status_code == 403
    other = reverse("workforce:caseload-person", args=[caseload_world.second.pk])
    assert client.get(other).status_code == 404
    missing = reverse("workforce:caseload-person", args=[987654])
    assert client.get(missing).status_code == 404


def test_the_manager_opens_a_managed_persons_caseload(
    caseload_world: CaseloadWorld, client_for: Callable[[User], Client]
) -> None:
    url = reverse("workforce:caseload-person", args=[caseload_world.practitioner.pk])
    page = client_for(caseload_world.lead).get(url)
    assert page.status_code == 200
    assert "JC-900001" in page.content.decode()


def test_the_capacity_page_shows_aggregates_only(
    caseload_world: CaseloadWorld, client_for: Callable[[User], Client]
) -> None:
    people = caseload_world.world.personas
    page = client_for(people.national_lead).get(reverse("workforce:capacity"))
    # The main content only: the identity bar names the viewer, who may share a surname.
    body = page.content.decode().partition('id="main-content"')[2]
    assert page.status_code == 200
    row = body.split(">NSD North<br>")[1].split("</tr>")[0]
    assert ">3<" in row  # three practitioners in NSD North
    assert "JC-900001" not in body
    assert "JC-900010" not in body
    assert "Holloway" not in body
    assert "HOLLOWAY" not in body
    assert "Marsh" not in body
    for person in (people.nsd_practitioner, caseload_world.second, caseload_world.bpss):
        assert person.last_name not in body, person
    assert 'class="jc-table-scroll"' in body


def test_the_capacity_page_is_refused_to_practitioners(
    caseload_world: CaseloadWorld, client_for: Callable[[User], Client]
) -> None:
    page = client_for(caseload_world.practitioner).get(reverse("workforce:capacity"))
    assert page.status_code == 403


def test_the_allocation_form_refuses_an_uncleared_candidate_in_the_error_summary(
    caseload_world: CaseloadWorld, client_for: Callable[[User], Client]
) -> None:
    world = caseload_world
    url = reverse("workforce:allocation-case", args=[world.waiting.public_id])
    page = client_for(world.lead).post(url, {"candidate": world.bpss.pk})
    body = page.content.decode()
    assert page.status_code == 400
    assert "govuk-error-summary" in body
    assert "vetting does not clear them for the SECRET material" in body
    assert not Allocation.objects.exists()


def test_the_allocation_form_asks_for_the_override_then_allocates_with_it(
    caseload_world: CaseloadWorld, client_for: Callable[[User], Client]
) -> None:
    world = caseload_world
    client = client_for(world.lead)
    url = reverse("workforce:allocation-case", args=[world.waiting.public_id])
    first = client.post(url, {"candidate": world.practitioner.pk})
    assert first.status_code == 400
    assert "give the reason to allocate above capacity" in first.content.decode()
    assert not CaseTeamMember.objects.filter(case=world.waiting).exists()
    done = client.post(
        url, {"candidate": world.practitioner.pk, "override_reason": "Continuity (synthetic)"}
    )
    allocation = Allocation.objects.get()
    assert done.status_code == 302
    assert done["Location"] == reverse("workforce:allocation", args=[allocation.public_id])
    result = client.get(done["Location"]).content.decode()
    assert "Allocated above capacity because" in result
    assert "Continuity (synthetic)" in result
    assert CaseTeamMember.objects.filter(
        case=world.waiting, role=CaseRole.LEAD_NSD_PRACTITIONER, user=world.practitioner
    ).exists()


def test_the_manager_records_a_capacity_and_bad_figures_are_refused(
    caseload_world: CaseloadWorld, client_for: Callable[[User], Client]
) -> None:
    world = caseload_world
    client = client_for(world.lead)
    url = reverse("workforce:capacity-edit", args=[world.second.pk])
    data = {
        "hours_percent": "60",
        "reduction_percent": "10",
        "other_duties": "",
        "effective_from-day": "1",
        "effective_from-month": "1",
        "effective_from-year": "2026",
    }
    bad = client.post(url, data)
    assert bad.status_code == 400
    assert "Say what the other duties are" in bad.content.decode()
    assert not CapacityRecord.objects.filter(user=world.second).exists()
    good = client.post(url, {**data, "other_duties": "Training lead"})
    assert good.status_code == 302
    record = CapacityRecord.objects.get(user=world.second)
    assert (record.hours_fraction, record.other_duties_reduction) == (
        Decimal("0.60"),
        Decimal("0.10"),
    )
    assert client_for(world.second).get(url).status_code == 403  # not their own capacity
    assert world.second.has_role(Role.NSD_PRACTITIONER)


def test_the_caseload_entry_is_in_the_navigation_of_those_it_serves(
    caseload_world: CaseloadWorld, client_for: Callable[[User], Client]
) -> None:
    people = caseload_world.world.personas
    link = f'href="{reverse("workforce:caseload")}"'
    for user, shown in (
        (people.nsd_practitioner, True),
        (people.ct_supervisor, True),
        (people.national_lead, True),
        (people.pom, False),
        (people.partner_liaison, False),
    ):
        body = client_for(user).get(reverse("home:home")).content.decode()
        assert (link in body) is shown, user.username
