"""Seed step: one imported partner extract for the demo (synthetic people): a probation
extract of a few hundred person records, a handful of them faulty, imported by the agency
administrator persona, so the Imports page has a finished import and an open quarantine.

A few of its records are made from people the demo register already holds, changed the way
that leaves the matching unsure (a twin: same surname, date of birth and address, another
given name; or the year of birth one out at another address), so the linkage review queue has
records to show."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from jointcase.exchange.linkage.synthetic import (
    RECORD_FIELDS,
    extract_csv,
    extract_make,
    faults_add,
)
from jointcase.exchange.models import SourceRecord
from jointcase.exchange.services.imports import import_run, import_start
from jointcase.people.models import Address, Person

if TYPE_CHECKING:
    from jointcase.seed.context import SeedContext

SOURCE = "probation-delius"
#: The next delivery a demo user can import (``jointcase seed`` writes it to var/demo-extracts/).
NEXT_DELIVERY = "probation-delius-next-delivery.csv"
DEMO_ROWS = 300
BAD_SHARE = 0.02
#: Records made from register people, for the linkage review queue.
REVIEW_ROWS = 8
#: Given names the register's people are unlikely to hold or be a variant of.
_TWIN_NAMES = ("Peregrine", "Ottoline", "Lysander", "Isolde", "Thaddeus", "Clemency")


def _review_rows(context: SeedContext) -> list[dict[str, str]]:
    """Records of register people (synthetic, from the seed) the matching will send to review."""

    rows: list[dict[str, str]] = []
    people = (
        Person.objects.filter(date_of_birth__isnull=False, addresses__isnull=False)
        .distinct()
        .order_by("pk")[: REVIEW_ROWS * 3]
    )
    for number, person in enumerate(people):
        if len(rows) >= REVIEW_ROWS:
            break
        name = person.names.order_by("kind", "pk").first()
        address = Address.objects.filter(person=person).order_by("valid_to", "pk").first()
        if name is None or address is None or person.date_of_birth is None:
            continue
        born = person.date_of_birth
        twin = number % 2 == 0
        if not twin:
            born = born.replace(year=born.year - 1, day=min(born.day, 28))
        rows.append(
            {
                "source": SOURCE,
                "source_record_id": f"DEL-R{number:04d}",
                "given_names": _TWIN_NAMES[number % len(_TWIN_NAMES)] if twin else name.given_names,
                "surname": name.family_name,
                "date_of_birth": born.isoformat(),
                "address_line_1": address.line1 if twin else f"{number + 3} Hawthorn Close",
                "address_line_2": "",
                "town": address.town if twin else "Exampleton",
                "postcode": address.postcode if twin else "ZZ9 9ZZ",
                "pnc_id": "",
                "crn": "",
                "prison_number": "",
                "other_id": "",
            }
        )
    return rows


def _partner_rows(context: SeedContext, count: int) -> list[dict[str, str]]:
    """``count`` records of the linkage generator's synthetic population (people the demo
    register does not hold, some of them more than once, with the errors partners make), as
    this source's rows, a few of them faulty."""
    records = extract_make(count * 2, seed=context.seed).records[:count]
    rows = [
        {**row, "source": SOURCE, "source_record_id": f"DEL-{number:07d}"}
        for number, row in enumerate(records, start=1)
    ]
    return faults_add(rows, share=BAD_SHARE, rng=context.rng)


def _register_rows(count: int, *, skip: int) -> list[dict[str, str]]:
    """Records of ``count`` register people as the probation system holds them (same names,
    date of birth and address, the register's identifiers left out): the matching links them."""

    rows: list[dict[str, str]] = []
    people = (
        Person.objects.filter(date_of_birth__isnull=False, addresses__isnull=False)
        .distinct()
        .order_by("-pk")[skip : skip + count * 2]
    )
    for number, person in enumerate(people):
        name = person.names.order_by("kind", "pk").first()
        address = Address.objects.filter(person=person).order_by("valid_to", "pk").first()
        if name is None or address is None or person.date_of_birth is None:
            continue
        rows.append(
            {
                **dict.fromkeys(RECORD_FIELDS, ""),
                "source": SOURCE,
                "source_record_id": f"DEL-K{number:04d}",
                "given_names": name.given_names,
                "surname": name.family_name,
                "date_of_birth": person.date_of_birth.isoformat(),
                "address_line_1": address.line1,
                "town": address.town,
                "postcode": address.postcode,
            }
        )
        if len(rows) >= count:
            break
    return rows


def next_delivery(seed: int) -> bytes:
    """The probation system's next delivery after the demo's first import, for a demo user to
    import themselves (docs/exchange.md "Demo"): 20 records unchanged, 10 people who moved
    house, 20 register people the matching links, 38 new people and 2 faulty rows."""

    held = SourceRecord.objects.filter(
        source=SOURCE, source_record_id__startswith="DEL-0"
    ).order_by("source_record_id")[:30]
    first = [
        {
            **{name: str(getattr(record, name, "") or "") for name in RECORD_FIELDS},
            "source": SOURCE,
            "date_of_birth": record.date_of_birth.isoformat() if record.date_of_birth else "",
        }
        for record in held
    ]
    moved = [
        {**row, "address_line_1": f"{number} Rowan Court", "postcode": "ZZ9 1ZZ"}
        for number, row in enumerate(first[20:], start=2)
    ]
    newcomers = [
        {**row, "source": SOURCE, "source_record_id": f"DEL-N{number:05d}"}
        for number, row in enumerate(extract_make(100, seed=seed + 1).records[:40])
    ]
    faulty = faults_add(newcomers[:2], share=1.0, rng=random.Random(seed))
    register = _register_rows(20, skip=REVIEW_ROWS * 3)
    return extract_csv([*first[:20], *moved, *register, *faulty, *newcomers[2:]])


def seed_imports(context: SeedContext) -> None:
    admin = context.registry.get("personas", {}).get("agency.admin")
    review = _review_rows(context)
    first = [*_partner_rows(context, DEMO_ROWS - len(review)), *review]
    batch = import_start(
        actor=admin,
        source_code=SOURCE,
        file_name="probation-extract.csv",
        content=extract_csv(first),
    )
    import_run(batch.pk)
