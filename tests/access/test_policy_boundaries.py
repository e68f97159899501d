"""The edges of each relationship, in both forms: a grant ends at its expiry instant, a
membership is current on its first and last day, and a team route needs both memberships."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jointcase.access.policy import case_decision, cases_visible_to
from jointcase.accounts.models import User
from jointcase.agencies.models import Team
from jointcase.cases import services
from jointcase.cases.models import CaseAccessGrant, CaseRole, CaseTeamMember
from tests.register_fixtures import CaseWorld

pytestmark = pytest.mark.django_db


def both_forms(user: object, world: CaseWorld, now: dt.datetime) -> tuple[bool, bool]:
    return (
        case_decision(user, world.case, now=now).allowed,
        cases_visible_to(user, now=now).filter(pk=world.case.pk).exists(),
    )


def test_a_grant_opens_at_its_start_and_closes_at_its_expiry_instant(case_world: CaseWorld) -> None:
    user = case_world.personas.officer_not_on_case
    start = timezone.now().replace(microsecond=0)
    CaseAccessGrant.objects.create(
        case=case_world.case,
        user=user,
        reason="cover",
        starts_at=start,
        expires_at=start + dt.timedelta(hours=1),
    )
    assert both_forms(user, case_world, start - dt.timedelta(seconds=1)) == (False, False)
    assert both_forms(user, case_world, start) == (True, True)
    assert both_forms(user, case_world, start + dt.timedelta(minutes=59)) == (True, True)
    assert both_forms(user, case_world, start + dt.timedelta(hours=1)) == (False, False)


def test_a_case_team_membership_counts_on_its_first_and_last_day(case_world: CaseWorld) -> None:
    user = case_world.personas.officer_not_on_case
    today = timezone.localdate()
    CaseTeamMember.objects.create(
        case=case_world.case,
        user=user,
        role=CaseRole.CTNM_OFFICER,
        agency=user.agency,
        start=today + dt.timedelta(days=1),
        end=today + dt.timedelta(days=3),
    )
    noon = timezone.make_aware(dt.datetime.combine(today, dt.time(12)))
    assert both_forms(user, case_world, noon) == (False, False)
    for days in (1, 2, 3):
        assert both_forms(user, case_world, noon + dt.timedelta(days=days)) == (True, True)
    assert both_forms(user, case_world, noon + dt.timedelta(days=4)) == (False, False)


def test_a_team_on_the_case_opens_it_only_to_current_team_members(case_world: CaseWorld) -> None:
    p = case_world.personas
    team = p.ct_supervisor.team_memberships.get().team
    # The team rule alone: the supervisor manages nobody here (the manager clause is
    # tests/access/test_manager_clause.py).
    Team.objects.filter(pk=team.pk).update(manager=None)
    User.objects.filter(line_manager=p.ct_supervisor).update(line_manager=None)
    services.team_member_add(
        actor=p.nsd_practitioner, case=case_world.case, role=CaseRole.CTNM_OFFICER, team=team
    )
    now = timezone.now()
    assert both_forms(p.ct_supervisor, case_world, now) == (True, True)
    p.ct_supervisor.team_memberships.update(end=timezone.localdate() - dt.timedelta(days=1))
    assert both_forms(p.ct_supervisor, case_world, now) == (False, False)


def test_my_cases_is_the_rule_narrowed_to_the_case_team_clause(case_world: CaseWorld) -> None:
    from jointcase.cases.selectors import my_cases_for

    p = case_world.personas
    now = timezone.now()
    CaseAccessGrant.objects.create(
        case=case_world.case,
        user=p.officer_not_on_case,
        reason="cover",
        starts_at=now,
        expires_at=now + dt.timedelta(hours=1),
    )
    assert both_forms(p.officer_not_on_case, case_world, now) == (True, True)
    assert not my_cases_for(p.officer_not_on_case, now=now).exists()
    assert list(my_cases_for(p.pom, now=now)) == [case_world.case]
    assert not my_cases_for(p.excluded_officer, now=now).exists()
