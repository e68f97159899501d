"""Searching the register: names, aliases, typos, nicknames, dates of birth, identifiers, and
never a hint of what the searcher may not see."""

from __future__ import annotations

import re

import pytest

from jointcase.people.search import search_register

pytestmark = pytest.mark.django_db


def _found(user, text):
    return [result.person.pk for result in search_register(user=user, text=text).results]


@pytest.mark.parametrize(
    "typed",
    [
        "Daniel Holloway",
        "holloway daniel",  # swapped, lower case
        "Danny Hollowey",  # the alias
        "Dany Holowey",  # the alias, misspelled
        "Dan Holloway",  # a nickname
        "Hollowey",  # the alias's family name alone
        "Daniel Hallaway",  # sounds the same
        "12/04/1990",
        "12 April 1990",
        "Holloway 1990-04-12",
        "X123456",
        "x 123 456",
        "a1234bc",
    ],
)
def test_a_practitioner_on_the_case_finds_the_person(case_world, typed):
    assert _found(case_world.personas.nsd_practitioner, typed) == [case_world.person.pk]


def test_a_misspelled_alias_is_reported_as_the_matched_alias(case_world):
    (result,) = search_register(
        user=case_world.personas.nsd_practitioner, text="Dany Holowey"
    ).results
    assert result.matched_alias is not None
    assert result.matched_alias.pk == case_world.alias.pk
    assert [case.pk for case in result.cases] == [case_world.case.pk]


def test_a_wrong_date_of_birth_finds_nobody(case_world):
    assert _found(case_world.personas.nsd_practitioner, "Holloway 13/04/1990") == []


@pytest.mark.parametrize(
    "who", ["officer_not_on_case", "excluded_officer", "national_lead", "auditor"]
)
@pytest.mark.parametrize("typed", ["Daniel Holloway", "Danny Hollowey", "X123456", "12/04/1990"])
def test_people_without_need_to_know_find_nothing(case_world, who, typed):
    assert _found(getattr(case_world.personas, who), typed) == []


def test_the_search_page_looks_the_same_for_hidden_and_missing_people(case_world, client_for):
    client = client_for(case_world.personas.officer_not_on_case)

    def page(text):
        response = client.get("/cases/search/", {"q": text})
        body = response.content.decode()
        body = re.sub(r'nonce="[^"]+"', "", body)
        body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)
        return response.status_code, body.replace(text, "QUERY")

    hidden = page("Daniel Holloway")
    missing = page("Zebedee Quaxley")
    assert hidden == missing
    assert hidden[0] == 200
    assert "No results" in hidden[1]
    assert "Holloway" not in hidden[1]
    assert "results hidden" not in hidden[1].lower()


def test_the_search_page_lists_name_alias_identifiers_case_and_phase(case_world, client_for):
    client = client_for(case_world.personas.nsd_practitioner)
    response = client.get("/cases/search/", {"q": "Dany Holowey"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "HOLLOWAY" in body.upper()
    assert "Danny Hollowey" in body
    assert "X123456" in body
    assert "A1234BC" in body
    assert case_world.case.reference in body
    assert case_world.case.get_phase_display() in body


def test_an_impossible_date_of_birth_gets_a_field_error(case_world, client_for):
    client = client_for(case_world.personas.nsd_practitioner)
    response = client.get("/cases/search/", {"q": "31/02/1990"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in body
    assert "real date of birth" in body


def test_the_empty_search_page_is_just_the_box(client_for, personas):
    response = client_for(personas.nsd_practitioner).get("/cases/search/")
    assert response.status_code == 200
    assert "No results" not in response.content.decode()


def test_a_member_removed_from_the_case_stops_finding_it_at_once(case_world):
    from jointcase.cases.services import team_member_remove

    user = case_world.personas.ctnm_officer
    assert _found(user, "Holloway") == [case_world.person.pk]
    team_member_remove(actor=case_world.personas.nsd_practitioner, member=case_world.ctnm)
    assert _found(user, "Holloway") == []


def test_with_more_candidates_than_can_be_ranked_the_exact_name_still_comes_first(
    personas, monkeypatch
):
    from jointcase.people.search import register as search
    from jointcase.people.services import person_create

    user = personas.nsd_practitioner
    for given, family in [("Jhon", "Smith"), ("John", "Smiht"), ("Joan", "Smith"), ("Jon", "Smit")]:
        person_create(actor=user, given_names=given, family_name=family)
    exact = person_create(actor=user, given_names="John", family_name="Smith")
    monkeypatch.setattr(search, "CANDIDATE_LIMIT", 2)
    results = search_register(user=user, text="John Smith").results
    assert results[0].person.pk == exact.pk
    assert results[0].score == 1.0
