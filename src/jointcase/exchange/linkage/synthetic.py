"""Synthetic people and partner extracts for training and checking the linkage model.

Never real people: names, streets and towns come from Faker (en_GB) seeded with the caller's
seed, identifiers have the real formats (CRN X123456, prison number A1234BC, PNC ID with a real
check letter) but are drawn from numbers no real record uses. The same seed gives the same
population, the same extracts and the same ground truth, byte for byte.

The population is split into people the register already holds (the register table, one
clean record each) and people it does not (their records must come out as new people). Each
partner extract holds a record for some of the people, carrying the errors partners'
systems really make: typing errors, given and family name swapped, nicknames and
transliteration variants, day and month of birth swapped, a year of birth one out, missing
identifiers and a moved address. Hard negatives are built in: twins (same family name, date
of birth and address, different given names and identifiers) and very common names.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from faker import Faker

from jointcase.exchange.records import PERSON_FIELDS
from jointcase.people.validators import pnc_id_make

#: The import format's columns, in order (docs/exchange.md).
RECORD_FIELDS = PERSON_FIELDS
TRUTH_FIELDS = ("source", "source_record_id", "true_person_id", "errors")
REGISTER_FIELDS = ("person_id", *RECORD_FIELDS[2:])

SOURCES = ("police-ctnm", "prison-nomis", "probation-delius")

#: Deliberate faults for an extract with a quarantine to show: one per faulty row (an
#: impossible date, a malformed identifier or postcode, a missing surname).
FAULTS = (
    ("date_of_birth", "1987-02-30"),
    ("crn", "12345"),
    ("postcode", "NOT A POSTCODE"),
    ("surname", ""),
    ("pnc_id", "2004/0001234A"),
)

#: The error kinds an extract record may carry (the truth file lists them per record).
ERROR_KINDS = (
    "typo_surname",
    "typo_given",
    "swapped_names",
    "nickname",
    "day_month_swap",
    "year_off",
    "missing_identifiers",
    "moved_address",
)

#: Given names and the forms partners write them in: diminutives and transliterations.
NAME_VARIANTS: dict[str, tuple[str, ...]] = {
    "William": ("Bill", "Will", "Billy"),
    "Robert": ("Bob", "Rob", "Bobby"),
    "Richard": ("Rick", "Rich"),
    "James": ("Jim", "Jimmy"),
    "Thomas": ("Tom", "Tommy"),
    "Michael": ("Mike", "Mick"),
    "Christopher": ("Chris",),
    "Daniel": ("Dan", "Danny"),
    "Edward": ("Ted", "Eddie"),
    "Joseph": ("Joe",),
    "Elizabeth": ("Liz", "Beth", "Lizzie"),
    "Margaret": ("Maggie", "Peggy"),
    "Catherine": ("Kate", "Cathy"),
    "Rebecca": ("Becky",),
    "Victoria": ("Vicky", "Tori"),
    "Mohammed": ("Muhammad", "Mohamed", "Mohammad"),
    "Muhammad": ("Mohammed", "Mohamed"),
    "Aleksandr": ("Alexander", "Aleksander"),
    "Alexander": ("Alex", "Aleksandr"),
    "Yusuf": ("Youssef", "Yousef"),
    "Oleksandr": ("Aleksandr", "Olexander"),
}
_VARIANT_NAMES = tuple(NAME_VARIANTS)
_COMMON_GIVEN = ("John", "David", "Michael", "James", "Paul")
_COMMON_SURNAMES = ("Smith", "Jones", "Williams", "Taylor", "Brown")

#: Error rates per extract record (independent draws; a record may carry several).
_ERROR_RATES = {
    "typo_surname": 0.07,
    "typo_given": 0.07,
    "swapped_names": 0.03,
    "nickname": 0.5,  # of records whose person has a variant-bearing given name
    "day_month_swap": 0.04,
    "year_off": 0.02,
    "missing_identifiers": 0.35,
    "moved_address": 0.2,
}


@dataclass
class SyntheticPerson:
    person_id: str
    given_names: str
    surname: str
    date_of_birth: dt.date
    address_line_1: str
    town: str
    postcode: str
    pnc_id: str = ""
    crn: str = ""
    prison_number: str = ""
    in_register: bool = True
    twin_of: str = ""

    def register_row(self) -> dict[str, str]:
        return {
            "person_id": self.person_id,
            "given_names": self.given_names,
            "surname": self.surname,
            "date_of_birth": self.date_of_birth.isoformat(),
            "address_line_1": self.address_line_1,
            "address_line_2": "",
            "town": self.town,
            "postcode": self.postcode,
            "pnc_id": self.pnc_id,
            "crn": self.crn,
            "prison_number": self.prison_number,
            "other_id": "",
        }


@dataclass
class SyntheticExtract:
    """The population's register, the partners' records and which person each record is."""

    seed: int
    people: list[SyntheticPerson]
    records: list[dict[str, str]] = field(default_factory=list)
    truth: list[dict[str, str]] = field(default_factory=list)

    @property
    def register(self) -> list[dict[str, str]]:
        return [person.register_row() for person in self.people if person.in_register]

    def true_pairs(self) -> set[tuple[str, str]]:
        """(source_record_id, person_id) for every record whose person the register holds."""
        held = {person.person_id for person in self.people if person.in_register}
        return {
            (row["source_record_id"], row["true_person_id"])
            for row in self.truth
            if row["true_person_id"] in held
        }

    def write(self, directory: Path) -> list[Path]:
        """The extracts (one CSV per source), the register and the truth, into ``directory``."""
        directory.mkdir(parents=True, exist_ok=True)
        written = []
        for source in SOURCES:
            rows = [row for row in self.records if row["source"] == source]
            written.append(_csv_write(directory / f"{source}.csv", RECORD_FIELDS, rows))
        written.append(_csv_write(directory / "register.csv", REGISTER_FIELDS, self.register))
        written.append(_csv_write(directory / "truth.csv", TRUTH_FIELDS, self.truth))
        return written


def _csv_write(path: Path, fields: Iterable[str], rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(fields), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def _crn(index: int) -> str:
    value = (index * 7_368_787 + 9_000_001) % (26 * 1_000_000)
    return f"{chr(65 + value // 1_000_000)}{value % 1_000_000:06d}"


def _prison_number(index: int) -> str:
    value = (index * 9_999_991 + 777_777) % (26 * 10_000 * 676)
    first, rest = divmod(value, 10_000 * 676)
    digits, letters = divmod(rest, 676)
    return f"{chr(65 + first)}{digits:04d}{chr(65 + letters // 26)}{chr(65 + letters % 26)}"


def _pnc(index: int, year: int) -> str:
    return pnc_id_make(year, (index * 7_654_321 + 5_000_011) % 10_000_000)


def _postcode(faker: Faker) -> str:
    return " ".join(faker.postcode().upper().split())


def _typo(word: str, rng: random.Random) -> str:
    """A plausible typing error: a letter dropped, doubled, swapped with its neighbour or
    replaced (never one that leaves the word as it was, such as swapping "nn")."""
    for _ in range(10):
        changed = _typo_once(word, rng)
        if changed != word:
            return changed
    return word + word[-1]


def _typo_once(word: str, rng: random.Random) -> str:
    if len(word) < 4:
        return word + word[-1]
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    if kind == 0:
        return word[:i] + word[i + 1 :]
    if kind == 1:
        return word[:i] + word[i] + word[i:]
    if kind == 2:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    letter = rng.choice("aeioulnrst".replace(word[i].lower(), ""))
    return word[:i] + letter + word[i + 1 :]


def population_make(size: int, *, seed: int, register_share: float = 0.85) -> list[SyntheticPerson]:
    """``size`` synthetic people (twins and common names included), deterministic in seed."""
    rng = random.Random(seed)
    faker = Faker("en_GB")
    faker.seed_instance(seed)
    people: list[SyntheticPerson] = []
    while len(people) < size:
        index = len(people)
        roll = rng.random()
        if roll < 0.08:
            given = rng.choice(_VARIANT_NAMES)
        elif roll < 0.12:
            given = rng.choice(_COMMON_GIVEN)
        else:
            given = faker.first_name()
        if rng.random() < 0.25:
            given = f"{given} {faker.first_name()}"
        surname = rng.choice(_COMMON_SURNAMES) if rng.random() < 0.05 else faker.last_name()
        born = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(365 * 56))
        person = SyntheticPerson(
            person_id=f"SYN{index + 1:07d}",
            given_names=given,
            surname=surname,
            date_of_birth=born,
            address_line_1=faker.street_address().replace("\n", ", "),
            town=faker.city(),
            postcode=_postcode(faker),
            in_register=rng.random() < register_share,
        )
        _identifiers_give(person, index, rng)
        people.append(person)
        if rng.random() < 0.04 and len(people) < size:
            twin_index = len(people)
            twin = SyntheticPerson(
                person_id=f"SYN{twin_index + 1:07d}",
                given_names=_other_given(given, faker),
                surname=surname,
                date_of_birth=born,
                address_line_1=person.address_line_1,
                town=person.town,
                postcode=person.postcode,
                in_register=rng.random() < register_share,
                twin_of=person.person_id,
            )
            _identifiers_give(twin, twin_index, rng)
            people.append(twin)
    return people


def _other_given(given: str, faker: Faker) -> str:
    while True:
        other = faker.first_name()
        if other.split()[0] != given.split()[0]:
            return other


def _identifiers_give(person: SyntheticPerson, index: int, rng: random.Random) -> None:
    if rng.random() < 0.8:
        person.pnc_id = _pnc(index, rng.randrange(1990, 2025))
    if rng.random() < 0.7:
        person.crn = _crn(index)
    if rng.random() < 0.45:
        person.prison_number = _prison_number(index)


#: Which identifiers each partner's system holds.
_SOURCE_IDENTIFIERS = {
    "police-ctnm": ("pnc_id",),
    "prison-nomis": ("prison_number", "pnc_id"),
    "probation-delius": ("crn", "pnc_id"),
}
_SOURCE_PREFIX = {
    "police-ctnm": "PND",
    "prison-nomis": "NOMIS",
    "probation-delius": "DELIUS",
}


def extract_make(records: int, *, seed: int) -> SyntheticExtract:
    """About ``records`` partner records over a population sized to give them, with truth."""
    size = max(10, int(records / 1.5))
    people = population_make(size, seed=seed)
    rng = random.Random(seed * 7919 + 1)
    faker = Faker("en_GB")
    faker.seed_instance(seed + 104_729)
    extract = SyntheticExtract(seed=seed, people=people)
    counters = dict.fromkeys(SOURCES, 0)
    for person in people:
        for source in SOURCES:
            if rng.random() >= 0.5:
                continue
            counters[source] += 1
            record_id = f"{_SOURCE_PREFIX[source]}-{seed}-{counters[source]:07d}"
            row, errors = _record_make(person, source, record_id, rng, faker)
            extract.records.append(row)
            extract.truth.append(
                {
                    "source": source,
                    "source_record_id": record_id,
                    "true_person_id": person.person_id,
                    "errors": " ".join(errors),
                }
            )
    return extract


def _record_make(
    person: SyntheticPerson, source: str, record_id: str, rng: random.Random, faker: Faker
) -> tuple[dict[str, str], list[str]]:
    errors: list[str] = []
    given, surname, born = person.given_names, person.surname, person.date_of_birth
    line1, town, postcode = person.address_line_1, person.town, person.postcode
    first, *middle = given.split()
    if first in NAME_VARIANTS and rng.random() < _ERROR_RATES["nickname"]:
        given = " ".join([rng.choice(NAME_VARIANTS[first]), *middle])
        errors.append("nickname")
    if rng.random() < _ERROR_RATES["typo_given"]:
        given = _typo(given, rng)
        errors.append("typo_given")
    if rng.random() < _ERROR_RATES["typo_surname"]:
        surname = _typo(surname, rng)
        errors.append("typo_surname")
    if rng.random() < _ERROR_RATES["swapped_names"]:
        given, surname = surname, given.split()[0]
        errors.append("swapped_names")
    if born.day <= 12 and born.day != born.month and rng.random() < _ERROR_RATES["day_month_swap"]:
        born = born.replace(month=born.day, day=born.month)
        errors.append("day_month_swap")
    elif rng.random() < _ERROR_RATES["year_off"]:
        year = born.year + rng.choice((-1, 1))
        leap_day = (born.month, born.day) == (2, 29)
        born = born.replace(year=year, day=28 if leap_day else born.day)
        errors.append("year_off")
    if rng.random() < _ERROR_RATES["moved_address"]:
        line1 = faker.street_address().replace("\n", ", ")
        town, postcode = faker.city(), _postcode(faker)
        errors.append("moved_address")
    identifiers = {name: getattr(person, name) for name in _SOURCE_IDENTIFIERS[source]}
    if any(identifiers.values()) and rng.random() < _ERROR_RATES["missing_identifiers"]:
        identifiers = dict.fromkeys(identifiers, "")
        errors.append("missing_identifiers")
    row = dict.fromkeys(RECORD_FIELDS, "")
    row.update(
        source=source,
        source_record_id=record_id,
        given_names=given,
        surname=surname,
        date_of_birth=born.isoformat(),
        address_line_1=line1,
        town=town,
        postcode=postcode,
        **identifiers,
    )
    return row, errors


def faults_add(
    rows: Iterable[dict[str, str]], *, share: float, rng: random.Random
) -> list[dict[str, str]]:
    """``rows`` with about ``share`` of them carrying one of ``FAULTS`` each (copies)."""
    out = []
    for row in rows:
        if rng.random() < share:
            name, value = rng.choice(FAULTS)
            row = {**row, name: value}
        out.append(row)
    return out


def extract_csv(rows: Iterable[dict[str, str]]) -> bytes:
    """Rows as a CSV extract with the documented header (docs/exchange.md)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(RECORD_FIELDS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")
