"""Synthetic partner extracts (never real people): person records as a police, prison or
probation system would send them, for the demo, the tests and the import benchmark.

Names, addresses and postcodes come from the seeded Faker (en_GB); identifiers have the
register's real formats (a PNC ID with its check letter, CRN X123456, prison number A1234BC).
``bad_share`` of the rows carry one deliberate fault each (an impossible date, a malformed
identifier or postcode, a missing surname), so a demo import has a quarantine to show.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import random
import string
from collections.abc import Iterable, Iterator

from django.core.exceptions import ValidationError
from faker import Faker

from jointcase.exchange.records import PERSON_FIELDS
from jointcase.people.validators import pnc_id_make, postcode_clean

FAULTS = (
    ("date_of_birth", "1987-02-30"),
    ("crn", "12345"),
    ("postcode", "NOT A POSTCODE"),
    ("surname", ""),
    ("pnc_id", "2004/0001234A"),
)


def _prison_number(rng: random.Random) -> str:
    letters = string.ascii_uppercase
    return (
        f"{rng.choice(letters)}{rng.randint(1000, 9999)}{rng.choice(letters)}{rng.choice(letters)}"
    )


def person_extract(
    *,
    source: str,
    count: int,
    rng: random.Random,
    faker: Faker,
    today: dt.date,
    bad_share: float = 0.0,
    prefix: str = "REC",
) -> Iterator[dict[str, str]]:
    """``count`` synthetic person rows of ``source``, deterministic for the given generators."""
    postcodes: list[str] = []
    while len(postcodes) < 200:
        with contextlib.suppress(ValidationError):  # Faker's rare odd postcode: draw another
            postcodes.append(postcode_clean(faker.postcode()))
    towns = [faker.city() for _ in range(100)]
    for number in range(1, count + 1):
        born = today - dt.timedelta(days=rng.randint(18 * 365, 80 * 365))
        row = {
            "source": source,
            "source_record_id": f"{prefix}-{number:07d}",
            "given_names": faker.first_name(),
            "surname": faker.last_name(),
            "date_of_birth": born.isoformat(),
            "address_line_1": faker.street_address().replace("\n", ", "),
            "address_line_2": "",
            "town": rng.choice(towns),
            "postcode": rng.choice(postcodes),
            "pnc_id": pnc_id_make(rng.randint(1990, 2024), rng.randint(1, 999_999))
            if rng.random() < 0.7
            else "",
            "crn": f"{rng.choice(string.ascii_uppercase)}{rng.randint(0, 999_999):06d}"
            if rng.random() < 0.6
            else "",
            "prison_number": _prison_number(rng) if rng.random() < 0.4 else "",
            "other_id": "",
        }
        if bad_share and rng.random() < bad_share:
            field, value = rng.choice(FAULTS)
            row[field] = value
        yield row


def extract_csv(rows: Iterable[dict[str, str]]) -> bytes:
    """Rows as a CSV extract with the documented header (docs/exchange.md)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(PERSON_FIELDS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")
