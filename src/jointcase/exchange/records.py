"""The field rules of a partner person record (docs/exchange.md "Person records").

Pure functions, no database: ``person_record_clean`` takes one row as received (a mapping of
field name to text) and returns either the normalised record or, for each field at fault, the
message a partner can act on. Identifier and postcode formats are those of the register
(``people.validators``), never a second copy of the rules.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from jointcase.people.validators import identifier_clean, postcode_clean

REQUIRED_FIELDS = (
    "source_record_id",
    "given_names",
    "surname",
    "date_of_birth",
    "address_line_1",
    "town",
    "postcode",
)
OPTIONAL_FIELDS = ("address_line_2", "pnc_id", "crn", "prison_number", "other_id")
#: Every field of a person record, in the order of the CSV header docs/exchange.md shows.
PERSON_FIELDS = (
    "source",
    "source_record_id",
    "given_names",
    "surname",
    "date_of_birth",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "pnc_id",
    "crn",
    "prison_number",
    "other_id",
)
MAX_LENGTHS = {
    "source_record_id": 100,
    "given_names": 200,
    "surname": 200,
    "address_line_1": 200,
    "address_line_2": 200,
    "town": 100,
    "other_id": 100,
}
EARLIEST_BIRTH = dt.date(1900, 1, 1)
#: The register's identifier type for each identifier field.
IDENTIFIER_TYPES = {"pnc_id": "PNC_ID", "crn": "CRN", "prison_number": "PRISON_NUMBER"}

LABELS = {
    "source": "Source",
    "source_record_id": "Source record ID",
    "given_names": "Given names",
    "surname": "Surname",
    "date_of_birth": "Date of birth",
    "address_line_1": "Address line 1",
    "address_line_2": "Address line 2",
    "town": "Town",
    "postcode": "Postcode",
    "pnc_id": "PNC ID",
    "crn": "CRN",
    "prison_number": "Prison number",
    "other_id": "Other identifier",
}


@dataclass
class Cleaned:
    """One row's outcome: ``record`` (normalised, every field of ``PERSON_FIELDS`` but
    ``source``) when ``errors`` is empty."""

    record: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not self.errors


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise TypeError
    return " ".join(value.split())


def birth_date_clean(value: str, *, today: dt.date) -> str:
    """An ISO date (``YYYY-MM-DD``) that exists, is in the past and not before 1900."""
    try:
        day = dt.date.fromisoformat(value)
    except ValueError as error:
        if len(value) == 10 and value[4] == "-" and value[7] == "-":
            raise ValidationError(f"Date of birth {value} does not exist") from error
        raise ValidationError("Date of birth must be a date in the format YYYY-MM-DD") from error
    if len(value) != 10:
        raise ValidationError("Date of birth must be a date in the format YYYY-MM-DD")
    if day >= today:
        raise ValidationError("Date of birth must be in the past")
    if day < EARLIEST_BIRTH:
        raise ValidationError("Date of birth must be on or after 1 January 1900")
    return day.isoformat()


def person_record_clean(
    row: Mapping[str, object], *, source: str, today: dt.date | None = None
) -> Cleaned:
    """Validate and normalise one person record of ``source``."""
    today = today or dt.date.today()
    out = Cleaned()
    texts: dict[str, str] = {}
    for name in PERSON_FIELDS:
        try:
            texts[name] = _text(row.get(name))
        except TypeError:
            out.errors[name] = f"{LABELS[name]} must be text"
            texts[name] = ""
    unknown = sorted(str(key) for key in row if key not in PERSON_FIELDS)
    if unknown:
        out.errors["fields"] = f"Unknown field(s): {', '.join(unknown)}"
    if texts["source"] and texts["source"] != source:
        out.errors["source"] = f"Source is {texts['source']}, but this extract is from {source}"
    for name in REQUIRED_FIELDS:
        if not texts[name] and name not in out.errors:
            out.errors[name] = f"Enter the {LABELS[name].lower()}"
    for name, limit in MAX_LENGTHS.items():
        if len(texts[name]) > limit and name not in out.errors:
            out.errors[name] = f"{LABELS[name]} must be {limit} characters or fewer"
    _formats_check(texts, out.errors, today=today)
    if not out.errors:
        out.record = {name: texts[name] for name in PERSON_FIELDS if name != "source"}
    return out


def _formats_check(texts: dict[str, str], errors: dict[str, str], *, today: dt.date) -> None:
    """Normalise the date, postcode and identifiers in place; note each one at fault."""
    cleaners: dict[str, Callable[[str], str]] = {
        "date_of_birth": lambda value: birth_date_clean(value, today=today),
        "postcode": postcode_clean,
    }
    for name, type_ in IDENTIFIER_TYPES.items():
        cleaners[name] = functools.partial(identifier_clean, type_)
    for name, cleaner in cleaners.items():
        if not texts[name] or name in errors:
            continue
        try:
            texts[name] = cleaner(texts[name])
        except ValidationError as error:
            errors[name] = error.messages[0]


def record_hash(record: Mapping[str, str]) -> str:
    """The SHA-256 of a normalised record: equal for the same content however it was sent."""
    canonical = json.dumps(dict(record), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
