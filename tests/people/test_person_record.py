"""Recording a person: names, identifiers, addresses and the rest, validated and with history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from jointcase.agencies.models import Agency
from jointcase.cases import services as case_services
from jointcase.cases.models import Cohort, Ideology, TimelineEvent, TimelineKind
from jointcase.lib.edits import ConcurrentEdit
from jointcase.people import services
from jointcase.people.models import (
    AddressKind,
    ContactKind,
    IdentifierType,
    NameKind,
    PersonNameKey,
)
from jointcase.people.selectors import person_get_for, person_history_for, person_list_for
from tests.register_fixtures import CaseWorld

pytestmark = pytest.mark.django_db


def test_a_new_person_has_a_primary_name_search_keys_and_a_history_entry(personas) -> None:
    actor = personas.nsd_practitioner
    person = services.person_create(
        actor=actor, given_names="Zoë", family_name="O'Brien", date_of_birth=dt.date(1985, 2, 28)
    )
    name = person.names.get()
    assert (name.kind, name.name_normalised) == (NameKind.PRIMARY, "zoe o brien")
    assert person.display_name == "O'BRIEN, Zoë"
    assert PersonNameKey.objects.filter(person=person).exists()
    entry = person_history_for(person=person).get()
    assert entry.action == "person.create"
    assert entry.details["changes"]["family_name"] == [None, "O'Brien"]


def test_a_person_cannot_be_born_in_the_future_or_without_a_family_name(personas) -> None:
    with pytest.raises(ValidationError) as error:
        services.person_create(
            actor=personas.nsd_practitioner,
            given_names="A",
            family_name=" ",
        )
    assert "family_name" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.person_create(
            actor=personas.nsd_practitioner,
            given_names="A",
            family_name="B",
            date_of_birth=timezone.localdate() + dt.timedelta(days=1),
        )
    assert "date_of_birth" in error.value.message_dict


@pytest.mark.parametrize(
    ("kind", "value", "stored"),
    [
        (IdentifierType.CRN, " x123456 ", "X123456"),
        (IdentifierType.PRISON_NUMBER, "a1234bc", "A1234BC"),
        (IdentifierType.PNC_ID, "2008/0056560Z", "2008/0056560Z"),
        (IdentifierType.PNC_ID, "08/56560Z", "2008/0056560Z"),
    ],
)
def test_identifiers_are_stored_in_their_canonical_form(
    case_world: CaseWorld, kind: str, value: str, stored: str
) -> None:
    if kind != IdentifierType.PNC_ID:
        case_world.person.identifiers.filter(type=kind).delete()
    identifier = services.identifier_add(
        actor=case_world.personas.nsd_practitioner, person=case_world.person, type=kind, value=value
    )
    assert identifier.value == stored


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (IdentifierType.CRN, "X12345"),
        (IdentifierType.CRN, "123456X"),
        (IdentifierType.PRISON_NUMBER, "A12345C"),
        (IdentifierType.PNC_ID, "2019/0123456X"),  # wrong check letter
        (IdentifierType.PNC_ID, "2019-0123456E"),
        ("NATIONAL_INSURANCE", "AB123456C"),  # unknown enumeration
    ],
)
def test_malformed_identifiers_get_a_field_error_and_nothing_is_saved(
    case_world: CaseWorld, kind: str, value: str
) -> None:
    before = case_world.person.identifiers.count()
    with pytest.raises(ValidationError) as error:
        services.identifier_add(
            actor=case_world.personas.nsd_practitioner,
            person=case_world.person,
            type=kind,
            value=value,
        )
    assert set(error.value.message_dict) <= {"value", "type"}
    assert case_world.person.identifiers.count() == before


def test_an_identifier_already_held_by_anyone_is_refused(case_world: CaseWorld) -> None:
    actor = case_world.personas.nsd_practitioner
    other = services.person_create(actor=actor, given_names="Sam", family_name="Else")
    with pytest.raises(ValidationError) as error:
        services.identifier_add(actor=actor, person=other, type=IdentifierType.CRN, value="x123456")
    assert "already recorded" in error.value.message_dict["value"][0]


def test_agency_references_are_unique_within_each_agency_only(case_world: CaseWorld) -> None:
    actor = case_world.personas.nsd_practitioner
    police = Agency.objects.get(code="ctu-north-east")
    prison = Agency.objects.get(code="hmp-frankland")
    services.identifier_add(
        actor=actor,
        person=case_world.person,
        type=IdentifierType.AGENCY_REFERENCE,
        value="REF-1",
        agency=police,
    )
    services.identifier_add(
        actor=actor,
        person=case_world.person,
        type=IdentifierType.AGENCY_REFERENCE,
        value="REF-1",
        agency=prison,
    )
    with pytest.raises(ValidationError):
        services.identifier_add(
            actor=actor,
            person=case_world.person,
            type=IdentifierType.AGENCY_REFERENCE,
            value="ref-1",
            agency=police,
        )
    with pytest.raises(ValidationError) as error:
        services.identifier_add(
            actor=actor,
            person=case_world.person,
            type=IdentifierType.AGENCY_REFERENCE,
            value="REF-2",
        )
    assert "agency" in error.value.message_dict


def test_a_stale_edit_is_refused_and_the_first_edit_survives(case_world: CaseWorld) -> None:
    person = case_world.person
    loaded_version = person.version
    first = services.person_update(
        actor=case_world.personas.nsd_practitioner,
        person=person,
        expected_version=loaded_version,
        nationality="British",
    )
    with pytest.raises(ConcurrentEdit) as error:
        services.person_update(
            actor=case_world.personas.ctnm_officer,
            person=person,
            expected_version=loaded_version,
            nationality="Irish",
        )
    assert "Reload the page" in str(error.value)
    person.refresh_from_db()
    assert person.nationality == "British"
    assert person.version == first.version
    update = person_history_for(person=person).filter(action="person.update").get()
    assert update.details["changes"] == {"nationality": ["", "British"]}
    assert update.actor_username == "nsd.practitioner"


def test_a_new_primary_name_ends_the_old_one_and_renames_the_record(case_world: CaseWorld) -> None:
    actor = case_world.personas.nsd_practitioner
    start = timezone.localdate()
    services.name_add(
        actor=actor,
        person=case_world.person,
        kind=NameKind.PRIMARY,
        given_names="Daniel",
        family_name="Khan",
        valid_from=start,
    )
    case_world.primary_name.refresh_from_db()
    assert case_world.primary_name.valid_to == start - dt.timedelta(days=1)
    case_world.person.refresh_from_db()
    assert case_world.person.display_name == "KHAN, Daniel"


def test_an_end_date_before_the_start_is_refused(case_world: CaseWorld) -> None:
    actor = case_world.personas.nsd_practitioner
    address = services.address_add(
        actor=actor,
        person=case_world.person,
        kind=AddressKind.HOME,
        line1="1 High Street",
        town="Durham",
        postcode="dh11aa",
        valid_from=dt.date(2024, 5, 1),
    )
    assert address.postcode == "DH1 1AA"
    with pytest.raises(ValidationError) as error:
        services.address_end(actor=actor, address=address, valid_to=dt.date(2024, 4, 30))
    assert "valid_to" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.address_add(
            actor=actor,
            person=case_world.person,
            kind=AddressKind.HOME,
            line1="1 High Street",
            town="Durham",
            postcode="NOT A CODE",
        )
    assert "postcode" in error.value.message_dict


def test_a_notifiable_change_puts_the_due_date_on_the_case_timeline(case_world: CaseWorld) -> None:
    actor = case_world.personas.nsd_practitioner
    services.contact_add(
        actor=actor, person=case_world.person, kind=ContactKind.PHONE, value="07700 900123"
    )
    event = TimelineEvent.objects.filter(case=case_world.case, kind=TimelineKind.PERSON).first()
    assert event is not None
    due = timezone.localdate() + dt.timedelta(days=3)
    assert f"{due:%d %B %Y}" in event.description


def test_ending_an_address_is_audited_moves_the_version_on_and_is_notified(
    case_world: CaseWorld,
) -> None:
    from jointcase.audit.models import AuditEntry

    actor = case_world.personas.nsd_practitioner
    person = case_world.person
    address = services.address_add(
        actor=actor,
        person=person,
        kind=AddressKind.HOME,
        line1="2 Low Street",
        town="Durham",
        postcode="DH1 1AA",
        valid_from=dt.date(2024, 5, 1),
    )
    person.refresh_from_db()
    version = person.version
    services.address_end(actor=actor, address=address, valid_to=dt.date(2024, 6, 30))
    address.refresh_from_db()
    assert address.valid_to == dt.date(2024, 6, 30)
    person.refresh_from_db()
    assert person.version == version + 1  # a form opened before the change is now stale
    entry = AuditEntry.objects.get(action="person.address_end")
    assert entry.object_id == str(person.pk)
    assert entry.details == {
        "address_id": address.pk,
        "changes": {"valid_to": [None, "2024-06-30"]},
    }
    assert TimelineEvent.objects.filter(
        case=case_world.case, kind=TimelineKind.PERSON, title="Home address ended"
    ).exists()
    services.vehicle_end(
        actor=actor,
        vehicle=services.vehicle_add(actor=actor, person=person, registration="AB12CDE"),
        valid_to=timezone.localdate(),
    )
    vehicle_entry = AuditEntry.objects.get(action="person.vehicle_end")
    assert set(vehicle_entry.details) == {"vehicle_id", "changes"}


def test_vehicles_and_documents_are_recorded_with_field_errors_for_bad_input(
    case_world: CaseWorld,
) -> None:
    actor = case_world.personas.nsd_practitioner
    vehicle = services.vehicle_add(
        actor=actor, person=case_world.person, registration="ab12 cde", make="Ford"
    )
    assert vehicle.registration == "AB12CDE"
    with pytest.raises(ValidationError) as error:
        services.vehicle_add(actor=actor, person=case_world.person, registration="!!")
    assert "registration" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.document_add(
            actor=actor, person=case_world.person, kind="PASSPORT", number="", issuing_country=""
        )
    assert {"number", "issuing_country"} <= set(error.value.message_dict)


def test_a_person_is_seen_through_their_cases_only(case_world: CaseWorld) -> None:
    p = case_world.personas
    assert person_get_for(user=p.pom, person_id=case_world.person.public_id) == case_world.person
    for outsider in (p.officer_not_on_case, p.excluded_officer, p.national_lead):
        with pytest.raises(Http404, match="Person not found"):
            person_get_for(user=outsider, person_id=case_world.person.public_id)
    with pytest.raises(Http404, match="Person not found"):
        person_get_for(user=p.pom, person_id="not-a-number")


def test_whoever_records_a_person_sees_them_until_a_case_is_opened(personas) -> None:
    creator = personas.officer_not_on_case
    person = services.person_create(actor=creator, given_names="New", family_name="Nominal")
    assert list(person_list_for(user=creator)) == [person]
    assert not person_list_for(user=personas.nsd_practitioner).exists()
    # Whoever may see the person opens the case (here the creator, handing it to NSD).
    case = case_services.case_open(
        actor=creator,
        person=person,
        cohort=Cohort.TACT,
        ideology=Ideology.OTHER,
        lead_agency=personas.nsd_practitioner.agency,
    )
    case_services.team_member_add(
        actor=creator, case=case, role="LEAD_NSD_PRACTITIONER", user=personas.nsd_practitioner
    )
    assert not person_list_for(user=creator).exists()
    assert list(person_list_for(user=personas.nsd_practitioner)) == [person]
