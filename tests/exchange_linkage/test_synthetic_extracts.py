"""The synthetic partner extracts: deterministic, realistic errors, hard negatives, valid-looking
but fake identifiers."""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from jointcase.exchange.linkage.synthetic import (
    ERROR_KINDS,
    NAME_VARIANTS,
    RECORD_FIELDS,
    SOURCES,
    extract_make,
)
from jointcase.people.validators import crn_valid, pnc_id_valid, prison_number_valid


@pytest.fixture(scope="module")
def extract():
    return extract_make(3000, seed=21)


def test_the_same_seed_gives_the_same_extract_and_another_seed_another():
    first, again, other = (extract_make(300, seed=s) for s in (5, 5, 6))
    assert first.records == again.records
    assert first.truth == again.truth
    assert first.records != other.records


def test_every_record_has_the_import_format_and_a_truth_row(extract):
    assert {tuple(row) for row in extract.records} == {RECORD_FIELDS}
    assert {row["source"] for row in extract.records} == set(SOURCES)
    assert [r["source_record_id"] for r in extract.records] == [
        t["source_record_id"] for t in extract.truth
    ]
    assert len({r["source_record_id"] for r in extract.records}) == len(extract.records)


def _effect_visible(kind: str, record: dict[str, str], person) -> bool:
    first_given = person.given_names.split()[0]
    born = person.date_of_birth
    record_born = dt.date.fromisoformat(record["date_of_birth"])
    return {
        "typo_surname": record["surname"] != person.surname
        and record["given_names"] == person.given_names,
        "typo_given": record["given_names"] != person.given_names
        and record["surname"] == person.surname,
        "swapped_names": record["given_names"] == person.surname
        and record["surname"] == first_given,
        "nickname": record["given_names"].split()[0] in NAME_VARIANTS.get(first_given, ()),
        "day_month_swap": (record_born.day, record_born.month) == (born.month, born.day)
        and record_born != born,
        "year_off": abs(record_born.year - born.year) == 1,
        "missing_identifiers": not (record["pnc_id"] or record["crn"] or record["prison_number"])
        and bool(person.pnc_id or person.crn or person.prison_number),
        "moved_address": record["postcode"] != person.postcode
        and record["address_line_1"] != person.address_line_1,
    }[kind]


def test_each_error_kind_occurs_and_changes_the_record_the_way_it_says(extract):
    people = {person.person_id: person for person in extract.people}
    records = {row["source_record_id"]: row for row in extract.records}
    seen = dict.fromkeys(ERROR_KINDS, 0)
    for truth in extract.truth:
        kinds = truth["errors"].split()
        if len(kinds) != 1:
            continue
        record, person = records[truth["source_record_id"]], people[truth["true_person_id"]]
        assert _effect_visible(kinds[0], record, person), (kinds[0], record, person)
        seen[kinds[0]] += 1
    assert all(count >= 3 for count in seen.values()), seen


def test_records_without_errors_match_their_person_exactly(extract):
    people = {person.person_id: person for person in extract.people}
    clean = [
        (row, people[t["true_person_id"]])
        for row, t in zip(extract.records, extract.truth, strict=True)
        if not t["errors"]
    ]
    assert len(clean) > 500
    for row, person in clean:
        held = {k: v for k, v in person.register_row().items() if k in row}
        assert {k: row[k] for k in ("given_names", "surname", "date_of_birth", "postcode")} == {
            k: held[k] for k in ("given_names", "surname", "date_of_birth", "postcode")
        }


def test_twins_share_surname_birth_and_address_but_not_given_names_or_identifiers(extract):
    people = {person.person_id: person for person in extract.people}
    twins = [(people[p.twin_of], p) for p in extract.people if p.twin_of]
    assert len(twins) >= 20
    for first, second in twins:
        assert (first.surname, first.date_of_birth, first.postcode) == (
            second.surname,
            second.date_of_birth,
            second.postcode,
        )
        assert first.given_names.split()[0] != second.given_names.split()[0]
        assert not first.pnc_id or first.pnc_id != second.pnc_id


def test_identifiers_have_real_formats_and_are_unique(extract):
    for name, valid in (("pnc_id", pnc_id_valid), ("crn", crn_valid)):
        values = [getattr(p, name) for p in extract.people if getattr(p, name)]
        assert values, name
        assert all(valid(v) for v in values), name
        assert len(set(values)) == len(values), name
    numbers = [p.prison_number for p in extract.people if p.prison_number]
    assert numbers
    assert all(prison_number_valid(n) for n in numbers)


def test_some_people_are_not_in_the_register_and_common_names_recur(extract):
    held = sum(person.in_register for person in extract.people)
    assert 0.75 < held / len(extract.people) < 0.95
    names = [(p.given_names.split()[0], p.surname) for p in extract.people]
    assert max(names.count(n) for n in set(names)) >= 2


def test_write_puts_extracts_register_and_truth_in_csv(tmp_path):
    extract = extract_make(200, seed=9)
    paths = extract.write(tmp_path)
    assert sorted(p.name for p in paths) == sorted(
        [f"{s}.csv" for s in SOURCES] + ["register.csv", "truth.csv"]
    )
    with (tmp_path / "truth.csv").open(encoding="utf-8") as handle:
        truth = list(csv.DictReader(handle))
    assert len(truth) == len(extract.records)
    with (tmp_path / f"{SOURCES[0]}.csv").open(encoding="utf-8") as handle:
        assert tuple(csv.DictReader(handle).fieldnames or ()) == RECORD_FIELDS


def test_the_generated_extracts_name_sources_the_import_knows() -> None:
    from jointcase.exchange.linkage.synthetic import RECORD_FIELDS, SOURCES
    from jointcase.exchange.records import PERSON_FIELDS
    from jointcase.exchange.sources import sources_current

    assert set(SOURCES) <= set(sources_current())
    assert RECORD_FIELDS == PERSON_FIELDS
