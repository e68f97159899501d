"""The workforce suite's fixtures.

Caseload and allocation (``caseload_world``), on top of the register's ``case_world``:
- the NSD senior lead manages three NSD practitioners: the persona ``nsd_practitioner`` (lead on
  JC-900001, part-time: capacity 5.0 against a load of 4.0), ``nsd.second`` (SC, no cases: the
  most room) and ``nsd.bpss`` (BPSS vetting: not cleared for SECRET material);
- JC-900010 waits for a lead NSD practitioner in the senior lead's queue: a new TACT
  post-licence case with no sentence yet (weight 3.5) with a SECRET item;
- the persona practitioner has one overdue supervision contact on JC-900001.

Rows written directly (not through the services) are followed by the recompute of the stored
caseload figures, as the seed and the nightly run do.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from jointcase.access.labels import Classification
from jointcase.accounts.models import Role, User
from jointcase.agencies.models import VettingLevel
from jointcase.cases import services as case_services
from jointcase.cases.models import Case, Cohort, Ideology
from jointcase.material.models import ItemKind, MaterialItem
from jointcase.people import services as people_services
from jointcase.supervision.models import Contact, ContactKind
from jointcase.workforce.figures import figures_refresh_all
from jointcase.workforce.models import CapacityRecord
from tests.factories import UserFactory
from tests.register_fixtures import CaseWorld


@dataclass
class CaseloadWorld:
    world: CaseWorld
    waiting: Case
    second: User
    bpss: User
    overdue: Contact

    @property
    def lead(self) -> User:
        return self.world.personas.nsd_lead

    @property
    def practitioner(self) -> User:
        return self.world.personas.nsd_practitioner


def waiting_case_open(actor: User, reference: str, *, family_name: str = "Marsh") -> Case:
    """A new NSD case opened by ``actor`` with nobody on its team (synthetic person)."""
    person = people_services.person_create(
        actor=actor, given_names="Owen", family_name=family_name, date_of_birth=dt.date(1994, 2, 3)
    )
    assert actor.agency is not None
    return case_services.case_open(
        actor=actor,
        person=person,
        cohort=Cohort.TACT,
        ideology=Ideology.EXTREME_RIGHT_WING,
        lead_agency=actor.agency,
        reference=reference,
    )


@pytest.fixture
def caseload_world(case_world: CaseWorld) -> CaseloadWorld:
    people = case_world.personas
    lead = people.nsd_lead
    nsd = lead.agency
    second = UserFactory(
        username="nsd.second",
        first_name="Sam",
        last_name="Second",
        agency=nsd,
        roles=[Role.NSD_PRACTITIONER],
        vetting=VettingLevel.SC,
        line_manager=lead,
    )
    bpss = UserFactory(
        username="nsd.bpss",
        first_name="Bea",
        last_name="Baseline",
        agency=nsd,
        roles=[Role.NSD_PRACTITIONER],
        vetting=VettingLevel.BPSS,
        line_manager=lead,
    )
    CapacityRecord.objects.create(
        user=people.nsd_practitioner,
        hours_fraction=Decimal("0.25"),
        other_duties_reduction=Decimal("0"),
        effective_from=timezone.localdate() - dt.timedelta(days=30),
        recorded_by=lead,
    )
    waiting = waiting_case_open(lead, "JC-900010")
    MaterialItem.objects.create(
        case=waiting,
        kind=ItemKind.NOTE,
        title="Synthetic SECRET note",
        classification=Classification.SECRET,
        originator=nsd,
        created_at=timezone.now(),
    )
    overdue = Contact.objects.create(
        case=case_world.case,
        kind=ContactKind.HOME_VISIT,
        practitioner=people.nsd_practitioner,
        agency=nsd,
        planned_for=timezone.now() - dt.timedelta(days=2),
        originator=nsd,
    )
    figures_refresh_all()
    return CaseloadWorld(
        world=case_world, waiting=waiting, second=second, bpss=bpss, overdue=overdue
    )
