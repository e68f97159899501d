"""Seed step: one imported partner extract for the demo (synthetic people): a probation
extract of a few hundred person records, a handful of them faulty, imported by the agency
administrator persona, so the Imports page has a finished import and an open quarantine.

A few of its records are made from people the demo register already holds, changed the way
that leaves the matching unsure (a twin: same surname, date of birth and address, another
given name; or the year of birth one out at another address), so the linkage review queue has
records to show."""

from __future__ import annotations

from typing import TYPE_CHECKING

from jointcase.exchange.linkage.synthetic import extract_csv, extract_make, faults_add
from jointcase.exchange.services.imports import import_run, import_start

if TYPE_CHECKING:
    from jointcase.seed.context import SeedContext

SOURCE = "probation-delius"
DEMO_ROWS = 300
BAD_SHARE = 0.02
#: Records made from register people, for the linkage review queue.
REVIEW_ROWS = 8
#: Given names the register's people are unlikely to hold or be a variant of.
_TWIN_NAMES = ("Peregrine", "Ottoline", "Lysander", "Isolde", "Thaddeus", "Clemency")


def _review_rows(context: SeedContext) -> list[dict[str, str]]:
    """Records of register people (synthetic, from the seed) the matching will send to review."""
    from jointcase.people.models import Address, Person

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


def seed_imports(context: SeedContext) -> None:
    admin = context.registry.get("personas", {}).get("agency.admin")
    review = _review_rows(context)
    content = extract_csv([*_partner_rows(context, DEMO_ROWS - len(review)), *review])
    batch = import_start(
        actor=admin, source_code=SOURCE, file_name="probation-extract.csv", content=content
    )
    import_run(batch.pk)
