"""Allocating a waiting case: the queue, the candidates, refusals that store nothing, the
capacity override (audited with its reason), and the handover checklist on reallocation."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from jointcase.access.acting import NotPermitted
from jointcase.accounts.models import User
from jointcase.audit.models import AuditEntry, Outcome
from jointcase.cases import services as case_services
from jointcase.cases.models import Case, CaseExclusion, CaseRole, CaseTeamMember, TimelineEvent
from jointcase.workforce.models import Allocation, HandoverAction, HandoverStep
from jointcase.workforce.selectors.allocation import (
    allocation_queue_for,
    candidates_for,
    handover_for_case,
)
from jointcase.workforce.services.allocation import allocation_make, handover_action_complete
from tests.workforce.caseload_fixtures import CaseloadWorld

pytestmark = pytest.mark.django_db


def _leads(case: Case) -> list[str]:
    return list(
        CaseTeamMember.objects.filter(
            case=case, role=CaseRole.LEAD_NSD_PRACTITIONER, end__isnull=True
        ).values_list("user__username", flat=True)
    )


def _nothing_stored(world: CaseloadWorld) -> None:
    assert _leads(world.waiting) == []
    assert not Allocation.objects.exists()
    assert not AuditEntry.objects.filter(
        action__startswith="workforce.allocat", outcome=Outcome.SUCCESS
    ).exists()


def test_the_senior_lead_sees_the_new_case_waiting_and_not_the_allocated_one(
    caseload_world: CaseloadWorld,
) -> None:
    rows = allocation_queue_for(caseload_world.lead)
    assert [row.case.reference for row in rows] == ["JC-900010"]
    assert rows[0].why == "New case: no lead yet"
    assert rows[0].weight == Decimal("3.5")  # post-licence 1.5, not assessed 1, TACT 1


def test_the_ct_supervisor_does_not_see_an_nsd_case_that_has_its_ctnm_officer(
    caseload_world: CaseloadWorld,
) -> None:
    rows = allocation_queue_for(caseload_world.world.personas.ct_supervisor)
    assert "JC-900001" not in [row.case.reference for row in rows]


def test_a_practitioner_has_no_queue(caseload_world: CaseloadWorld) -> None:
    with pytest.raises(NotPermitted):
        allocation_queue_for(caseload_world.practitioner)


def test_candidates_come_most_room_first_with_the_uncleared_last(
    caseload_world: CaseloadWorld,
) -> None:
    candidates = candidates_for(caseload_world.lead, caseload_world.waiting, _spec(caseload_world))
    names = [(c.load.user.username, c.eligible) for c in candidates]
    assert names == [("nsd.second", True), ("nsd.practitioner", True), ("nsd.bpss", False)]
    assert "vetting" in candidates[-1].why_not


def _spec(world: CaseloadWorld):  # type: ignore[no-untyped-def]
    from jointcase.access.workforce import allocation_queue_spec

    spec = allocation_queue_spec(world.lead, world.waiting)
    assert spec is not None
    return spec


def test_allocating_adds_the_lead_through_the_case_service_and_audits_it(
    caseload_world: CaseloadWorld,
) -> None:
    world = caseload_world
    allocation = allocation_make(actor=world.lead, case=world.waiting, candidate_id=world.second.pk)
    assert _leads(world.waiting) == ["nsd.second"]
    assert TimelineEvent.objects.filter(case=world.waiting, title__contains="Sam Second").exists()
    assert AuditEntry.objects.filter(
        action="case.team_member_add", object_id=str(world.waiting.pk)
    ).exists()
    assert AuditEntry.objects.filter(
        action="workforce.allocate", object_id=str(world.waiting.pk)
    ).exists()
    assert allocation.load_before == 0
    assert allocation.case_weight == Decimal("3.5")
    assert not allocation.handover_actions.exists()  # a new case: no handover
    assert allocation_queue_for(world.lead) == []


def test_the_case_team_rule_lets_the_allocating_manager_in_only_while_the_case_waits(
    caseload_world: CaseloadWorld,
) -> None:
    from jointcase.access.cases import case_team_manage_decision

    world = caseload_world
    world.waiting.created_by = world.second  # so the opener's clause does not answer first
    world.waiting.save(update_fields=["created_by"])
    waiting = case_team_manage_decision(world.lead, world.waiting)
    assert (waiting.allowed, waiting.reason) == (True, "allocating_manager")
    assert not case_team_manage_decision(world.practitioner, world.waiting).allowed
    allocation_make(actor=world.lead, case=world.waiting, candidate_id=world.second.pk)
    # allocated: the new lead manages its team now, and the manager no longer does
    assert not case_team_manage_decision(world.lead, world.waiting).allowed
    assert case_team_manage_decision(world.second, world.waiting).allowed
    with pytest.raises(NotPermitted):
        case_services.team_member_add(
            actor=world.lead,
            case=world.waiting,
            role=CaseRole.CO_WORKING_PRACTITIONER,
            user=world.practitioner,
        )


def test_allocating_above_capacity_without_an_override_is_refused_and_stores_nothing(
    caseload_world: CaseloadWorld,
) -> None:
    world = caseload_world  # the part-time practitioner: 4.0 of 5.0, the case weighs 3.5
    with pytest.raises(ValidationError) as refused:
        allocation_make(actor=world.lead, case=world.waiting, candidate_id=world.practitioner.pk)
    assert "override_reason" in refused.value.message_dict
    assert "capacity of 5.0" in refused.value.message_dict["override_reason"][0]
    _nothing_stored(world)


def test_the_override_is_allowed_with_a_reason_and_audited_with_it(
    caseload_world: CaseloadWorld,
) -> None:
    world = caseload_world
    reason = "Knows the family from a previous order (synthetic)"
    allocation = allocation_make(
        actor=world.lead,
        case=world.waiting,
        candidate_id=world.practitioner.pk,
        override_reason=reason,
    )
    assert allocation.over_capacity
    assert allocation.override_reason == reason
    entry = AuditEntry.objects.get(action="workforce.allocation_override")
    assert entry.reason == reason
    assert entry.actor_id == world.lead.pk
    assert entry.object_id == str(world.waiting.pk)


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("bpss", "vetting does not clear them for the SECRET material"),
        ("excluded", "is excluded from this case"),
        ("ctnm", "Choose who to allocate the case to"),
        ("self", "Choose who to allocate the case to"),
    ],
)
def test_allocating_to_someone_who_may_not_hold_the_case_is_refused_and_stores_nothing(
    caseload_world: CaseloadWorld, who: str, message: str
) -> None:
    world = caseload_world
    people = world.world.personas
    if who == "excluded":
        CaseExclusion.objects.create(case=world.waiting, user=world.second, reason="Synthetic")
    candidate = {
        "bpss": world.bpss,
        "excluded": world.second,
        "ctnm": people.ctnm_officer,
        "self": world.lead,
    }[who]
    with pytest.raises(ValidationError) as refused:
        allocation_make(actor=world.lead, case=world.waiting, candidate_id=candidate.pk)
    assert message in refused.value.message_dict["candidate"][0]
    _nothing_stored(world)


def test_a_case_outside_the_queue_is_refused_as_missing(caseload_world: CaseloadWorld) -> None:
    world = caseload_world
    with pytest.raises(NotPermitted) as refused:
        allocation_make(actor=world.lead, case=world.world.case, candidate_id=world.second.pk)
    assert refused.value.hidden
    with pytest.raises(NotPermitted):
        allocation_make(actor=world.practitioner, case=world.waiting, candidate_id=world.second.pk)
    _nothing_stored(world)


def test_a_case_whose_lead_left_is_reallocated_with_a_handover_checklist(
    caseload_world: CaseloadWorld,
) -> None:
    world = caseload_world
    case = world.world.case
    case_services.team_member_remove(actor=world.practitioner, member=world.world.lead)
    rows = {row.case.reference: row for row in allocation_queue_for(world.lead)}
    assert rows["JC-900001"].why == "Lead left the case"
    allocation = allocation_make(actor=world.lead, case=case, candidate_id=world.second.pk)
    assert allocation.previous_lead == world.practitioner
    steps = set(HandoverAction.objects.filter(allocation=allocation).values_list("step", flat=True))
    assert steps == set(HandoverStep.values)
    assert _leads(case) == ["nsd.second"]


def test_a_case_whose_lead_was_disabled_waits_and_their_row_ends_on_reallocation(
    caseload_world: CaseloadWorld,
) -> None:
    world = caseload_world
    case = world.world.case
    world.practitioner.is_active = False
    world.practitioner.save(update_fields=["is_active"])
    rows = {row.case.reference: row for row in allocation_queue_for(world.lead)}
    assert rows["JC-900001"].why == "Lead's account disabled"
    allocation_make(actor=world.lead, case=case, candidate_id=world.second.pk)
    assert _leads(case) == ["nsd.second"]
    assert AuditEntry.objects.filter(
        action="case.team_member_remove", object_id=str(case.pk)
    ).exists()


def test_the_handover_is_shown_to_the_parties_and_ticked_off_by_the_new_lead_only(
    caseload_world: CaseloadWorld, client_for: Callable[[User], Client]
) -> None:
    world = caseload_world
    case = world.world.case
    case_services.team_member_remove(actor=world.practitioner, member=world.world.lead)
    allocation_make(actor=world.lead, case=case, candidate_id=world.second.pk)
    shown = handover_for_case(world.second, case)
    assert shown is not None
    assert len(shown[1]) == 4
    assert handover_for_case(world.world.personas.ctnm_officer, case) is None
    # The case page shows the new lead the checklist; another reader of the case sees none.
    page = client_for(world.second).get(reverse("cases:case", args=[case.public_id]))
    assert "Handover to" in page.content.decode()
    assert "To do" in page.content.decode()
    other = client_for(world.world.personas.ctnm_officer).get(
        reverse("cases:case", args=[case.public_id])
    )
    assert other.status_code == 200
    assert "Handover to" not in other.content.decode()
    action = shown[1][0]
    with pytest.raises(NotPermitted):
        handover_action_complete(actor=world.lead, action=action)
    done = handover_action_complete(actor=world.second, action=action)
    assert done.done_at is not None
    assert done.done_by == world.second
