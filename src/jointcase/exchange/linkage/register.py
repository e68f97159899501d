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

import pandas as pd

from jointcase.exchange.linkage.synthetic import REGISTER_FIELDS
from jointcase.people.models import Address, Identifier, IdentifierType, Person, PersonName

_IDENTIFIER_COLUMNS = {
    IdentifierType.PNC_ID: "pnc_id",
    IdentifierType.CRN: "crn",
    IdentifierType.PRISON_NUMBER: "prison_number",
}


def register_frame() -> pd.DataFrame:
    """The register as rows in the import format plus ``person_id`` (the public id)."""
    people = dict(Person.objects.values_list("pk", "public_id"))
    births = dict(Person.objects.values_list("pk", "date_of_birth"))
    names: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for person_id, given, family in PersonName.objects.order_by("kind", "pk").values_list(
        "person_id", "given_names", "family_name"
    ):
        names[person_id].append((given, family))
    addresses: dict[int, list[tuple[str, str, str, str]]] = defaultdict(list)
    for person_id, *address in Address.objects.order_by("valid_to", "pk").values_list(
        "person_id", "line1", "line2", "town", "postcode"
    ):
        addresses[person_id].append((address[0], address[1], address[2], address[3]))
    identifiers: dict[int, dict[str, str]] = defaultdict(dict)
    for person_id, type_, value in Identifier.objects.filter(
        type__in=list(_IDENTIFIER_COLUMNS)
    ).values_list("person_id", "type", "value"):
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
