"""One rule, two forms, for assessments and their sections: on generated worlds
``assessment_decision`` agrees with ``assessment_filter`` (over all cases and per case), and
``assessment_section_decision`` with ``assessment_section_filter``, for every user and object.

Worlds are small (up to 4 users in 3 agencies, 2 cases, 3 assessments with up to 2 sections
each) and dense in the rule's boundaries: vetting levels (current, expired, none), caveats
held or not, releasability lists (empty = agencies on the case), case-team rows that ended
yesterday, exclusions, case grants, inactive users and national roles. Each example runs in a
transaction that is rolled back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from jointcase.access.assessments import (
    assessment_decision,
    assessment_section_decision,
    assessment_section_filter,
    assessments_visible_to,
)
from jointcase.access.labels import Classification
from jointcase.accounts.models import Role, RoleAssignment, User
from jointcase.agencies.models import (
    Agency,
    AgencyKind,
    Caveat,
    CaveatAuthorisation,
    Vetting,
    VettingLevel,
)
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
from jointcase.risk.models.assessments import Assessment, AssessmentSection

pytestmark = pytest.mark.django_db

N_AGENCIES, MAX_USERS, N_CASES, MAX_ASSESSMENTS = 3, 4, 2, 3
LEVELS = [
    Classification.OFFICIAL,
    Classification.OFFICIAL_SENSITIVE,
    Classification.SECRET,
    Classification.TOP_SECRET,
]
VETTING = [None, VettingLevel.BPSS, VettingLevel.SC, VettingLevel.SC, VettingLevel.DV]

#: (classification, holds the caveat, releasable agencies, originator)
Label = tuple[str, bool, frozenset[int], int]


@dataclass
class World:
    # (agency, vetting, vetting expired, active, national, holds the caveat)
    users: list[tuple[int, str | None, bool, bool, bool, bool]]
    members: list[tuple[int, int, int]]  # case, user, end offset in days (>= 0: current)
    grants: list[tuple[int, int]]
    exclusions: set[tuple[int, int]]
    # (case, the assessment's label, its sections' labels)
    assessments: list[tuple[int, Label, list[Label]]]


def labels(agency: st.SearchStrategy[int]) -> st.SearchStrategy[Label]:
    return st.tuples(
        st.sampled_from([Classification.OFFICIAL_SENSITIVE, *LEVELS]),
        st.sampled_from([False, False, True]),
        st.sampled_from([frozenset(), frozenset()]) | st.frozensets(agency, max_size=2),
        agency,
    )


@st.composite
def worlds(draw: st.DrawFn) -> World:
    n_users = draw(st.integers(1, MAX_USERS))
    user = st.integers(0, n_users - 1)
    case = st.integers(0, N_CASES - 1)
    agency = st.integers(0, N_AGENCIES - 1)
    return World(
        users=draw(
            st.lists(
                st.tuples(
                    agency,
                    st.sampled_from(VETTING),
                    st.sampled_from([False, False, False, True]),
                    st.sampled_from([True] * 7 + [False]),
                    st.sampled_from([False] * 7 + [True]),
                    st.booleans(),
                ),
                min_size=n_users,
                max_size=n_users,
            )
        ),
        members=draw(
            st.lists(st.tuples(case, user, st.sampled_from([5, -1, 0, 5])), min_size=1, max_size=6)
        ),
        grants=draw(st.lists(st.tuples(case, user), max_size=2)),
        exclusions=draw(st.sets(st.tuples(case, user), max_size=2)),
        assessments=draw(
            st.lists(
                st.tuples(case, labels(agency), st.lists(labels(agency), max_size=2)),
                min_size=1,
                max_size=MAX_ASSESSMENTS,
            )
        ),
    )


def _build(world: World, now: dt.datetime) -> tuple[list[User], list[Assessment]]:
    today = timezone.localdate(now)
    agencies = [
        Agency.objects.create(code=f"ra-{i}", name=f"RA agency {i}", kind=AgencyKind.POLICE)
        for i in range(N_AGENCIES)
    ]
    caveat = Caveat.objects.create(code="RA-CAVEAT", name="c")
    users = []
    for index, (agency_i, vetting, expired, active, national, held) in enumerate(world.users):
        user = User.objects.create(
            username=f"ra{index}", agency=agencies[agency_i], is_active=active
        )
        if national:
            RoleAssignment.objects.create(user=user, role=Role.NATIONAL_GOVERNANCE)
        expires = today - dt.timedelta(days=1) if expired else today
        if vetting is not None:
            Vetting.objects.create(
                user=user,
                level=vetting,
                granted_on=expires - dt.timedelta(days=30),
                expires_on=expires,
            )
        if held:
            CaveatAuthorisation.objects.create(
                user=user, caveat=caveat, granted_on=today - dt.timedelta(days=9), expires_on=today
            )
        users.append(user)
    person = Person.objects.create()
    cases = [
        Case.objects.create(
            person=person,
            reference=f"RA-{i}",
            cohort=Cohort.TACT,
            ideology=Ideology.OTHER,
            lead_agency=agencies[0],
        )
        for i in range(N_CASES)
    ]
    for case_i, user_i, end in world.members:
        CaseTeamMember.objects.create(
            case=cases[case_i],
            user=users[user_i],
            role=CaseRole.CTNM_OFFICER,
            agency=users[user_i].agency,
            start=today - dt.timedelta(days=10),
            end=today + dt.timedelta(days=end) if end < 5 else None,
        )
    for case_i, user_i in world.grants:
        CaseAccessGrant.objects.create(
            case=cases[case_i],
            user=users[user_i],
            reason="r",
            starts_at=now - dt.timedelta(hours=1),
            expires_at=now + dt.timedelta(hours=1),
        )
    for case_i, user_i in world.exclusions:
        CaseExclusion.objects.create(case=cases[case_i], user=users[user_i], reason="r")

    def labelled(obj: Assessment | AssessmentSection, label: Label) -> None:
        obj.caveats.set([caveat] if label[1] else [])
        obj.releasable_to.set([agencies[i] for i in label[2]])

    assessments = []
    for case_i, label, sections in world.assessments:
        assessment = Assessment.objects.create(
            case=cases[case_i],
            instrument_code="WHOLE_RISK",
            instrument_version=1,
            assessor=users[0],
            classification=label[0],
            originator=agencies[label[3]],
        )
        labelled(assessment, label)
        for order, section_label in enumerate(sections):
            section = AssessmentSection.objects.create(
                assessment=assessment,
                case=assessment.case,
                section_code=f"S{order}",
                order=order,
                classification=section_label[0],
                originator=agencies[section_label[3]],
            )
            labelled(section, section_label)
        assessments.append(assessment)
    return users, assessments


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=worlds())
def test_the_assessment_decisions_and_filters_agree_for_every_user_and_object(
    world: World,
) -> None:
    now = timezone.now().replace(microsecond=0)
    with transaction.atomic():
        users, assessments = _build(world, now)
        sections = list(AssessmentSection.objects.select_related("assessment"))
        for user in users:
            user = User.objects.get(pk=user.pk)  # a fresh instance, as in a new request
            visible = set(assessments_visible_to(user, now=now).values_list("pk", flat=True))
            per_case: set[int] = set()
            for case_id in {a.case_id for a in assessments}:
                per_case |= set(
                    assessments_visible_to(user, now=now, case=case_id).values_list("pk", flat=True)
                )
            for assessment in assessments:
                decision = assessment_decision(user, assessment, now=now)
                assert decision.allowed == (assessment.pk in visible), (decision, world)
                assert decision.allowed == (assessment.pk in per_case), (decision, world)
                event(f"assessment: {decision.reason}")
            readable = set(
                AssessmentSection.objects.filter(
                    assessment_section_filter(user, now=now)
                ).values_list("pk", flat=True)
            )
            for section in sections:
                decision = assessment_section_decision(user, section, now=now)
                assert decision.allowed == (section.pk in readable), (decision, world)
                event(f"section: {decision.reason}")
        transaction.set_rollback(True)
