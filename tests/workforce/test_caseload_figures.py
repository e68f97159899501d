"""The stored caseload figures: every event that moves a load (an allocation, a phase change, a
MAPPA registration, a countersigned assessment, a member leaving the team, a cohort change, a
capacity record, a change of roles) recomputes the figures of the people concerned in its
transaction; the full (nightly) run agrees with the live computation; a figure from another
weights file is recomputed when read; a figure older than today is shown "as of"."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jointcase.accounts.models import User
from jointcase.cases import services as case_services
from jointcase.cases.models import (
    Case,
    CaseRole,
    CaseTeamMember,
    Cohort,
    MappaCategory,
    MappaRegistration,
)
from jointcase.risk.models.assessments import (
    ROSH_RANK,
    Assessment,
    AssessmentStatus,
    RoshLevel,
    RoshRating,
)
from jointcase.risk.services.assessments import (
    assessment_complete,
    assessment_countersign,
    assessment_save,
    assessment_start,
)
from jointcase.workforce import weights as weights_module
from jointcase.workforce.caseload import all_case_facts, case_facts, loads_of
from jointcase.workforce.figures import figures_for, figures_refresh_all
from jointcase.workforce.models import CaseloadFigure
from jointcase.workforce.services.allocation import allocation_make
from jointcase.workforce.services.caseload import capacity_set
from tests.risk.conftest import full_input
from tests.workforce.caseload_fixtures import CaseloadWorld

pytestmark = pytest.mark.django_db


def _stored(user: User) -> tuple[Decimal, Decimal, int, int]:
    figure = CaseloadFigure.objects.get(user=user)
    return figure.load, figure.capacity, figure.lead_cases, figure.co_worked_cases


def _live(user: User) -> tuple[Decimal, Decimal, int, int]:
    fresh = User.objects.get(pk=user.pk)
    load = loads_of([fresh])[fresh.pk]
    return load.load, load.capacity, load.lead_cases, load.cases - load.lead_cases


def _agrees(user: User) -> tuple[Decimal, Decimal, int, int]:
    stored = _stored(user)
    assert stored == _live(user), user.username
    return stored


def test_an_allocation_adds_the_case_to_the_new_leads_stored_load(
    caseload_world: CaseloadWorld,
) -> None:
    world = caseload_world
    assert _agrees(world.second) == (Decimal("0.0"), Decimal("20.0"), 0, 0)
    allocation_make(actor=world.lead, case=world.waiting, candidate_id=world.second.pk)
    assert _agrees(world.second) == (Decimal("3.5"), Decimal("20.0"), 1, 0)


def test_a_member_leaving_the_team_leaves_their_stored_load(
    caseload_world: CaseloadWorld,
) -> None:
    world = caseload_world
    member = CaseTeamMember.objects.get(
        case=world.world.case, user=world.practitioner, role=CaseRole.LEAD_NSD_PRACTITIONER
    )
    assert _agrees(world.practitioner)[2] == 1
    case_services.team_member_remove(actor=world.practitioner, member=member)
    assert _agrees(world.practitioner) == (Decimal("0.0"), Decimal("5.0"), 0, 0)


def test_a_phase_change_moves_the_stored_load_of_the_cases_holders(
    caseload_world: CaseloadWorld,
) -> None:
    world = caseload_world
    before = _agrees(world.practitioner)
    case = world.world.case
    case_services.case_close(
        actor=world.practitioner, case=case, closed_at=timezone.localdate(), reason="Synthetic"
    )
    after = _agrees(world.practitioner)
    assert before[0] > 0
    assert after == (Decimal("0.0"), before[1], 0, 0)


def test_a_mappa_registration_moves_the_stored_load(caseload_world: CaseloadWorld) -> None:
    world = caseload_world
    before = _agrees(world.practitioner)
    case_services.mappa_register(
        actor=world.practitioner,
        case=world.world.case,
        category=MappaCategory.M4,
        level=1,
        review_date=timezone.localdate() + dt.timedelta(days=30),
    )
    after = _agrees(world.practitioner)
    assert after[0] < before[0]  # level 3 down to level 1


def test_a_countersigned_assessment_moves_the_stored_load(caseload_world: CaseloadWorld) -> None:
    world = caseload_world
    before = _agrees(world.practitioner)
    draft = assessment_start(
        actor=world.practitioner, case=world.world.case, instrument_code="WHOLE_RISK"
    )
    assessment_save(
        actor=world.practitioner, assessment=draft, data=full_input(level=RoshLevel.VERY_HIGH)
    )
    assessment_complete(actor=world.practitioner, assessment=draft)
    assert _agrees(world.practitioner) == before  # awaiting countersignature: not yet
    assessment_countersign(actor=world.lead, assessment=draft)
    assert _agrees(world.practitioner)[0] == before[0] + Decimal("1.0")  # VERY_HIGH: 2.0


def test_a_cohort_change_moves_the_stored_load(caseload_world: CaseloadWorld) -> None:
    world = caseload_world
    before = _agrees(world.practitioner)
    case = Case.objects.get(pk=world.world.case.pk)
    case_services.case_update(
        actor=world.practitioner,
        case=case,
        expected_version=case.version,
        cohort=Cohort.TERRORIST_RISK,
    )
    after = _agrees(world.practitioner)
    assert after[0] == before[0] - Decimal("0.5")  # TACT 1.0, terrorist risk 0.5


def test_a_capacity_record_moves_the_stored_capacity(caseload_world: CaseloadWorld) -> None:
    world = caseload_world
    capacity_set(
        actor=world.lead,
        subject=world.second,
        hours_fraction=Decimal("0.50"),
        other_duties_reduction=Decimal("0.10"),
        other_duties="Training lead",
    )
    assert _agrees(world.second) == (Decimal("0.0"), Decimal("9.0"), 0, 0)
    figure = CaseloadFigure.objects.get(user=world.second)
    assert (figure.hours_fraction, figure.other_duties) == (Decimal("0.50"), "Training lead")


def test_a_change_of_roles_moves_the_stored_capacity(caseload_world: CaseloadWorld) -> None:
    from jointcase.agencies.services import agency_user_roles_set

    world = caseload_world
    admin = world.world.personas.agency_admin
    agency_user_roles_set(actor=admin, user=world.second, roles=[])
    assert _agrees(world.second)[1] == Decimal("0.0")


def test_the_full_run_agrees_with_the_live_computation_after_any_events(
    caseload_world: CaseloadWorld,
) -> None:
    """Property-style: random events through the services (seeded), then rows written behind
    the services' back; the full run leaves every figure equal to the live computation."""
    world = caseload_world
    rng = random.Random(7)
    people = [world.practitioner, world.second, world.bpss]
    case = world.world.case  # its lead, the persona practitioner, manages its team
    for _ in range(12):
        user = rng.choice(people[1:])
        role = rng.choice([CaseRole.LEAD_NSD_PRACTITIONER, CaseRole.CO_WORKING_PRACTITIONER])
        current = CaseTeamMember.objects.filter(case=case, user=user, end__isnull=True).first()
        if current is None:
            case_services.team_member_add(actor=world.practitioner, case=case, role=role, user=user)
        else:
            case_services.team_member_remove(actor=world.practitioner, member=current)
        for person in people:
            _agrees(person)
    CaseTeamMember.objects.create(
        case=world.waiting,
        user=world.bpss,
        role=CaseRole.CO_WORKING_PRACTITIONER,
        agency=world.bpss.agency,
    )
    figures_refresh_all(batch=2)
    everyone = list(User.objects.order_by("pk"))
    live = loads_of(everyone)
    stored = {f.user_id: f for f in CaseloadFigure.objects.all()}
    assert set(stored) == {u.pk for u in everyone}
    for user in everyone:
        figure, load = stored[user.pk], live[user.pk]
        assert (figure.load, figure.capacity, figure.cases, figure.lead_cases) == (
            load.load,
            load.capacity,
            load.cases,
            load.lead_cases,
        ), user.username
        assert figure.caseload_role == (load.spec.role if load.spec else "")


def test_a_figure_from_another_weights_file_is_recomputed_when_read(
    caseload_world: CaseloadWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = caseload_world
    current = weights_module.weights_current()
    CaseloadFigure.objects.filter(user=world.practitioner).update(load=Decimal("99.0"))
    newer = replace(current, version=current.version + 1)
    monkeypatch.setattr("jointcase.workforce.figures.weights_current", lambda: newer, raising=True)
    assert figures_for([world.practitioner])[world.practitioner.pk].load == Decimal("4.0")
    assert CaseloadFigure.objects.get(user=world.practitioner).weights_version == newer.version


def test_the_pages_say_as_of_when_the_figures_are_older_than_today(
    caseload_world: CaseloadWorld, client_for: Callable[[User], Client]
) -> None:
    world = caseload_world
    client = client_for(world.lead)
    team = reverse("workforce:caseload-team")
    assert 'id="figures-as-of"' not in client.get(team).content.decode()
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    CaseloadFigure.objects.update(as_of=yesterday)
    assert 'id="figures-as-of"' in client.get(team).content.decode()
    national = client_for(world.world.personas.national_lead)
    assert 'id="figures-as-of"' in national.get(reverse("workforce:capacity")).content.decode()


def test_the_refresh_command_recomputes_every_figure(caseload_world: CaseloadWorld) -> None:
    CaseloadFigure.objects.all().delete()
    out = StringIO()
    call_command("caseload", "refresh", "--no-progress", stdout=out)
    assert f"{User.objects.count()} caseload figure(s) recomputed" in out.getvalue()
    assert CaseloadFigure.objects.count() == User.objects.count()


def test_the_set_based_case_facts_agree_with_the_per_case_subqueries(
    caseload_world: CaseloadWorld,
) -> None:
    """Assessments completed, drafted and unrated, MAPPA registrations ended, current and
    future: the full run's facts are the live computation's, case by case."""
    world = caseload_world
    today = timezone.localdate()
    case, waiting = world.world.case, world.waiting
    rng = random.Random(3)
    levels = list(ROSH_RANK)
    for target in (case, waiting, case, waiting, case):
        assessment = Assessment.objects.create(
            case=target,
            instrument_code="WHOLE_RISK",
            instrument_version=1,
            status=rng.choice([AssessmentStatus.COMPLETED, AssessmentStatus.DRAFT]),
            assessor=world.practitioner,
            originator=target.lead_agency,
            completed_at=timezone.now() - dt.timedelta(days=rng.randint(0, 40)),
        )
        for index in range(rng.randint(0, 3)):
            RoshRating.objects.create(
                assessment=assessment,
                setting="COMMUNITY" if index % 2 == 0 else "CUSTODY",
                audience=["PUBLIC", "KNOWN_ADULT", "CHILDREN"][index],
                level=rng.choice(levels),
            )
    for start, end, level in ((40, 20, 1), (10, None, 2), (-5, None, 3)):
        MappaRegistration.objects.create(
            case=waiting,
            category=MappaCategory.M2,
            level=level,
            review_date=today + dt.timedelta(days=90),
            valid_from=today - dt.timedelta(days=start),
            valid_to=today - dt.timedelta(days=end) if end is not None else None,
        )
    ids = list(Case.objects.values_list("pk", flat=True))
    facts = all_case_facts(today)
    assert {pk: facts.get(pk, (None, None)) for pk in ids} == case_facts(ids, today)
