"""Case and person services ask ``jointcase.access`` whether the actor may act, whoever calls
them: an unauthorised actor is refused (a DENY entry stays in the chain) and nothing is
written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from jointcase.access.acting import NotPermitted
from jointcase.access.cases import case_team_manage_decision
from jointcase.accounts.models import User
from jointcase.audit.models import AuditEntry
from jointcase.cases import services
from jointcase.cases.models import (
    CaseAccessGrant,
    CaseExclusion,
    CaseRole,
    CaseTeamMember,
    MappaRegistration,
    TimelineEvent,
)
from jointcase.people import services as people_services
from jointcase.people.models import Identifier, IdentifierType
from tests.register_fixtures import CaseWorld

pytestmark = pytest.mark.django_db


def _refused(call: Callable[..., Any], *, hidden: bool, **kwargs: Any) -> AuditEntry:
    """``call`` is refused; returns the DENY entry it left (and checks nothing else changed)."""
    counts = (
        CaseTeamMember.objects.count(),
        CaseExclusion.objects.count(),
        CaseAccessGrant.objects.count(),
        TimelineEvent.objects.count(),
        MappaRegistration.objects.count(),
        Identifier.objects.count(),
    )
    before = AuditEntry.objects.count()
    with pytest.raises(NotPermitted) as refused:
        call(**kwargs)
    assert refused.value.hidden is hidden
    assert counts == (
        CaseTeamMember.objects.count(),
        CaseExclusion.objects.count(),
        CaseAccessGrant.objects.count(),
        TimelineEvent.objects.count(),
        MappaRegistration.objects.count(),
        Identifier.objects.count(),
    )
    entries = list(AuditEntry.objects.filter(seq__gt=0).order_by("seq"))[before:]
    assert [(e.outcome, e.action) for e in entries] == [("DENY", entries[0].action)]
    return entries[0]


def test_a_case_member_who_is_not_a_team_manager_cannot_add_to_the_team_exclude_or_grant(
    case_world: CaseWorld,
) -> None:
    p = case_world.personas
    case = case_world.case
    tomorrow = timezone.now() + dt.timedelta(days=1)
    for call, kwargs in (
        (services.team_member_add, {"role": CaseRole.POM, "user": p.officer_not_on_case}),
        (services.exclusion_add, {"user": p.nsd_lead, "reason": "conflict (synthetic)"}),
        (
            services.grant_create,
            {"user": p.officer_not_on_case, "reason": "cover", "expires_at": tomorrow},
        ),
    ):
        entry = _refused(call, hidden=False, actor=p.ctnm_officer, case=case, **kwargs)
        assert (entry.object_type, entry.object_id, entry.reason) == (
            "case",
            str(case.pk),
            "not_team_manager",
        )
        assert entry.action == f"case.{call.__name__}"
    assert not CaseAccessGrant.objects.filter(user=p.officer_not_on_case).exists()


def test_someone_not_on_the_case_cannot_grant_themselves_access_or_touch_the_team(
    case_world: CaseWorld,
) -> None:
    p = case_world.personas
    outsider = p.officer_not_on_case
    _refused(
        services.grant_create,
        hidden=True,
        actor=outsider,
        case=case_world.case,
        user=outsider,
        reason="curious",
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    _refused(
        services.team_member_add,
        hidden=True,
        actor=outsider,
        case=case_world.case,
        role=CaseRole.CTNM_OFFICER,
        user=outsider,
    )
    _refused(services.team_member_remove, hidden=True, actor=outsider, member=case_world.lead)
    _refused(
        services.exclusion_remove,
        hidden=True,
        actor=p.excluded_officer,
        exclusion=case_world.exclusion,
        reason="I would like back in",
    )


def test_the_lead_practitioner_may_still_manage_the_team(case_world: CaseWorld) -> None:
    p = case_world.personas
    member = services.team_member_add(
        actor=p.nsd_practitioner,
        case=case_world.case,
        role=CaseRole.CT_SUPERVISOR,
        user=p.ct_supervisor,
    )
    assert member.pk is not None
    assert case_team_manage_decision(p.nsd_practitioner, case_world.case).reason == "team_manager"


def test_whoever_opened_a_case_names_its_first_team_manager_and_then_no_longer_manages_it(
    case_world: CaseWorld,
) -> None:
    p = case_world.personas
    case = services.case_open(
        actor=p.nsd_practitioner,
        person=case_world.person,
        cohort="TACT",
        ideology="OTHER",
        lead_agency=p.nsd_practitioner.agency,
    )
    services.team_member_add(
        actor=p.nsd_practitioner, case=case, role=CaseRole.SENIOR_OPERATIONAL_LEAD, user=p.nsd_lead
    )
    _refused(
        services.grant_create,
        hidden=True,
        actor=p.nsd_practitioner,
        case=case,
        user=p.nsd_practitioner,
        reason="mine",
        expires_at=timezone.now() + dt.timedelta(days=1),
    )


def test_someone_who_may_not_see_a_case_cannot_change_its_facts(case_world: CaseWorld) -> None:
    entry = _refused(
        services.mappa_register,
        hidden=True,
        actor=case_world.personas.officer_not_on_case,
        case=case_world.case,
        category="M1",
        level=1,
        review_date=timezone.localdate() + dt.timedelta(days=30),
    )
    assert (entry.action, entry.reason) == ("case.mappa_register", "not_on_case")


def test_someone_who_may_not_see_a_person_cannot_change_their_record(
    case_world: CaseWorld,
) -> None:
    entry = _refused(
        people_services.identifier_add,
        hidden=True,
        actor=case_world.personas.excluded_officer,
        person=case_world.person,
        type=IdentifierType.PNC_ID,
        value="2001/0000001A",
    )
    assert (entry.object_type, entry.action, entry.reason) == (
        "person",
        "person.identifier_add",
        "excluded",
    )


def test_the_team_form_is_a_403_for_a_member_who_is_not_a_team_manager(
    case_world: CaseWorld, client_for: Callable[[User], Client]
) -> None:
    client = client_for(case_world.personas.ctnm_officer)
    url = f"/cases/{case_world.case.public_id}/team/new/"
    assert client.get(url).status_code == 403
    response = client.post(url, {"role": CaseRole.POM, "username": "officer.notoncase"})
    assert response.status_code == 403
    assert not CaseTeamMember.objects.filter(user=case_world.personas.officer_not_on_case).exists()
    denied = AuditEntry.objects.filter(action="case.team_member_add").latest("seq")
    assert (denied.outcome, denied.reason) == ("DENY", "not_team_manager")
