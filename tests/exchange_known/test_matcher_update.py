"""Live matching keeps up with the register: a person recorded after the matcher was built is
matched at once, by the same matcher brought up to date (not a new one built from the whole
register), and the matches are the ones a matcher built afresh makes."""

from __future__ import annotations

import pytest

from jointcase.exchange.services.matching import matcher_forget, record_matches, register_matcher
from jointcase.people.models import Person
from jointcase.people.services import people_create_from_records
from tests.exchange_known.conftest import KnownWorld

pytestmark = pytest.mark.django_db

NEWCOMER = {
    "given_names": "Ottoline",
    "surname": "Brackenbury",
    "date_of_birth": "1988-02-14",
    "address_line_1": "4 Quarry Lane",
    "town": "Leeds",
    "postcode": "LS6 2AB",
    "crn": "X246810",
}
FEATHERSTONE = {"given_names": "Rosalind", "surname": "Featherstone", "date_of_birth": "1972-09-30"}


def _found(record: dict[str, str]) -> list[tuple[str, float]]:
    return [(c.person_id, round(c.match_probability, 9)) for c in record_matches(record)]


def test_a_person_recorded_after_a_match_is_found_by_the_next_one(
    known_world: KnownWorld,
) -> None:
    assert _found(NEWCOMER) == []
    matcher = register_matcher()
    (person,) = people_create_from_records(actor=None, records=[NEWCOMER])
    found = _found(NEWCOMER)
    assert [person_id for person_id, _p in found] == [str(person.public_id)]
    assert register_matcher() is matcher  # brought up to date, not built again


def test_an_updated_matcher_matches_as_one_built_afresh(known_world: KnownWorld) -> None:
    _found(FEATHERSTONE)
    people_create_from_records(
        actor=None,
        records=[NEWCOMER, {**FEATHERSTONE, "given_names": "Rosalyn", "crn": "X765433"}],
    )
    updated = {record["given_names"]: _found(record) for record in (NEWCOMER, FEATHERSTONE)}
    matcher_forget()
    afresh = {record["given_names"]: _found(record) for record in (NEWCOMER, FEATHERSTONE)}
    assert updated == afresh
    assert len(updated["Rosalind"]) == 2  # the register's Rosalind and the new Rosalyn


def test_a_person_removed_from_the_register_is_no_longer_matched(
    known_world: KnownWorld,
) -> None:
    (person,) = people_create_from_records(actor=None, records=[NEWCOMER])
    assert _found(NEWCOMER) != []
    Person.objects.filter(pk=person.pk).delete()
    assert _found(NEWCOMER) == []
