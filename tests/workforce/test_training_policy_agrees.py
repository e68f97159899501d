"""One rule, two forms, for prison training (``jointcase.access.training``): on generated
worlds of prisons, headquarters, other agencies and users in every relevant role (active or
not), each single-object decision agrees with its queryset twin for every user and object."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from jointcase.access.training import (
    completion_decision,
    completion_filter,
    completion_record_decision,
    completion_record_filter,
    establishment_decision,
    establishment_filter,
    establishment_q,
    is_establishment,
    is_prison_staff,
    prison_staff_filter,
)
from jointcase.accounts.models import Role, RoleAssignment, User
from jointcase.agencies.models import Agency, AgencyKind
from jointcase.workforce.models import TrainingCompletion

pytestmark = pytest.mark.django_db

ROLES = [
    Role.POM,
    Role.PRISON_CT_LEAD,
    Role.REGIONAL_CT_COORDINATOR,
    Role.NATIONAL_GOVERNANCE,
    Role.NSD_PRACTITIONER,
]
#: The agencies of every world: (code, kind, parent index, active).
AGENCIES = [
    ("w-hq", AgencyKind.PRISON, None, True),  # heads prisons: not an establishment
    ("w-hmp-a", AgencyKind.PRISON, 0, True),
    ("w-hmp-b", AgencyKind.PRISON, 0, True),
    ("w-hmp-c", AgencyKind.PRISON, None, True),  # a prison with no region
    ("w-hmp-closed", AgencyKind.PRISON, 0, False),
    ("w-probation", AgencyKind.PROBATION, None, True),
]

users_strategy = st.lists(
    st.tuples(
        st.integers(0, len(AGENCIES) - 1),
        st.sets(st.sampled_from(ROLES), max_size=2),
        st.sampled_from([True, True, True, False]),
    ),
    min_size=1,
    max_size=6,
)


def _agreement(
    users_spec: list[tuple[int, set[str], bool]], completions: list[tuple[int, int]]
) -> list[str]:
    reasons: list[str] = []
    with transaction.atomic():
        agencies: list[Agency] = []
        for code, kind, parent, active in AGENCIES:
            agencies.append(
                Agency.objects.create(
                    code=code,
                    name=code,
                    kind=kind,
                    parent=agencies[parent] if parent is not None else None,
                    is_active=active,
                )
            )
        users = []
        for index, (agency_i, roles, active) in enumerate(users_spec):
            user = User.objects.create(
                username=f"tw{index}", agency=agencies[agency_i], is_active=active
            )
            for role in roles:
                RoleAssignment.objects.create(user=user, role=role)
            users.append(user)
        records = [
            TrainingCompletion.objects.create(
                staff=users[staff_i % len(users)],
                course_code="CT_AWARENESS",
                completed_on=dt.date(2026, 1, 1),
                expires_on=dt.date(2028, 1, 1),
                courses_version=1,
                recorded_by=users[recorder_i % len(users)],
            )
            for staff_i, recorder_i in completions
        ]
        places = set(Agency.objects.filter(establishment_q()).values_list("pk", flat=True))
        staff = set(User.objects.filter(prison_staff_filter()).values_list("pk", flat=True))
        for agency in agencies:
            assert is_establishment(agency) == (agency.pk in places), agency.code
        for user in users:
            fresh = User.objects.get(pk=user.pk)
            assert is_prison_staff(fresh) == (user.pk in staff), user.username
            seen = set(
                Agency.objects.filter(establishment_filter(fresh)).values_list("pk", flat=True)
            )
            for agency in agencies:
                decision = establishment_decision(fresh, agency)
                assert decision.allowed == (agency.pk in seen), (decision, agency.code, users_spec)
                reasons.append(f"establishment:{decision.reason}")
            readable = set(
                TrainingCompletion.objects.filter(completion_filter(fresh)).values_list(
                    "pk", flat=True
                )
            )
            for record in records:
                decision = completion_decision(fresh, record)
                assert decision.allowed == (record.pk in readable), (decision, users_spec)
                reasons.append(f"completion:{decision.reason}")
            recordable = set(
                User.objects.filter(completion_record_filter(fresh)).values_list("pk", flat=True)
            )
            for other in users:
                decision = completion_record_decision(fresh, User.objects.get(pk=other.pk))
                assert decision.allowed == (other.pk in recordable), (decision, users_spec)
                reasons.append(f"record:{decision.reason}")
        transaction.set_rollback(True)
    return reasons


def test_a_fixed_world_exercises_every_allow_path() -> None:
    reasons = _agreement(
        [
            (1, {Role.PRISON_CT_LEAD}, True),
            (1, {Role.POM}, True),
            (0, {Role.REGIONAL_CT_COORDINATOR}, True),
            (5, {Role.NATIONAL_GOVERNANCE}, True),
            (2, {Role.POM}, False),
        ],
        [(1, 0), (4, 0)],
    )
    for reason in (
        "establishment:own_establishment",
        "establishment:region",
        "establishment:national",
        "establishment:not_an_establishment",
        "completion:own_record",
        "completion:establishment_lead",
        "completion:aggregates_only",
        "record:establishment_lead",
        "record:not_establishment_staff",
    ):
        assert reason in reasons, reason


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    users_spec=users_strategy,
    completions=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), max_size=4),
)
def test_the_training_decisions_and_filters_agree(
    users_spec: list[tuple[int, set[str], bool]], completions: list[tuple[int, int]]
) -> None:
    for reason in set(_agreement(users_spec, completions)):
        event(reason)
