"""The register's shared fixture: one person and one case with the persona case team.

Registered as a plugin in tests/conftest.py (``pytest_plugins = ["tests.register_fixtures"]``)
so every suite can use ``case_world``.

- person: primary name Daniel HOLLOWAY (with an alias "Danny Hollowey"), born 1990-04-12,
  with a CRN and a prison number;
- case: TACT, Islamist, led by NSD North, in custody at HMP Frankland (separation centre);
- case team: nsd_practitioner (lead NSD practitioner), ctnm_officer (CTNM officer), pom (POM);
  excluded_officer is excluded (although their CTNM team works the case: the exclusion wins);
- officer_not_on_case is on nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest
from django.utils import timezone

from jointcase.agencies.models import Agency, AgencyKind
from jointcase.cases import services as case_services
from jointcase.cases.models import (
    Case,
    CaseExclusion,
    CaseRole,
    CaseTeamMember,
    Cohort,
    Ideology,
    MappaCategory,
    SecurityCategory,
    Sentence,
    SentenceType,
)
from jointcase.people import services as people_services
from jointcase.people.models import IdentifierType, NameKind, Person, PersonName

if TYPE_CHECKING:
    from tests.conftest import Personas


@dataclass
class CaseWorld:
    person: Person
    primary_name: PersonName
    alias: PersonName
    case: Case
    sentence: Sentence
    lead: CaseTeamMember
    ctnm: CaseTeamMember
    pom: CaseTeamMember
    exclusion: CaseExclusion
    prison: Agency
    personas: Personas


@pytest.fixture
def case_world(personas: Personas) -> CaseWorld:
    actor = personas.nsd_practitioner
    today = timezone.localdate()
    nsd = actor.agency
    assert nsd is not None
    prison = Agency.objects.get(code="hmp-frankland")
    if not prison.holds_separation_centre:
        Agency.objects.filter(pk=prison.pk).update(holds_separation_centre=True)
        prison.refresh_from_db()
    person = people_services.person_create(
        actor=actor,
        given_names="Daniel",
        family_name="Holloway",
        date_of_birth=dt.date(1990, 4, 12),
    )
    alias = people_services.name_add(
        actor=actor,
        person=person,
        kind=NameKind.ALIAS,
        given_names="Danny",
        family_name="Hollowey",
    )
    people_services.identifier_add(
        actor=actor, person=person, type=IdentifierType.CRN, value="X123456"
    )
    people_services.identifier_add(
        actor=actor, person=person, type=IdentifierType.PRISON_NUMBER, value="A1234BC"
    )
    case = case_services.case_open(
        actor=actor,
        person=person,
        cohort=Cohort.TACT,
        ideology=Ideology.ISLAMIST,
        lead_agency=nsd,
        opened_at=today - dt.timedelta(days=400),
        reference="JC-900001",
    )
    start = today - dt.timedelta(days=400)
    lead = case_services.team_member_add(
        actor=actor, case=case, role=CaseRole.LEAD_NSD_PRACTITIONER, user=actor, start=start
    )
    ctnm = case_services.team_member_add(
        actor=actor, case=case, role=CaseRole.CTNM_OFFICER, user=personas.ctnm_officer, start=start
    )
    pom = case_services.team_member_add(
        actor=actor, case=case, role=CaseRole.POM, user=personas.pom, start=start
    )
    exclusion = case_services.exclusion_add(
        actor=actor,
        case=case,
        user=personas.excluded_officer,
        reason="Conflict of interest (synthetic)",
    )
    case_services.mappa_register(
        actor=actor,
        case=case,
        category=MappaCategory.M4,
        level=3,
        review_date=today + dt.timedelta(days=60),
        valid_from=start,
    )
    case_services.placement_add(
        actor=actor,
        case=case,
        establishment=prison,
        security_category=SecurityCategory.A,
        in_separation_centre=True,
        valid_from=start,
    )
    sentence = case_services.sentence_add(
        actor=actor,
        case=case,
        type=SentenceType.SDS,
        conviction_date=start - dt.timedelta(days=30),
        sentence_date=start,
        length_days=6 * 365,
        offence="Preparation of terrorist acts (synthetic)",
        crd=start + dt.timedelta(days=4 * 365),
        led=start + dt.timedelta(days=6 * 365),
        sed=start + dt.timedelta(days=6 * 365),
    )
    case.refresh_from_db()
    assert prison.kind == AgencyKind.PRISON
    return CaseWorld(
        person=person,
        primary_name=person.names.get(kind=NameKind.PRIMARY),
        alias=alias,
        case=case,
        sentence=sentence,
        lead=lead,
        ctnm=ctnm,
        pom=pom,
        exclusion=exclusion,
        prison=prison,
        personas=personas,
    )
