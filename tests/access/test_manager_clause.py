"""The manager clause of the case rule (``managed_by_me``): a manager sees exactly the current
cases of the people they currently manage (as line manager, or as the manager of a team they
currently belong to) on pages, lists, search and the API; an exclusion still beats it, and the
reason is in the audit entry. (The decision and the filter agreeing on generated worlds, managers
included, is tests/access/test_policy_agrees.py.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jointcase.access.management import managed_users, manages
from jointcase.access.policy import case_decision, cases_visible_to
from jointcase.accounts.models import Role, User
from jointcase.agencies.models import Team, TeamMembership
from jointcase.audit.models import AuditEntry, Outcome
from jointcase.cases.models import Case, CaseExclusion, CaseRole, CaseTeamMember, Cohort, Ideology
from jointcase.people import services as people_services
from tests.conftest import Personas
from tests.factories import UserFactory
from tests.support.api import api_client

pytestmark = pytest.mark.django_db


@dataclass
class Caseload:
    """The NSD practitioner's ten cases, as the inspection found them, and a colleague's one."""

    current: list[Case]  # held now, in person
    ended: Case  # the practitioner left its team yesterday
    excluded: Case  # held now, but the senior lead is excluded from it
    not_managed: Case  # held by someone the senior lead does not manage
    through_team: Case  # the practitioner's team (not the practitioner in person) is on it


def _case(reference: str, surname: str, creator: User) -> Case:
    person = people_services.person_create(
        actor=creator,
        given_names="Morwen",
        family_name=surname,
        date_of_birth=dt.date(1991, 2, 3),
    )
    return Case.objects.create(
        person=person,
        reference=reference,
        cohort=Cohort.TACT,
        ideology=Ideology.OTHER,
        lead_agency=creator.agency,
    )


def _hold(case: Case, user: User, *, start: dt.date, end: dt.date | None = None) -> None:
    assert user.agency is not None
    CaseTeamMember.objects.create(
        case=case,
        user=user,
        role=CaseRole.LEAD_NSD_PRACTITIONER,
        agency=user.agency,
        start=start,
        end=end,
    )


@pytest.fixture
def caseload(personas: Personas) -> Caseload:
    practitioner, lead = personas.nsd_practitioner, personas.nsd_lead
    today = timezone.localdate()
    long_ago = today - dt.timedelta(days=200)
    current = []
    for index in range(7):
        case = _case(f"JC-7100{index:02d}", f"Quennell{index}", practitioner)
        _hold(case, practitioner, start=long_ago)
        current.append(case)
    ended = _case("JC-710090", "Quennellend", practitioner)
    _hold(ended, practitioner, start=long_ago, end=today - dt.timedelta(days=1))
    excluded = _case("JC-710091", "Quennellex", practitioner)
    _hold(excluded, practitioner, start=long_ago)
    CaseExclusion.objects.create(case=excluded, user=lead, reason="Conflict (synthetic)")
    colleague = UserFactory(
        username="nsd.colleague", agency=practitioner.agency, roles=[Role.NSD_PRACTITIONER]
    )
    not_managed = _case("JC-710092", "Quennellother", colleague)
    _hold(not_managed, colleague, start=long_ago)
    through_team = _case("JC-710093", "Quennellteam", practitioner)
    team = Team.objects.get(manager=lead)
    assert practitioner.agency is not None
    CaseTeamMember.objects.create(
        case=through_team,
        team=Team.objects.create(agency=practitioner.agency, name="Another team"),
        role=CaseRole.CO_WORKING_PRACTITIONER,
        agency=practitioner.agency,
        start=long_ago,
    )
    TeamMembership.objects.create(
        team=Team.objects.get(name="Another team"), user=practitioner, start=long_ago
    )
    assert team.memberships.filter(user=practitioner).exists()
    return Caseload(current, ended, excluded, not_managed, through_team)


def test_the_senior_lead_manages_the_practitioner_and_nobody_manages_themselves(
    personas: Personas,
) -> None:
    lead = personas.nsd_lead
    assert manages(lead, personas.nsd_practitioner)
    assert not manages(lead, lead)
    assert set(managed_users(lead)) == {personas.nsd_practitioner}
    assert not manages(personas.nsd_practitioner, lead)


def test_a_manager_sees_exactly_the_current_cases_of_the_people_they_manage(
    personas: Personas, caseload: Caseload
) -> None:
    lead = personas.nsd_lead
    visible = set(cases_visible_to(lead))
    assert visible == set(caseload.current)
    for case in caseload.current:
        assert case_decision(lead, case).reason == "managed_by_me"
    assert case_decision(lead, caseload.excluded).reason == "excluded"
    assert case_decision(lead, caseload.ended).reason == "not_on_case"
    assert not case_decision(lead, caseload.not_managed).allowed
    # The manager clause follows the people, in person: a team on the case is the team rule's.
    assert not case_decision(lead, caseload.through_team).allowed


def test_managing_through_a_team_ends_with_the_membership(
    personas: Personas, caseload: Caseload
) -> None:
    """A team's manager who is not the line manager sees the cases while the person belongs to
    the team, and not from the day after the membership ends."""
    practitioner = personas.nsd_practitioner
    team_manager = UserFactory(
        username="nsd.teammanager", agency=practitioner.agency, roles=[Role.NSD_SENIOR_LEAD]
    )
    assert practitioner.agency is not None
    team = Team.objects.create(agency=practitioner.agency, name="Night team", manager=team_manager)
    today = timezone.localdate()
    membership = TeamMembership.objects.create(
        team=team, user=practitioner, start=today - dt.timedelta(days=10), end=today
    )
    assert set(cases_visible_to(team_manager)) == set(caseload.current) | {caseload.excluded}
    tomorrow = timezone.now() + dt.timedelta(days=1)
    assert not case_decision(team_manager, caseload.current[0], now=tomorrow).allowed
    assert not cases_visible_to(team_manager, now=tomorrow).exists()
    membership.delete()
    assert not cases_visible_to(team_manager).exists()


def test_pages_lists_search_and_the_api_agree(
    personas: Personas, caseload: Caseload, client_for: Callable[[User], Client]
) -> None:
    lead = personas.nsd_lead
    client = client_for(lead)
    for case in caseload.current:
        assert client.get(reverse("cases:case", args=[case.public_id])).status_code == 200
    for case in (caseload.ended, caseload.excluded, caseload.not_managed):
        response = client.get(reverse("cases:case", args=[case.public_id]))
        assert response.status_code == 404
        assert case.reference not in response.content.decode()

    team_page = client.get(reverse("cases:team-cases")).content.decode()
    for case in caseload.current:
        assert case.reference in team_page
    for case in (caseload.ended, caseload.excluded, caseload.not_managed):
        assert case.reference not in team_page

    found = client.get(reverse("cases:search"), {"q": "Morwen"}).content.decode()
    for case in caseload.current:
        assert case.reference in found
    for hidden in ("Quennellend", "Quennellex", "Quennellother", "Quennellteam"):
        assert hidden not in found

    listed = api_client(lead).get("/api/v1/cases", {"page_size": 100}).json()
    assert {item["reference"] for item in listed["results"]} == {
        case.reference for case in caseload.current
    }
    hidden = api_client(lead).get(f"/api/v1/cases/{caseload.excluded.public_id}")
    assert hidden.status_code == 404


def test_the_managers_read_is_audited_with_its_reason(
    personas: Personas, caseload: Caseload, client_for: Callable[[User], Client]
) -> None:
    lead = personas.nsd_lead
    case = caseload.current[0]
    client_for(lead).get(reverse("cases:case", args=[case.public_id]))
    entry = AuditEntry.objects.filter(
        actor_id=lead.pk, object_type="case", object_id=str(case.pk), outcome=Outcome.ALLOW
    ).last()
    assert entry is not None
    assert "managed_by_me" in entry.reason
