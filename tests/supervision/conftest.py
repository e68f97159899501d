"""The supervision suite's fixtures: the register's ``case_world`` (a TACT case in custody,
led by the NSD practitioner, with the CTNM officer and a BPSS-vetted POM on its team, an
excluded officer) with a real keyring for sealing notes, and the practitioner's line manager
(the NSD senior lead) on the case team as its senior operational lead."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jointcase.cases import services as case_services
from jointcase.cases.models import CaseRole
from jointcase.keyring import Keyring
from tests.register_fixtures import CaseWorld
from tests.risk.conftest import keyring  # noqa: F401 - fixture

SECRET_NOTE = "He spoke of renewed contact with an extremist associate (synthetic)."


@pytest.fixture
def contacts_world(case_world: CaseWorld, keyring: Keyring) -> CaseWorld:  # noqa: F811
    case_services.team_member_add(
        actor=case_world.personas.nsd_practitioner,
        case=case_world.case,
        role=CaseRole.SENIOR_OPERATIONAL_LEAD,
        user=case_world.personas.nsd_lead,
        start=timezone.localdate() - dt.timedelta(days=30),
    )
    return case_world
