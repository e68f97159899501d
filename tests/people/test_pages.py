"""The person pages: record a person, add their details, open a case; errors explained."""

from __future__ import annotations

import pytest

from jointcase.cases.models import Case
from jointcase.people.models import Identifier, Person, PersonName
from jointcase.people.search import search_register
from tests.support.forms import date_input

pytestmark = pytest.mark.django_db


def _problem(response, *messages):
    body = response.content.decode()
    assert response.status_code == 400, body[:1500]
    assert "There is a problem" in body
    for message in messages:
        assert message in body, message
    return body


def test_a_practitioner_records_a_person_then_opens_a_case(personas, client_for):
    client = client_for(personas.nsd_practitioner)
    response = client.post(
        "/people/new/",
        {
            "given_names": "Zoë",
            "family_name": "O'Connell-Price",
            **date_input("date_of_birth", "3/7/1984"),
            "gender": "FEMALE",
        },
    )
    assert response.status_code == 302
    person = Person.objects.get()
    assert response["Location"] == f"/people/{person.public_id}/"
    page = client.get(response["Location"]).content.decode()
    assert "O&#39;CONNELL-PRICE" in page.upper() or "O'CONNELL-PRICE" in page.upper()
    assert "3 July 1984" in page
    assert [
        r.person.pk
        for r in search_register(user=personas.nsd_practitioner, text="zoe oconnell").results
    ] == [person.pk]
    opened = client.post(
        f"/people/{person.public_id}/cases/new/",
        {
            "actor_role": "LEAD_NSD_PRACTITIONER",
            "cohort": "TERRORIST_RISK",
            "ideology": "OTHER",
            "lead_agency": personas.nsd_practitioner.agency_id,
        },
    )
    assert opened.status_code == 302
    case = Case.objects.get()
    assert opened["Location"] == f"/cases/{case.public_id}/"


def test_recording_a_person_with_bad_input_writes_nothing(personas, client_for):
    client = client_for(personas.nsd_practitioner)
    _problem(
        client.post(
            "/people/new/",
            {
                "given_names": "A",
                "family_name": "",
                **date_input("date_of_birth", "30/02/1990"),
                "gender": "MARTIAN",
            },
        ),
        "Enter the family name",
        "Date of birth must be a real date",
        "Choose the gender from the list",
    )
    _problem(
        client.post(
            "/people/new/", {"family_name": "Future", **date_input("date_of_birth", "1/1/2199")}
        ),
        "Date of birth must be in the past",
    )
    assert not Person.objects.exists()


def test_the_person_page_is_not_found_for_someone_without_need_to_know(case_world, client_for):
    person = case_world.person
    for who in ("officer_not_on_case", "excluded_officer", "national_lead"):
        client = client_for(getattr(case_world.personas, who))
        for path in ("", "edit/", "history/", "names/new/", "identifiers/new/", "cases/new/"):
            response = client.get(f"/people/{person.public_id}/{path}")
            assert response.status_code == 404, (who, path)
            assert "HOLLOWAY" not in response.content.decode().upper()


def test_an_alias_is_added_and_found_by_search(case_world, client_for):
    client = client_for(case_world.personas.nsd_practitioner)
    response = client.post(
        f"/people/{case_world.person.public_id}/names/new/",
        {"given_names": "Abu", "family_name": "Hamza", **date_input("valid_from", "1/1/2015")},
    )
    assert response.status_code == 302
    assert PersonName.objects.filter(
        person=case_world.person, kind="ALIAS", family_name="Hamza"
    ).exists()
    results = search_register(user=case_world.personas.nsd_practitioner, text="abu hamsa").results
    assert [r.person.pk for r in results] == [case_world.person.pk]
    _problem(
        client.post(
            f"/people/{case_world.person.public_id}/names/new/",
            {
                "family_name": "Later",
                **date_input("valid_from", "2/1/2015"),
                **date_input("valid_to", "1/1/2015"),
            },
        ),
        "The end date must be the same as or after the start date",
    )


def test_malformed_and_duplicate_identifiers_are_field_errors(case_world, client_for):
    client = client_for(case_world.personas.nsd_practitioner)
    url = f"/people/{case_world.person.public_id}/identifiers/new/"
    before = Identifier.objects.count()
    _problem(client.post(url, {"type": "CRN", "value": "123"}), "CRN")
    _problem(client.post(url, {"type": "CRN", "value": "x123456"}), "already recorded")
    _problem(
        client.post(url, {"type": "SHOE_SIZE", "value": "9"}),
        "Choose the identifier type from the list",
    )
    _problem(client.post(url, {"type": "PNC_ID", "value": "2019/0123456A"}), "check letter")
    assert Identifier.objects.count() == before
    assert client.post(url, {"type": "CRN", "value": "y 654 321"}).status_code == 302
    assert Identifier.objects.filter(person=case_world.person, type="CRN", value="Y654321").exists()


def test_two_people_editing_the_same_person_the_second_is_told_to_reload(case_world, client_for):
    person = case_world.person
    first = client_for(case_world.personas.nsd_practitioner)
    second = client_for(case_world.personas.ctnm_officer)
    version = person.version
    assert (
        f'name="version" value="{version}"'
        in second.get(f"/people/{person.public_id}/edit/").content.decode()
    )
    assert (
        first.post(
            f"/people/{person.public_id}/edit/",
            {
                "version": version,
                **date_input("date_of_birth", "12/4/1990"),
                "nationality": "British",
            },
        ).status_code
        == 302
    )
    _problem(
        second.post(
            f"/people/{person.public_id}/edit/",
            {
                "version": version,
                **date_input("date_of_birth", "13/4/1990"),
                "nationality": "Irish",
            },
        ),
        "This record was changed by someone else. Reload the page",
    )
    person.refresh_from_db()
    assert person.nationality == "British"
    history = first.get(f"/people/{person.public_id}/history/").content.decode()
    assert "Person: update" in history
    assert "British" in history


def test_addresses_contacts_vehicles_and_documents_are_recorded(case_world, client_for):
    client = client_for(case_world.personas.nsd_practitioner)
    pk = case_world.person.public_id
    posts = {
        "addresses": {
            "kind": "HOME",
            "line1": "1 Synthetic Street",
            "town": "Leeds",
            "postcode": "ls1 4ap",
            **date_input("valid_from", "1/1/2024"),
        },
        "contacts": {"kind": "PHONE", "value": "07700 900123"},
        "vehicles": {"registration": "AB12 CDE", "make": "Ford", "colour": "Blue"},
        "documents": {
            "kind": "PASSPORT",
            "number": "123456789",
            "issuing_country": "United Kingdom",
        },
    }
    for path, data in posts.items():
        response = client.post(f"/people/{pk}/{path}/new/", data)
        assert response.status_code == 302, (path, response.content.decode()[:2000])
    page = client.get(f"/people/{pk}/").content.decode()
    for text in ("1 Synthetic Street", "LS1 4AP", "07700 900123", "Ford", "123456789"):
        assert text in page
    _problem(
        client.post(
            f"/people/{pk}/addresses/new/",
            {"kind": "HOME", "line1": "x", "town": "y", "postcode": "NOT A POSTCODE"},
        ),
        "postcode",
    )
