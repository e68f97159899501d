"""The register side of linkage: every person JointCase holds, as rows Splink compares.

One row per name (primary and aliases) and address (current and past) of each person, all
carrying the person's public id, date of birth and identifiers; prediction keeps the best
row per person. The Django ORM stays here so that ``model.py`` remains plain Splink.

Security: a system read of the whole register for matching only. Nothing here is shown to a
user; a reviewer sees candidates through the people selectors, which scope them to the
reviewer like every other read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from typing import Any

import pandas as pd
from django.db import models

from jointcase.exchange.linkage.synthetic import REGISTER_FIELDS
from jointcase.people.models import Address, Identifier, IdentifierType, Person, PersonName

_IDENTIFIER_COLUMNS = {
    IdentifierType.PNC_ID: "pnc_id",
    IdentifierType.CRN: "crn",
    IdentifierType.PRISON_NUMBER: "prison_number",
}


def register_frame(person_ids: Collection[int] | None = None) -> pd.DataFrame:
    """The register as rows in the import format plus ``person_id`` (the public id); only
    the people with these primary keys when ``person_ids`` is given (a matcher brought up to
    date with the people who changed)."""

    def of(model: type[models.Model], key: str = "person_id") -> models.QuerySet[Any]:
        found = model._default_manager.all()
        return found if person_ids is None else found.filter(**{f"{key}__in": list(person_ids)})

    people = dict(of(Person, "pk").values_list("pk", "public_id"))
    births = dict(of(Person, "pk").values_list("pk", "date_of_birth"))
    names: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for person_id, given, family in (
        of(PersonName).order_by("kind", "pk").values_list("person_id", "given_names", "family_name")
    ):
        names[person_id].append((given, family))
    addresses: dict[int, list[tuple[str, str, str, str]]] = defaultdict(list)
    for person_id, *address in (
        of(Address)
        .order_by("valid_to", "pk")
        .values_list("person_id", "line1", "line2", "town", "postcode")
    ):
        addresses[person_id].append((address[0], address[1], address[2], address[3]))
    identifiers: dict[int, dict[str, str]] = defaultdict(dict)
    for person_id, type_, value in (
        of(Identifier)
        .filter(type__in=list(_IDENTIFIER_COLUMNS))
        .values_list("person_id", "type", "value")
    ):
        identifiers[person_id].setdefault(_IDENTIFIER_COLUMNS[IdentifierType(type_)], value)
    rows = []
    for pk, public_id in people.items():
        born = births[pk]
        for given, family in names.get(pk) or [("", "")]:
            for line1, line2, town, postcode in addresses.get(pk) or [("", "", "", "")]:
                rows.append(
                    {
                        "person_id": str(public_id),
                        "given_names": given,
                        "surname": family,
                        "date_of_birth": born.isoformat() if born else "",
                        "address_line_1": line1,
                        "address_line_2": line2,
                        "town": town,
                        "postcode": postcode,
                        "other_id": "",
                        **{column: "" for column in _IDENTIFIER_COLUMNS.values()},
                        **identifiers.get(pk, {}),
                    }
                )
    return pd.DataFrame(rows, columns=list(REGISTER_FIELDS))
