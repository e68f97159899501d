"""Formats of the identifiers and postcodes a person record holds (docs/domain.md "Identifiers").

Pure functions: each returns the normalised value or raises ``ValidationError`` with a message
a user can act on. The services attach the field key.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError

_CRN = re.compile(r"^[A-Z]\d{6}$")
_PRISON_NUMBER = re.compile(r"^[A-Z]\d{4}[A-Z]{2}$")
_PNC = re.compile(r"^(\d{2}|\d{4})/(\d{1,7})([A-Z])$")
_POSTCODE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)(\d[A-Z]{2})$")
_AGENCY_REFERENCE = re.compile(r"^[A-Z0-9][A-Z0-9/\-.]{0,39}$")

#: The PNC check characters: the 23 letters without I, O and S, indexed by the remainder.
PNC_CHECK_CHARACTERS = "ZABCDEFGHJKLMNPQRTUVWXY"


def _compact(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def crn_valid(value: str) -> bool:
    return bool(_CRN.match(_compact(value)))


def prison_number_valid(value: str) -> bool:
    return bool(_PRISON_NUMBER.match(_compact(value)))


def pnc_check_letter(year: str, serial: str) -> str:
    """The PNC ID check letter: (last two digits of the year, then the serial padded to seven
    digits, read as one number) modulo 23, indexed into ``PNC_CHECK_CHARACTERS``."""
    number = int(year[-2:] + serial.zfill(7))
    return PNC_CHECK_CHARACTERS[number % 23]


def pnc_id_clean(value: str) -> str:
    """``2019/0123456X`` form (the short ``19/123456X`` form is accepted and expanded)."""
    match = _PNC.match(_compact(value))
    if not match:
        raise ValidationError("Enter a PNC ID in the format 2019/0123456X")
    year, serial, letter = match.groups()
    if pnc_check_letter(year, serial) != letter:
        raise ValidationError("Enter a real PNC ID: the check letter does not match the number")
    if len(year) == 2:
        year = ("19" if int(year) > 50 else "20") + year
    return f"{year}/{serial.zfill(7)}{letter}"


def pnc_id_valid(value: str) -> bool:
    try:
        pnc_id_clean(value)
    except ValidationError:
        return False
    return True


def pnc_id_make(year: int, serial: int) -> str:
    """A well-formed PNC ID (used by the seed to make synthetic identifiers)."""
    serial_text = f"{serial:07d}"
    return f"{year:04d}/{serial_text}{pnc_check_letter(str(year), serial_text)}"


def identifier_clean(type_: str, value: str) -> str:
    """The identifier normalised for storage (upper case, no spaces), or ValidationError."""
    compact = _compact(value)
    if not compact:
        raise ValidationError("Enter the identifier")
    if type_ == "CRN":
        if not _CRN.match(compact):
            raise ValidationError("Enter a CRN in the format X123456 (a letter and 6 digits)")
        return compact
    if type_ == "PRISON_NUMBER":
        if not _PRISON_NUMBER.match(compact):
            raise ValidationError("Enter a prison number in the format A1234BC")
        return compact
    if type_ == "PNC_ID":
        return pnc_id_clean(compact)
    if type_ == "AGENCY_REFERENCE":
        if not _AGENCY_REFERENCE.match(compact):
            raise ValidationError(
                "Enter an agency reference of up to 40 letters, digits, slashes, dots or hyphens"
            )
        return compact
    raise ValidationError("Choose an identifier type from the list")


def postcode_clean(value: str) -> str:
    """A UK postcode normalised to ``OUTWARD INWARD`` (``SW1A 1AA``), or ValidationError."""
    compact = _compact(value)
    match = _POSTCODE.match(compact)
    if not match:
        raise ValidationError("Enter a real UK postcode, like SW1A 1AA")
    return f"{match.group(1)} {match.group(2)}"


def vehicle_registration_clean(value: str) -> str:
    compact = _compact(value)
    if not re.match(r"^[A-Z0-9]{2,8}$", compact):
        raise ValidationError("Enter a vehicle registration of 2 to 8 letters and digits")
    return compact


def name_normalise(given: str, family: str) -> str:
    """Lower case, accents removed, punctuation as spaces, single spaces: "given family"."""
    text = unicodedata.normalize("NFKD", f"{given} {family}")
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = text.encode("ascii", "ignore").decode("ascii").lower()
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())
