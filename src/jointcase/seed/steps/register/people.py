"""The person of a case: names and aliases with their search keys, identifiers, addresses
and contact details.
"""

from __future__ import annotations

import datetime as dt

from jointcase.accounts.models import Role
from jointcase.cases.models import SentenceType
from jointcase.people.models import (
    Address,
    AddressKind,
    ContactDetail,
    ContactKind,
    DocumentKind,
    Gender,
    Identifier,
    IdentifierType,
    IdentityDocument,
    NameKind,
    Person,
    PersonName,
    PersonNameKey,
    Vehicle,
)
from jointcase.people.search import name_keys as person_name_keys
from jointcase.people.services import display_name_for
from jointcase.people.validators import name_normalise
from jointcase.seed.steps.register.identifiers import crn_for, misspell, pnc_for, prison_number_for
from jointcase.seed.steps.register.seeder import Batch, CasePlan, NewCase, RegisterSeeder
from jointcase.seed.steps.register.vocabulary import NICKNAMES, at, days


def name_keys(
    seeder: RegisterSeeder, person_id: int, name_id: int, given: str, family: str
) -> None:
    cache = seeder.pools.key_cache
    found = cache.get((given, family))
    if found is None:
        found = sorted({key[:120] for key in person_name_keys(given, family) if key})
        if len(cache) < 200_000:
            cache[(given, family)] = found
    table = seeder.tables[PersonNameKey]
    for key in found:
        table(person_id=person_id, name_id=name_id, key=key)


def add_person(seeder: RegisterSeeder, batch: Batch, plan: CasePlan) -> NewCase:
    """The person, their lead agency and practitioner, and the day the case opens."""
    rng, today, pools = seeder.rng, seeder.today, seeder.pools
    index, persona_case = plan.index, plan.persona_case
    gender = Gender.MALE if rng.random() < 0.92 else Gender.FEMALE
    given = rng.choice(pools.male if gender == Gender.MALE else pools.female)
    middle = (
        rng.choice(pools.male if gender == Gender.MALE else pools.female)
        if rng.random() < 0.4
        else ""
    )
    family = rng.choice(pools.family)
    if persona_case and index == 0:
        given, middle, family = "Daniel", "", "Holloway"
    age_at_conviction = rng.randint(17, 55) if rng.random() < 0.97 else 16
    born = plan.conviction_date - days(age_at_conviction * 365 + rng.randint(1, 360))
    lead_agency = seeder.nsd_north if persona_case else rng.choice(pools.nsd)
    lead_user = (
        seeder.personas["nsd.practitioner"].pk
        if persona_case
        else seeder.pick_staff(lead_agency, Role.NSD_PRACTITIONER)
    )
    opened = min(today, min(plan.sentence_date, plan.release) - days(rng.randint(0, 90)))
    person = seeder.add(Person)(
        date_of_birth=born,
        gender=gender,
        nationality=rng.choice(pools.countries),
        display_name=display_name_for(" ".join(filter(None, [given, middle])), family),
        created_by_id=lead_user,
        created_at=at(opened),
        updated_at=at(opened),
    )
    batch.persons.append(person)
    new = NewCase(plan, person, given, family, born, lead_agency, lead_user, opened)
    add_names(seeder, batch, new, " ".join(filter(None, [given, middle])))
    return new


def add_names(seeder: RegisterSeeder, batch: Batch, new: NewCase, given_names: str) -> None:
    """The primary name, aliases (nicknames, misspellings, others) and a former name."""
    rng, today, pools = seeder.rng, seeder.today, seeder.pools
    given, family, born = new.given, new.family, new.born
    names: list[tuple[str, str, str, dt.date | None, dt.date | None]] = [
        (NameKind.PRIMARY, given_names, family, None, None)
    ]
    if new.plan.persona_case and new.plan.index == 0:
        names.append((NameKind.ALIAS, "Danny", "Hollowey", None, None))
    alias_count = rng.choice([0, 1, 1, 2, 3])
    for _ in range(alias_count):
        kind = rng.randint(0, 3)
        if kind == 0 and given in NICKNAMES:
            alias = (NICKNAMES[given], family)
        elif kind == 1:
            alias = (given, misspell(family, rng))
        elif kind == 2:
            alias = (misspell(given, rng), family)
        else:
            alias = (rng.choice(pools.male), rng.choice(pools.family))
        since = born + days(rng.randint(16 * 365, 30 * 365))
        names.append((NameKind.ALIAS, alias[0], alias[1], min(since, today), None))
    if rng.random() < 0.1:  # a former primary name (changed by deed poll)
        names.append(
            (
                NameKind.PRIMARY,
                given,
                rng.choice(pools.family),
                born,
                min(new.opened, today) - days(400),
            )
        )
    for name_kind, first, last, name_from, name_to in names:
        batch.names.append(
            seeder.add(PersonName)(
                person_id=new.person,
                kind=name_kind,
                given_names=first,
                family_name=last,
                valid_from=name_from,
                valid_to=name_to,
                name_normalised=name_normalise(first, last),
                created_at=at(new.opened),
            )
        )
        name_keys(seeder, new.person, batch.names[-1], first, last)


def add_identifiers(seeder: RegisterSeeder, batch: Batch, new: NewCase) -> None:
    rng, today, pools = seeder.rng, seeder.today, seeder.pools
    person, index = new.person, new.plan.index
    batch.person_rows.append(
        seeder.add(Identifier)(person_id=person, type=IdentifierType.CRN, value=crn_for(index))
    )
    if new.plan.stype != SentenceType.COMMUNITY_ORDER and not new.plan.no_sentence:
        batch.person_rows.append(
            seeder.add(Identifier)(
                person_id=person,
                type=IdentifierType.PRISON_NUMBER,
                value=prison_number_for(index),
            )
        )
    batch.person_rows.append(
        seeder.add(Identifier)(
            person_id=person,
            type=IdentifierType.PNC_ID,
            value=pnc_for(
                index, max(1990, min(new.born.year + 18 + rng.randint(0, 10), today.year))
            ),
        )
    )
    if rng.random() < 0.3:
        ctu = rng.choice(pools.ctus)
        batch.person_rows.append(
            seeder.add(Identifier)(
                person_id=person,
                type=IdentifierType.AGENCY_REFERENCE,
                agency_id=ctu.pk,
                value=f"{ctu.code.upper()}/{index:07d}",
            )
        )


def add_addresses(seeder: RegisterSeeder, batch: Batch, new: NewCase) -> None:
    """An old home, the current home; approved premises after release."""
    rng, today = seeder.rng, seeder.today
    person, released = new.person, new.plan.released
    first_home = new.born + days(18 * 365)
    moved = max(first_home + days(30), new.opened - days(rng.randint(100, 1500)))
    batch.person_rows.append(
        address_add(seeder, person, AddressKind.HOME, first_home, moved - days(1))
    )
    if released is not None and rng.random() < 0.6:
        ap_end = min(today, released + days(rng.randint(60, 270)))
        batch.person_rows.append(
            address_add(seeder, person, AddressKind.APPROVED_PREMISES, released, ap_end)
        )
        batch.person_rows.append(
            address_add(seeder, person, AddressKind.HOME, ap_end + days(1), None)
        )
    else:
        batch.person_rows.append(address_add(seeder, person, AddressKind.HOME, moved, None))
    if rng.random() < 0.2:
        batch.person_rows.append(
            address_add(seeder, person, AddressKind.OTHER_REGULAR, moved, None)
        )


def address_add(
    seeder: RegisterSeeder, person: int, kind: str, start: dt.date, end: dt.date | None
) -> int:
    pools, rng = seeder.pools, seeder.rng
    line1 = (
        rng.choice(pools.streets)
        if kind != AddressKind.APPROVED_PREMISES
        else (f"{rng.choice(pools.family)} House Approved Premises")
    )
    return seeder.add(Address)(
        person_id=person,
        kind=kind,
        line1=line1,
        town=rng.choice(pools.towns),
        postcode=rng.choice(pools.postcodes),
        valid_from=min(start, seeder.today),
        valid_to=None if end is None else max(min(end, seeder.today), min(start, seeder.today)),
    )


def add_contacts(seeder: RegisterSeeder, batch: Batch, new: NewCase) -> None:
    """A phone, perhaps an e-mail address, a vehicle and an identity document."""
    rng, today, pools = seeder.rng, seeder.today, seeder.pools
    person, index, opened = new.person, new.plan.index, new.opened
    batch.person_rows.append(
        seeder.add(ContactDetail)(
            person_id=person,
            kind=ContactKind.PHONE,
            value=rng.choice(pools.phones),
            valid_from=opened,
        )
    )
    if rng.random() < 0.5:
        batch.person_rows.append(
            seeder.add(ContactDetail)(
                person_id=person,
                kind=ContactKind.EMAIL,
                valid_from=opened,
                value=f"{name_normalise(new.given, '').replace(' ', '')}."
                f"{name_normalise(new.family, '').replace(' ', '')}{index}@example.org",
            )
        )
    if rng.random() < 0.3:
        make, model = rng.choice(pools.makes)
        batch.person_rows.append(
            seeder.add(Vehicle)(
                person_id=person,
                registration=f"{chr(65 + index % 26)}{chr(65 + index // 26 % 26)}"
                f"{rng.randint(51, 74)}{chr(65 + rng.randint(0, 25))}"
                f"{chr(65 + rng.randint(0, 25))}"
                f"{chr(65 + rng.randint(0, 25))}",
                make=make,
                model=model,
                colour=rng.choice(pools.colours),
                valid_from=opened,
            )
        )
    if rng.random() < 0.4:
        batch.person_rows.append(
            seeder.add(IdentityDocument)(
                person_id=person,
                kind=rng.choice(
                    [DocumentKind.PASSPORT, DocumentKind.PASSPORT, DocumentKind.DRIVING_LICENCE]
                ),
                number=f"{rng.randint(100_000_000, 999_999_999)}",
                issuing_country="United Kingdom",
                expires_on=today + days(rng.randint(-400, 3000)),
            )
        )
