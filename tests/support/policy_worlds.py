"""Generated worlds for the one-rule-two-forms property tests (users, teams, cases, persons,
memberships, grants and exclusions dense in date boundaries), shared by every suite that proves
a decision and its filter agree (tests/access, tests/risk...).

Worlds are small (up to 4 users, 2 teams, 3 cases) but dense in boundaries: memberships and
case-team rows that start or end yesterday, today or tomorrow, grants that start or expire
exactly now, revoked grants, exclusions on top of every relationship, inactive users and
national roles. ``world_build`` writes one into the database (call it inside a transaction
that is rolled back).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from hypothesis import strategies as st

from jointcase.accounts.models import Role, RoleAssignment, User
from jointcase.agencies.models import Agency, Team, TeamMembership
from jointcase.cases.models import (
    Case,
    CaseAccessGrant,
    CaseExclusion,
    CaseRole,
    CaseTeamMember,
    Cohort,
    Ideology,
)
from jointcase.people.models import Person

MAX_USERS, MAX_TEAMS, MAX_CASES = 4, 2, 3
# Biased towards current relationships so that every allow path is exercised often.
day_offset = st.sampled_from([-2, -1, -1, 0, 0, 1])
maybe_end = st.sampled_from([None, None, 0, 1, 2, 3])


@dataclass
class World:
    users: list[tuple[bool, bool]]  # (active, national)
    teams: int
    team_memberships: list[tuple[int, int, int, int | None]]  # user, team, start, end-after-start
    cases: list[int]  # person index of each case
    persons_created_by: list[int | None]
    user_members: list[tuple[int, int, int, int | None]]  # case, user, start, end-after-start
    team_members: list[tuple[int, int, int, int | None]]  # case, team, start, end-after-start
    grants: list[tuple[int, int, int, int, bool]]  # case, user, start minutes, length, revoked
    exclusions: set[tuple[int, int]]  # case, user
    line_managers: list[tuple[int, int]] = field(default_factory=list)  # user, their manager
    team_managers: list[int | None] = field(default_factory=list)  # per team: its manager


@st.composite
def worlds(draw: st.DrawFn) -> World:
    n_users = draw(st.integers(1, MAX_USERS))
    n_teams = draw(st.sampled_from([0, 1, 1, 2]))
    n_cases = draw(st.integers(1, MAX_CASES))
    n_persons = draw(st.integers(1, n_cases + 1))
    user = st.integers(0, n_users - 1)
    case = st.integers(0, n_cases - 1)
    team_memberships = (
        draw(
            st.lists(
                st.tuples(user, st.integers(0, n_teams - 1), day_offset, maybe_end),
                min_size=1,
                max_size=6,
            )
        )
        if n_teams
        else []
    )
    team_members = (
        draw(
            st.lists(
                st.tuples(case, st.integers(0, n_teams - 1), day_offset, maybe_end),
                min_size=1,
                max_size=4,
            )
        )
        if n_teams
        else []
    )
    return World(
        users=draw(
            st.lists(
                st.tuples(
                    st.sampled_from([True, True, True, False]),
                    st.sampled_from([False, False, True]),
                ),
                min_size=n_users,
                max_size=n_users,
            )
        ),
        teams=n_teams,
        team_memberships=team_memberships,
        cases=draw(st.lists(st.integers(0, n_persons - 1), min_size=n_cases, max_size=n_cases)),
        persons_created_by=draw(
            st.lists(st.one_of(st.none(), user), min_size=n_persons, max_size=n_persons)
        ),
        user_members=draw(st.lists(st.tuples(case, user, day_offset, maybe_end), max_size=4)),
        team_members=team_members,
        grants=draw(
            st.lists(
                st.tuples(
                    case,
                    user,
                    st.sampled_from([-2, -1, 0, 0, 1]),
                    st.integers(1, 3),
                    st.sampled_from([False, False, True]),
                ),
                min_size=1,
                max_size=4,
            )
        ),
        exclusions=draw(st.sets(st.tuples(case, user), max_size=3)),
        line_managers=draw(st.lists(st.tuples(user, user), max_size=2)),
        team_managers=draw(
            st.lists(st.one_of(st.none(), user), min_size=n_teams, max_size=n_teams)
        ),
    )


#: Worlds that always run, whatever hypothesis draws (and under xdist, in whatever process):
#: each has both outcomes, so the agreement is never checked on all-deny worlds only.
FIXED_WORLDS = [
    # A team member sees the case through the team; a revoked grant gives nothing.
    World(
        users=[(True, False), (True, False)],
        teams=1,
        team_memberships=[(0, 0, -1, None)],
        cases=[0],
        persons_created_by=[None],
        user_members=[],
        team_members=[(0, 0, 0, None)],
        grants=[(0, 1, -1, 3, True)],
        exclusions=set(),
    ),
    # A direct member and a grant starting exactly now see it; an exclusion beats membership;
    # an inactive member and a national lead without a relationship see nothing.
    World(
        users=[(True, False), (True, False), (True, False), (False, False), (True, True)],
        teams=0,
        team_memberships=[],
        cases=[0, 1],
        persons_created_by=[None, 0],
        user_members=[(0, 0, -1, None), (0, 2, 0, None), (1, 3, -2, 3)],
        team_members=[],
        grants=[(1, 1, 0, 1, False)],
        exclusions={(0, 2)},
    ),
    # Managers see their people's current cases: user 1, user 0's line manager, sees case 0
    # but not case 1, from which they are excluded; user 2 managed team 0, which user 0 left
    # yesterday, so sees nothing now; user 3 has no relationship at all.
    World(
        users=[(True, False), (True, False), (True, False), (True, False)],
        teams=1,
        team_memberships=[(0, 0, -2, 1)],
        cases=[0, 1],
        persons_created_by=[None, None],
        user_members=[(0, 0, -1, None), (1, 0, -1, None)],
        team_members=[],
        grants=[],
        exclusions={(1, 1)},
        line_managers=[(0, 1)],
        team_managers=[2],
    ),
]


def world_build(
    world: World, agency: Agency, today: dt.date, now: dt.datetime
) -> tuple[list[User], list[Case], list[Person]]:
    users = []
    for index, (active, national) in enumerate(world.users):
        user = User.objects.create(username=f"w{index}", agency=agency, is_active=active)
        if national:
            RoleAssignment.objects.create(user=user, role=Role.NATIONAL_GOVERNANCE)
        users.append(user)
    teams = [
        Team.objects.create(
            agency=agency,
            name=f"t{index}",
            manager=(
                users[world.team_managers[index]]
                if index < len(world.team_managers) and world.team_managers[index] is not None
                else None
            ),
        )
        for index in range(world.teams)
    ]
    for user_i, manager_i in world.line_managers:
        User.objects.filter(pk=users[user_i].pk).update(line_manager=users[manager_i])
    for user_i, team_i, start, length in world.team_memberships:
        TeamMembership.objects.create(
            user=users[user_i],
            team=teams[team_i],
            start=today + dt.timedelta(days=start),
            end=None if length is None else today + dt.timedelta(days=start + length),
        )
    persons = [
        Person.objects.create(created_by=users[creator] if creator is not None else None)
        for creator in world.persons_created_by
    ]
    cases = [
        Case.objects.create(
            person=persons[person_i],
            reference=f"W-{index}",
            cohort=Cohort.TACT,
            ideology=Ideology.OTHER,
            lead_agency=agency,
        )
        for index, person_i in enumerate(world.cases)
    ]
    for case_i, user_i, start, length in world.user_members:
        CaseTeamMember.objects.create(
            case=cases[case_i],
            user=users[user_i],
            role=CaseRole.CTNM_OFFICER,
            agency=agency,
            start=today + dt.timedelta(days=start),
            end=None if length is None else today + dt.timedelta(days=start + length),
        )
    for case_i, team_i, start, length in world.team_members:
        CaseTeamMember.objects.create(
            case=cases[case_i],
            team=teams[team_i],
            role=CaseRole.CTNM_OFFICER,
            agency=agency,
            start=today + dt.timedelta(days=start),
            end=None if length is None else today + dt.timedelta(days=start + length),
        )
    for case_i, user_i, start, length, revoked in world.grants:
        starts = now + dt.timedelta(minutes=start)
        CaseAccessGrant.objects.create(
            case=cases[case_i],
            user=users[user_i],
            reason="r",
            starts_at=starts,
            expires_at=starts + dt.timedelta(minutes=length),
            revoked_at=now if revoked else None,
        )
    for case_i, user_i in world.exclusions:
        CaseExclusion.objects.create(case=cases[case_i], user=users[user_i], reason="r")
    return users, cases, persons
