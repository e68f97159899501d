"""One rule, two forms, for the workforce rules (``jointcase.access.workforce``): on generated
worlds the single-object decisions and their queryset twins agree for every user and object:
whose caseload a user sees, whose capacity figures, which cases wait in whose allocation queue,
and to whom a manager may allocate a case.

Worlds are small but dense in boundaries: line managers and team managers, memberships and
lead rows that end yesterday or start tomorrow, disabled leads, closed cases, exclusions,
expired vetting and material above a candidate's clearance.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from jointcase.access.labels import Classification
from jointcase.access.workforce import (
    allocating_specs,
    allocation_candidate_decision,
    allocation_candidate_filter,
    allocation_queue_decision,
    allocation_queue_filter,
    capacity_agency_decision,
    capacity_agency_filter,
    caseload_decision,
    caseload_subject_filter,
)
from jointcase.accounts.models import Role, RoleAssignment, User
from jointcase.agencies.models import Agency, AgencyKind, Team, TeamMembership, Vetting
from jointcase.cases.models import Case, CaseExclusion, CaseRole, CaseTeamMember, Cohort, Ideology
from jointcase.material.models import ItemKind, MaterialItem
from jointcase.people.models import Person

pytestmark = pytest.mark.django_db

ROLES = [
    Role.NSD_PRACTITIONER,
    Role.NSD_PRACTITIONER,
    Role.NSD_SENIOR_LEAD,
    Role.CTNM_OFFICER,
    Role.CT_SUPERVISOR,
    Role.NATIONAL_GOVERNANCE,
    "",
]
#: (level, days until expiry) or None: no vetting.
VETTINGS = [None, ("BPSS", 30), ("SC", 30), ("SC", -1), ("DV", 0)]
offset = st.sampled_from([-2, -1, 0, 0, 1])
maybe_end = st.sampled_from([None, None, 0, 1, 2])


@dataclass
class WorkforceWorld:
    #: (active, role, agency index 0..2, vetting index, line manager index or None)
    users: list[tuple[bool, str, int, int, int | None]]
    team_manager: int | None
    memberships: list[tuple[int, int, int | None]]  # user, start, end-after-start
    #: (lead agency index, closed, material classification or "")
    cases: list[tuple[int, bool, str]]
    lead_rows: list[tuple[int, int, str, int, int | None]]  # case, user, role, start, end
    exclusions: set[tuple[int, int]]  # case, user


@st.composite
def workforce_worlds(draw: st.DrawFn) -> WorkforceWorld:
    n_users = draw(st.integers(2, 4))
    n_cases = draw(st.integers(1, 3))
    user = st.integers(0, n_users - 1)
    case = st.integers(0, n_cases - 1)
    users = [
        (
            draw(st.sampled_from([True, True, True, False])),
            draw(st.sampled_from(ROLES)),
            draw(st.sampled_from([0, 0, 1, 2])),
            draw(st.integers(0, len(VETTINGS) - 1)),
            draw(st.one_of(st.none(), user)),
        )
        for _ in range(n_users)
    ]
    return WorkforceWorld(
        users=users,
        team_manager=draw(st.one_of(st.none(), user)),
        memberships=draw(st.lists(st.tuples(user, offset, maybe_end), max_size=4)),
        cases=draw(
            st.lists(
                st.tuples(
                    st.sampled_from([0, 1, 2]),
                    st.sampled_from([False, False, False, True]),
                    st.sampled_from(["", Classification.OFFICIAL, Classification.SECRET]),
                ),
                min_size=n_cases,
                max_size=n_cases,
            )
        ),
        lead_rows=draw(
            st.lists(
                st.tuples(
                    case,
                    user,
                    st.sampled_from([CaseRole.LEAD_NSD_PRACTITIONER, CaseRole.CTNM_OFFICER]),
                    offset,
                    maybe_end,
                ),
                max_size=4,
            )
        ),
        exclusions=draw(st.sets(st.tuples(case, user), max_size=2)),
    )


FIXED_WORLDS = [
    # A senior lead who line-manages two cleared practitioners; one case waits (its lead left
    # yesterday), one is held; the other practitioner is excluded from the waiting case.
    WorkforceWorld(
        users=[
            (True, Role.NSD_SENIOR_LEAD, 0, 2, None),
            (True, Role.NSD_PRACTITIONER, 0, 2, 0),
            (True, Role.NSD_PRACTITIONER, 1, 1, 0),
        ],
        team_manager=None,
        memberships=[],
        cases=[(0, False, Classification.OFFICIAL), (0, False, Classification.SECRET)],
        lead_rows=[
            (0, 1, CaseRole.LEAD_NSD_PRACTITIONER, -2, 1),
            (1, 1, CaseRole.LEAD_NSD_PRACTITIONER, -1, None),
        ],
        exclusions={(0, 2)},
    ),
    # A team manager whose member joins tomorrow; a disabled lead leaves the case waiting.
    WorkforceWorld(
        users=[
            (True, Role.NSD_SENIOR_LEAD, 0, 2, None),
            (False, Role.NSD_PRACTITIONER, 0, 2, None),
            (True, Role.NSD_PRACTITIONER, 0, 3, None),
            (True, Role.NATIONAL_GOVERNANCE, 2, 2, None),
        ],
        team_manager=0,
        memberships=[(1, -1, None), (2, -1, None), (3, 1, None)],
        cases=[(0, False, Classification.SECRET)],
        lead_rows=[(0, 1, CaseRole.LEAD_NSD_PRACTITIONER, -2, None)],
        exclusions=set(),
    ),
]


def _build(world: WorkforceWorld, today: dt.date) -> tuple[list[User], list[Case], list[Agency]]:
    nsd = Agency.objects.create(code="w-nsd", name="W NSD", kind=AgencyKind.PROBATION)
    agencies = [
        nsd,
        Agency.objects.create(
            code="w-nsd-n", name="W NSD N", kind=AgencyKind.PROBATION, parent=nsd
        ),
        Agency.objects.create(code="w-ctu", name="W CTU", kind=AgencyKind.POLICE),
    ]
    users = []
    for index, (active, role, agency_i, vetting_i, _manager) in enumerate(world.users):
        user = User.objects.create(
            username=f"ww{index}", agency=agencies[agency_i], is_active=active
        )
        if role:
            RoleAssignment.objects.create(user=user, role=role)
        vetting = VETTINGS[vetting_i]
        if vetting is not None:
            level, days = vetting
            expires = today + dt.timedelta(days=days)
            Vetting.objects.create(
                user=user,
                level=level,
                granted_on=expires - dt.timedelta(days=400),
                expires_on=expires,
            )
        users.append(user)
    for user, (*_rest, manager_i) in zip(users, world.users, strict=True):
        if manager_i is not None:
            User.objects.filter(pk=user.pk).update(line_manager=users[manager_i])
    if world.team_manager is not None:
        team = Team.objects.create(agency=nsd, name="wt", manager=users[world.team_manager])
        for user_i, start, length in world.memberships:
            TeamMembership.objects.create(
                team=team,
                user=users[user_i],
                start=today + dt.timedelta(days=start),
                end=None if length is None else today + dt.timedelta(days=start + length),
            )
    person = Person.objects.create()
    cases = []
    for index, (agency_i, closed, level) in enumerate(world.cases):
        case = Case.objects.create(
            person=person,
            reference=f"WW-{index}",
            cohort=Cohort.TACT,
            ideology=Ideology.OTHER,
            lead_agency=agencies[agency_i],
            phase="CLOSED" if closed else "LICENCE",
        )
        if level:
            MaterialItem.objects.create(
                case=case,
                kind=ItemKind.NOTE,
                title="w",
                classification=level,
                originator=nsd,
                created_at=timezone.now(),
            )
        cases.append(case)
    for case_i, user_i, role, start, length in world.lead_rows:
        CaseTeamMember.objects.create(
            case=cases[case_i],
            user=users[user_i],
            role=role,
            agency=users[user_i].agency,
            start=today + dt.timedelta(days=start),
            end=None if length is None else today + dt.timedelta(days=start + length),
        )
    for case_i, user_i in world.exclusions:
        CaseExclusion.objects.create(case=cases[case_i], user=users[user_i], reason="w")
    return [User.objects.get(pk=u.pk) for u in users], cases, agencies


def _agreement(world: WorkforceWorld) -> list[str]:
    today = timezone.localdate()
    reasons: list[str] = []
    with transaction.atomic():
        users, cases, agencies = _build(world, today)
        for user in users:
            seen = set(
                User.objects.filter(caseload_subject_filter(user)).values_list("pk", flat=True)
            )
            for subject in users:
                decision = caseload_decision(user, subject)
                assert decision.allowed == (subject.pk in seen), (user, subject, decision, world)
                reasons.append(f"caseload:{decision.reason}")
            shown = set(
                Agency.objects.filter(capacity_agency_filter(user)).values_list("pk", flat=True)
            )
            for agency in agencies:
                decision = capacity_agency_decision(user, agency)
                assert decision.allowed == (agency.pk in shown), (user, agency, decision, world)
            queue = set(
                Case.objects.filter(allocation_queue_filter(user)).values_list("pk", flat=True)
            )
            specs = allocating_specs(user)
            for case in cases:
                decision = allocation_queue_decision(user, case)
                assert decision.allowed == (case.pk in queue), (user, case, decision, world)
                reasons.append(f"queue:{decision.reason}")
                for spec in specs:
                    allowed = set(
                        User.objects.filter(
                            allocation_candidate_filter(user, case, spec)
                        ).values_list("pk", flat=True)
                    )
                    for candidate in users:
                        one = allocation_candidate_decision(user, case, candidate, spec)
                        assert one.allowed == (candidate.pk in allowed), (
                            user,
                            case,
                            candidate,
                            one,
                            world,
                        )
                        reasons.append(f"candidate:{one.reason}")
        transaction.set_rollback(True)
    return reasons


@pytest.mark.parametrize("world", FIXED_WORLDS)
def test_fixed_worlds_agree(world: WorkforceWorld) -> None:
    reasons = _agreement(world)
    assert "queue:in_queue" in reasons
    assert "queue:not_in_queue" in reasons
    assert {"caseload:self", "caseload:manager", "caseload:not_manager"} <= set(reasons)


def test_the_fixed_worlds_refuse_for_each_candidate_reason() -> None:
    reasons = set(_agreement(FIXED_WORLDS[0])) | set(_agreement(FIXED_WORLDS[1]))
    assert {"candidate:excluded", "candidate:not_managed", "candidate:inactive"} <= reasons
    assert {"candidate:insufficient_vetting", "candidate:candidate"} <= reasons


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=workforce_worlds())
def test_the_workforce_decisions_and_filters_agree(world: WorkforceWorld) -> None:
    for reason in _agreement(world):
        event(reason)
