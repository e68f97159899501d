"""The workforce suite's fixtures.

Prison training (``training_world``), built on the register's ``case_world`` (HMP Frankland,
holding a separation centre, with a custody case whose POM is the ``pom.bpss`` persona and the
``prison.ctlead`` persona as its prison CT lead):

- HMPPS's counter-terrorism unit ``hmpps-ct`` (a prison agency heading establishments, not one
  itself) with a regional CT coordinator; Frankland and HMP Garth are under it;
- HMP Garth (no separation centre) with its own CT lead and POM;
- another region (``hmpps-south``) with HMP Bristol and its coordinator, who oversees Bristol
  only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from jointcase.accounts.models import Role, User
from jointcase.agencies.models import Agency, AgencyKind, VettingLevel
from jointcase.keyring import Keyring, keyring_init
from tests.factories import AgencyFactory, UserFactory
from tests.register_fixtures import CaseWorld


@dataclass
class TrainingWorld:
    case_world: CaseWorld
    hq: Agency
    frankland: Agency
    garth: Agency
    bristol: Agency
    coordinator: User
    south_coordinator: User
    garth_lead: User
    garth_pom: User

    @property
    def frankland_lead(self) -> User:
        return self.case_world.personas.prison_ct_lead

    @property
    def frankland_pom(self) -> User:
        return self.case_world.personas.pom


def prison_user(username: str, agency: Agency, role: str) -> User:
    return UserFactory(username=username, agency=agency, roles=[role], vetting=VettingLevel.SC)


@pytest.fixture
def training_world(case_world: CaseWorld) -> TrainingWorld:
    hq = AgencyFactory(code="hmpps-ct", name="HMPPS Prison Counter Terrorism Unit", kind="PRISON")
    south = AgencyFactory(code="hmpps-south", name="HMPPS South CT unit", kind=AgencyKind.PRISON)
    frankland = case_world.prison
    Agency.objects.filter(pk=frankland.pk).update(parent=hq)
    frankland.refresh_from_db()
    garth = AgencyFactory(code="hmp-garth", name="HMP Garth", kind=AgencyKind.PRISON, parent=hq)
    bristol = AgencyFactory(
        code="hmp-bristol", name="HMP Bristol", kind=AgencyKind.PRISON, parent=south
    )
    return TrainingWorld(
        case_world=case_world,
        hq=hq,
        frankland=frankland,
        garth=garth,
        bristol=bristol,
        coordinator=prison_user("prison.ctc", hq, Role.REGIONAL_CT_COORDINATOR),
        south_coordinator=prison_user("south.ctc", south, Role.REGIONAL_CT_COORDINATOR),
        garth_lead=prison_user("garth.ctlead", garth, Role.PRISON_CT_LEAD),
        garth_pom=prison_user("garth.pom", garth, Role.POM),
    )


@pytest.fixture
def training_keyring(tmp_path: Path, settings: SettingsWrapper) -> Keyring:
    """A real keyring (the seeded world seals material and minutes with it)."""
    path = tmp_path / "keyring"
    created = keyring_init(path)
    settings.KEYRING_PATH = path
    return created
