"""Who sees a case: the persona matrix on the shared case world, at selector level."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.http import Http404
from django.utils import timezone

from jointcase.access.policy import case_decision, cases_visible_to
from jointcase.accounts.models import Role
from jointcase.agencies.models import Team
from jointcase.audit.models import AuditEntry, Outcome
from jointcase.cases import services
from jointcase.cases.models import CaseRole
from jointcase.cases.selectors import case_get_for, case_list_for, my_cases_for, my_team_cases_for
from tests.factories import TeamMembershipFactory, UserFactory
from tests.register_fixtures import CaseWorld

pytestmark = pytest.mark.django_db


def test_the_case_team_sees_the_case_and_each_read_is_audited(case_world: CaseWorld) -> None:
    p = case_world.personas
    for user in (p.nsd_practitioner, p.ctnm_officer, p.pom):
        assert case_get_for(user=user, case_id=case_world.case.public_id) == case_world.case
        entry = AuditEntry.objects.order_by("-seq").first()
        assert entry is not None
        assert (entry.action, entry.outcome, entry.actor_id) == (
            "case.read",
            Outcome.ALLOW,
            user.pk,
        )
        assert entry.reason == "case_team"


def test_outsiders_get_the_same_not_found_as_for_a_missing_case(case_world: CaseWorld) -> None:
    p = case_world.personas
    missing_id = uuid.uuid4()
    with pytest.raises(Http404) as missing:
        case_get_for(user=p.officer_not_on_case, case_id=missing_id)
    for user, reason in (
        (p.officer_not_on_case, "not_on_case"),
        (p.excluded_officer, "excluded"),
        (p.national_lead, "national_role_aggregates_only"),
        (p.auditor, "national_role_aggregates_only"),
        (p.system_admin, "not_on_case"),
    ):
        with pytest.raises(Http404) as forbidden:
            case_get_for(user=user, case_id=case_world.case.public_id)
        assert str(forbidden.value) == str(missing.value)
        entry = AuditEntry.objects.order_by("-seq").first()
        assert entry is not None
        assert (entry.outcome, entry.reason, entry.object_id) == (
            Outcome.DENY,
            reason,
            str(case_world.case.pk),
        )


def test_an_exclusion_beats_membership_of_a_team_on_the_case(case_world: CaseWorld) -> None:
    p = case_world.personas
    ctnm_team = p.ctnm_officer.team_memberships.get().team
    services.team_member_add(
        actor=p.nsd_practitioner, case=case_world.case, role=CaseRole.CTNM_OFFICER, team=ctnm_team
    )
    assert case_decision(p.ct_supervisor, case_world.case).reason == "team_member"
    assert case_decision(p.excluded_officer, case_world.case).reason == "excluded"
    assert case_world.case not in cases_visible_to(p.excluded_officer)
    assert case_world.case in cases_visible_to(p.ct_supervisor)


def test_removing_a_member_takes_effect_on_their_very_next_request(case_world: CaseWorld) -> None:
    officer = case_world.personas.ctnm_officer
    assert case_get_for(user=officer, case_id=case_world.case.public_id)
    services.team_member_remove(actor=case_world.personas.nsd_practitioner, member=case_world.ctnm)
    with pytest.raises(Http404):
        case_get_for(user=officer, case_id=case_world.case.public_id)
    assert not case_list_for(user=officer).exists()
    assert not my_cases_for(officer).exists()


def test_a_grant_opens_the_case_until_it_expires_or_is_revoked(case_world: CaseWorld) -> None:
    p = case_world.personas
    now = timezone.now()
    grant = services.grant_create(
        actor=p.nsd_practitioner,
        case=case_world.case,
        user=p.officer_not_on_case,
        reason="Covering leave",
        expires_at=now + dt.timedelta(hours=8),
    )
    assert case_decision(p.officer_not_on_case, case_world.case).reason == "grant"
    assert (
        case_decision(
            p.officer_not_on_case, case_world.case, now=now + dt.timedelta(hours=9)
        ).reason
        == "not_on_case"
    )
    services.grant_revoke(actor=p.nsd_practitioner, grant=grant)
    assert not case_decision(p.officer_not_on_case, case_world.case).allowed


def test_a_grant_never_beats_an_exclusion(case_world: CaseWorld) -> None:
    p = case_world.personas
    services.grant_create(
        actor=p.nsd_practitioner,
        case=case_world.case,
        user=p.excluded_officer,
        reason="Mistake",
        expires_at=timezone.now() + dt.timedelta(hours=8),
    )
    assert case_decision(p.excluded_officer, case_world.case).reason == "excluded"
    assert not cases_visible_to(p.excluded_officer).exists()


def test_an_inactive_user_sees_nothing(case_world: CaseWorld) -> None:
    user = case_world.personas.nsd_practitioner
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert case_decision(user, case_world.case).reason == "inactive_user"
    assert not cases_visible_to(user).exists()


def test_a_national_lead_on_the_case_team_sees_it(case_world: CaseWorld) -> None:
    p = case_world.personas
    services.team_member_add(
        actor=p.nsd_practitioner,
        case=case_world.case,
        role=CaseRole.SENIOR_OPERATIONAL_LEAD,
        user=p.national_lead,
    )
    assert case_decision(p.national_lead, case_world.case).reason == "case_team"


def test_my_team_cases_include_cases_a_colleague_works_that_i_may_see(
    case_world: CaseWorld,
) -> None:
    p = case_world.personas
    colleague = UserFactory(
        username="nsd.colleague", agency=p.nsd_practitioner.agency, roles=[Role.NSD_PRACTITIONER]
    )
    TeamMembershipFactory(team=Team.objects.get(manager=p.nsd_lead), user=colleague)
    assert list(my_team_cases_for(colleague)) == []  # colleague's case, but no need-to-know
    services.team_member_add(
        actor=p.nsd_practitioner,
        case=case_world.case,
        role=CaseRole.CO_WORKING_PRACTITIONER,
        user=colleague,
    )
    assert list(my_team_cases_for(colleague)) == [case_world.case]
    assert list(my_cases_for(p.nsd_practitioner)) == [case_world.case]
    # The practitioner's manager sees the cases of the people they manage.
    assert list(my_team_cases_for(p.nsd_lead)) == [case_world.case]


def test_only_access_decides_who_sees_a_case_not_a_second_permission_system(
    case_world: CaseWorld,
) -> None:
    """Django's object permissions are no second route to a case that could drift from
    ``access``: even the case team is not granted one (pages and the API ask ``access``)."""
    p = case_world.personas
    assert case_decision(p.nsd_practitioner, case_world.case).allowed
    assert not p.nsd_practitioner.has_perm("cases.view_case", case_world.case)
    assert not p.pom.has_perm("people.view_person", case_world.person)
