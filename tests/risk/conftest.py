"""The risk suite's fixtures: the register's ``case_world`` with an assessment on it, and with
the seniors on its team for required checks (``checks_world``).

- the NSD senior operational lead (SC) joins the case team (to countersign);
- ``assessment_world.draft``: a WHOLE_RISK draft by the NSD practitioner (the case's lead),
  every domain rated except domestic abuse, the RoSH matrix and summary filled in, a next
  review date; an OFFICIAL-SENSITIVE "Offending" section and a SECRET "Relationships"
  section (a SECRET-informed judgement) written by the practitioner (SC-vetted).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from jointcase.access.labels import Classification
from jointcase.cases import services as case_services
from jointcase.cases.models import CaseRole, Sentence
from jointcase.keyring import Keyring, keyring_init
from jointcase.risk.models import RequiredCheck
from jointcase.risk.models.assessments import (
    ROSH_AUDIENCES,
    Assessment,
    AssessmentSection,
    DomainRating,
    RiskDomain,
    RoshLevel,
)
from jointcase.risk.services.assessments import (
    SUMMARY_FIELDS,
    AssessmentInput,
    DomainInput,
    assessment_save,
    assessment_section_save,
    assessment_start,
)
from tests.register_fixtures import CaseWorld

SECRET_NOTE = "Covert reporting suggests renewed contact with a former partner (synthetic)."


def full_input(*, skip: tuple[str, ...] = (), level: str = RoshLevel.MEDIUM) -> AssessmentInput:
    """Every domain rated with evidence (those in ``skip`` left out), every RoSH cell rated."""
    domains = {
        domain: DomainInput(rating=DomainRating.MEDIUM, evidence=f"Synthetic evidence: {domain}")
        for domain in RiskDomain.values
        if domain not in skip
    }
    rosh = {
        (setting, audience): level
        for setting, audiences in ROSH_AUDIENCES.items()
        for audience in audiences
    }
    return AssessmentInput(
        domains=domains,
        rosh=rosh,
        summary={name: f"Synthetic {name}" for name in SUMMARY_FIELDS},
        next_review_on=timezone.localdate() + dt.timedelta(days=180),
    )


@dataclass
class AssessmentWorld:
    world: CaseWorld
    draft: Assessment
    official_section: AssessmentSection
    secret_section: AssessmentSection


@pytest.fixture
def keyring(tmp_path: Path, settings: SettingsWrapper) -> Keyring:
    """A real keyring for sealing sections (``settings.KEYRING_PATH`` points at it)."""
    path = tmp_path / "keyring"
    created = keyring_init(path)
    settings.KEYRING_PATH = path
    return created


@pytest.fixture
def assessment_world(case_world: CaseWorld, keyring: Keyring) -> AssessmentWorld:
    assessor = case_world.personas.nsd_practitioner
    case_services.team_member_add(
        actor=assessor,
        case=case_world.case,
        role=CaseRole.SENIOR_OPERATIONAL_LEAD,
        user=case_world.personas.nsd_lead,
        start=timezone.localdate() - dt.timedelta(days=30),
    )
    draft = assessment_start(actor=assessor, case=case_world.case, instrument_code="WHOLE_RISK")
    assessment_save(
        actor=assessor,
        assessment=draft,
        data=full_input(skip=(RiskDomain.DOMESTIC_ABUSE,)),
    )
    official = assessment_section_save(
        actor=assessor,
        assessment=draft,
        section_code="OFFENDING",
        notes="Offence pattern shows planning over months (synthetic).",
        factors={"CURRENT_OFFENCE": "SIGNIFICANT", "PATTERN": "SOME"},
    )
    secret = assessment_section_save(
        actor=assessor,
        assessment=draft,
        section_code="RELATIONSHIPS",
        notes=SECRET_NOTE,
        factors={"INTIMATE_PARTNER": "SIGNIFICANT"},
        classification=Classification.SECRET,
    )
    return AssessmentWorld(case_world, draft, official, secret)


@pytest.fixture
def checks_world(case_world: CaseWorld) -> CaseWorld:
    """The register's case, with the seniors on its team."""
    people = case_world.personas
    start = timezone.localdate() - dt.timedelta(days=30)
    for role, user in (
        (CaseRole.CT_SUPERVISOR, people.ct_supervisor),
        (CaseRole.SENIOR_OPERATIONAL_LEAD, people.nsd_lead),
    ):
        case_services.team_member_add(
            actor=people.nsd_practitioner, case=case_world.case, role=role, user=user, start=start
        )
    return case_world


def enter_pre_release(world: CaseWorld, *, release_in_days: int = 90) -> None:
    """Bring the release date within the pre-release window: the case enters PRE_RELEASE."""
    case = world.case
    case.refresh_from_db()
    sentence = Sentence.objects.get(pk=world.sentence.pk)
    case_services.sentence_update(
        actor=world.personas.nsd_practitioner,
        sentence=sentence,
        expected_version=case.version,
        crd=timezone.localdate() + dt.timedelta(days=release_in_days),
    )
    case.refresh_from_db()


def pre_release_checks(world: CaseWorld) -> list[RequiredCheck]:
    return list(
        RequiredCheck.objects.filter(case=world.case, trigger="PHASE_ENTERED").order_by(
            "check_type"
        )
    )
