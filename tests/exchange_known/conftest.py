"""A register for "Known to you?" and live matching: the case world's Daniel Holloway (a case
led by NSD North, seen by its case team) and Rosalind Featherstone (a case led by CT Policing
North West that no persona works, so nobody here may see her)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.utils import timezone

from jointcase.agencies.models import Agency
from jointcase.cases.models import Case, Cohort, Ideology
from jointcase.exchange.services.matching import matcher_forget
from jointcase.people.models import Identifier, IdentifierType, NameKind, Person, PersonName
from tests.register_fixtures import CaseWorld


@pytest.fixture(autouse=True)
def _fresh_matcher() -> Iterator[None]:
    matcher_forget()
    yield
    matcher_forget()


@dataclass
class KnownWorld:
    world: CaseWorld
    hidden: Person
    hidden_reference: str


@pytest.fixture
def known_world(case_world: CaseWorld) -> KnownWorld:
    police = Agency.objects.get(code="ctu-north-west")
    hidden = Person.objects.create(
        date_of_birth=dt.date(1972, 9, 30), display_name="FEATHERSTONE, Rosalind"
    )
    PersonName.objects.create(
        person=hidden, kind=NameKind.PRIMARY, given_names="Rosalind", family_name="Featherstone"
    )
    PersonName.objects.create(
        person=hidden, kind=NameKind.ALIAS, given_names="Roz", family_name="Fetherston"
    )
    Identifier.objects.create(person=hidden, type=IdentifierType.CRN, value="X765432")
    Case.objects.create(
        person=hidden,
        reference="JC-900002",
        cohort=Cohort.TACT,
        ideology=Ideology.ISLAMIST,
        lead_agency=police,
        opened_at=timezone.localdate() - dt.timedelta(days=30),
    )
    return KnownWorld(world=case_world, hidden=hidden, hidden_reference="JC-900002")
