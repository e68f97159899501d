"""Fixtures of the exchange suite: synthetic partner extracts (invented names and
identifiers, never real people) and the NSD division whose administrator imports the
probation source."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

import pytest

from jointcase.exchange.records import PERSON_FIELDS
from jointcase.people.validators import pnc_id_make
from tests.conftest import Personas
from tests.factories import AgencyFactory

SOURCE = "probation-delius"


def person_row(number: int, **changes: str) -> dict[str, str]:
    """A valid synthetic person record of the probation source."""
    row = {
        "source": SOURCE,
        "source_record_id": f"DEL-{number:06d}",
        "given_names": f"Testgiven{number}",
        "surname": f"TESTSURNAME{number % 97}",
        "date_of_birth": f"19{60 + number % 40}-0{1 + number % 9}-1{number % 10}",
        "address_line_1": f"{number} Example Street",
        "address_line_2": "",
        "town": "Exampletown",
        "postcode": "ZZ1 1ZZ" if number % 2 else "AB1 2CD",
        "pnc_id": pnc_id_make(2001, number),
        "crn": f"X{number:06d}",
        "prison_number": "",
        "other_id": "",
    }
    row.update(changes)
    return row


def csv_bytes(rows: Iterable[dict[str, str]], header: Iterable[str] = PERSON_FIELDS) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(header), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


def jsonl_bytes(rows: Iterable[dict[str, str]]) -> bytes:
    return "".join(json.dumps(row) + "\n" for row in rows).encode("utf-8")


@pytest.fixture
def importers(personas: Personas) -> Personas:
    """The personas, with NSD North placed under NSD (the probation source's agency), so its
    agency administrator may import that source."""
    nsd = AgencyFactory(code="nsd", name="National Security Division")
    north = personas.agency_admin.agency
    assert north is not None
    north.parent = nsd
    north.save(update_fields=["parent"])
    for user in personas.all().values():
        user.refresh_from_db()
    return personas
