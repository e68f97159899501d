"""Fixtures for meetings: the register's case with a CT supervisor and a senior operational
lead on the team, a keyring for sealing minutes, and a MAPPA level 3 meeting with minutes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from jointcase.cases import services as case_services
from jointcase.cases.models import CaseRole
from jointcase.keyring import Keyring, keyring_init
from jointcase.meetings.models import Meeting, MeetingType, MinutesSection, WithheldDisplay
from jointcase.meetings.services.invitations import attendance_record
from jointcase.meetings.services.meetings import meeting_create
from jointcase.meetings.services.minutes import minutes_section_add
from tests.register_fixtures import CaseWorld


@pytest.fixture
def keyring(tmp_path: Path, settings: SettingsWrapper) -> Keyring:
    path = tmp_path / "keyring"
    created = keyring_init(path)
    settings.KEYRING_PATH = path
    return created


@pytest.fixture
def team_world(case_world: CaseWorld) -> CaseWorld:
    people = case_world.personas
    start = timezone.localdate() - dt.timedelta(days=30)
    case_services.team_member_add(
        actor=people.nsd_practitioner,
        case=case_world.case,
        role=CaseRole.CT_SUPERVISOR,
        user=people.ct_supervisor,
        start=start,
    )
    case_services.team_member_add(
        actor=people.nsd_practitioner,
        case=case_world.case,
        role=CaseRole.SENIOR_OPERATIONAL_LEAD,
        user=people.nsd_lead,
        start=start,
    )
    return case_world


@dataclass
class MeetingWorld:
    world: CaseWorld
    meeting: Meeting
    open_section: MinutesSection
    secret_section: MinutesSection
    omitted_section: MinutesSection


@pytest.fixture
def meeting_world(team_world: CaseWorld, keyring: Keyring) -> MeetingWorld:
    people = team_world.personas
    meeting = meeting_create(
        actor=people.ct_supervisor,
        type=MeetingType.MAPPA_L3,
        starts_at=timezone.now() - dt.timedelta(hours=2),
        chair=people.ct_supervisor,
        cases=[team_world.case],
        agenda="Review of risk management plan",
        invitees=[people.nsd_practitioner, people.pom, people.ctnm_officer],
    )
    pom_invite = meeting.invitations.get(user=people.pom)
    attendance_record(actor=people.ct_supervisor, invitation=pom_invite, attended=True)
    open_section = minutes_section_add(
        actor=people.nsd_practitioner,
        meeting=meeting,
        heading="Probation update",
        body="Compliant with licence conditions so far.",
    )
    secret_section = minutes_section_add(
        actor=people.ct_supervisor,
        meeting=meeting,
        heading="Police intelligence update",
        body="Covert source reports renewed contact with associates.",
        classification="SECRET",
    )
    omitted_section = minutes_section_add(
        actor=people.ct_supervisor,
        meeting=meeting,
        heading="Operational tasking",
        body="Surveillance deployment planned for next week.",
        classification="SECRET",
        withheld_display=WithheldDisplay.OMIT,
    )
    return MeetingWorld(team_world, meeting, open_section, secret_section, omitted_section)
