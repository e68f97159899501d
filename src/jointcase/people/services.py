"""Writes to a person record: validated, atomic, audited with the changed fields.

Every entry uses ``object_type="person"`` and ``object_id=person.pk`` (parts of the record name
themselves in ``details``), so ``people.selectors.person_history_for`` reads the whole history
of a record from the audit chain in one query. ``details["changes"]`` maps each changed field to
``[old, new]``.

Changes to notifiable details (names, addresses, contact details, vehicles) also put a timeline
event on each of the person's cases with the date the change notification is due (CTA 2008 s.48).

Every change to an existing record asks ``jointcase.access.cases.person_write_refusal`` first
(``access.cases.acts_on``: a DENY entry and ``NotPermitted``, nothing written): whoever may
see the person may change their record. Recording a new person needs only a signed-in user.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from jointcase.access.cases import acts_on, person_write_refusal
from jointcase.audit.services import audit_record, audit_record_many
from jointcase.cases.dates import change_notification_due
from jointcase.cases.models import Case, TimelineEvent, TimelineKind
from jointcase.lib.bulk import rows_insert
from jointcase.lib.edits import choice_check, editable_update, jsonable
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
from jointcase.people.search.keys import name_keys
from jointcase.people.signals import address_added
from jointcase.people.validators import (
    identifier_clean,
    name_normalise,
    postcode_clean,
    vehicle_registration_clean,
)

if TYPE_CHECKING:
    from jointcase.accounts.models import User
    from jointcase.agencies.models import Agency


def _person(kwargs: dict[str, Any]) -> Person:
    person: Person = kwargs["person"]
    return person


def _person_of(name: str) -> Callable[[dict[str, Any]], Person]:
    """The person a part of the record (a name, an address...) given to a service belongs to."""

    def get(kwargs: dict[str, Any]) -> Person:
        person: Person = kwargs[name].person
        return person

    return get


def _dates_ordered(valid_from: dt.date | None, valid_to: dt.date | None) -> None:
    if valid_from and valid_to and valid_to < valid_from:
        raise ValidationError(
            {"valid_to": "The end date must be the same as or after the start date"}
        )


def _audit(
    action: str, actor: User, person: Person, request: HttpRequest | None, **details: Any
) -> None:
    audit_record(
        action=action,
        actor=actor,
        object_type="person",
        object_id=person.pk,
        details={key: value for key, value in details.items() if value is not None},
        request=request,
    )


def _notifiable_change(actor: User, person: Person, title: str, on: dt.date) -> None:
    """A notifiable detail changed: each of the person's cases gets a timeline event."""

    due = change_notification_due(on)
    events = [
        TimelineEvent(
            case_id=case_id,
            kind=TimelineKind.PERSON,
            title=title,
            actor=actor,
            agency_id=actor.agency_id,
            description=(
                "If notification requirements apply, the change must be notified by "
                f"{due:%d %B %Y}."
            ),
        )
        for case_id in Case.objects.filter(person=person).values_list("pk", flat=True)
    ]
    TimelineEvent.objects.bulk_create(events)


def _name_keys_hook() -> Callable[[str, str], set[str]] | None:
    """The search keys of a name (``people.search.keys.name_keys``), imported directly."""
    return name_keys


def name_keys_write(name: PersonName) -> None:
    """(Re)write the search keys of one name through ``people.search.name_keys``."""
    PersonNameKey.objects.filter(name=name).delete()
    hook = _name_keys_hook()
    if hook is None:
        return
    keys = sorted({key[:120] for key in hook(name.given_names, name.family_name) if key})
    PersonNameKey.objects.bulk_create(
        [PersonNameKey(person_id=name.person_id, name=name, key=key) for key in keys]
    )


def name_keys_rebuild(*, person: Person | None = None, batch_size: int = 2000) -> int:
    """Recompute every name's search keys (of one person, or everyone). Returns rows written."""
    hook = _name_keys_hook()
    names = PersonName.objects.all() if person is None else PersonName.objects.filter(person=person)
    with transaction.atomic():
        (
            PersonNameKey.objects.all()
            if person is None
            else PersonNameKey.objects.filter(person=person)
        ).delete()
        if hook is None:
            return 0
        written = 0
        batch: list[PersonNameKey] = []
        for name_id, person_id, given, family in names.values_list(
            "pk", "person_id", "given_names", "family_name"
        ).iterator(chunk_size=batch_size):
            for key in sorted({key[:120] for key in hook(given, family) if key}):
                batch.append(PersonNameKey(person_id=person_id, name_id=name_id, key=key))
            if len(batch) >= batch_size:
                PersonNameKey.objects.bulk_create(batch, batch_size=batch_size)
                written += len(batch)
                batch = []
        PersonNameKey.objects.bulk_create(batch, batch_size=batch_size)
        return written + len(batch)


def display_name_for(given: str, family: str) -> str:
    return f"{family.upper()}, {given}".strip().rstrip(",") if given else family.upper()


def _person_touch(person: Person) -> None:
    """Bump the version of a record whose parts changed (so a stale edit form is refused)."""
    Person.objects.filter(pk=person.pk).update(version=F("version") + 1, updated_at=timezone.now())
    person.refresh_from_db(fields=["version", "updated_at", "display_name"])


def _part_recorded(
    action: str,
    actor: User,
    person: Person,
    request: HttpRequest | None,
    *,
    notifiable: tuple[str, dt.date] | None = None,
    **details: Any,
) -> None:
    """A part of the record (a name, an address...) was added or ended: the record's version
    moves on, the audit entry is written and, for a notifiable detail, ``notifiable`` (title,
    date of the change) puts the notification due date on each of the person's cases."""
    _person_touch(person)
    _audit(action, actor, person, request, **details)
    if notifiable is not None:
        _notifiable_change(actor, person, *notifiable)


def _current_ended(current: Any, *, new: Any, valid_from: dt.date | None) -> list[int]:
    """End the parts in ``current`` (the person's current primary name, or home address) the
    day before ``new`` starts, never before they began; their keys, for the audit entry."""
    end = (valid_from or timezone.localdate()) - dt.timedelta(days=1)
    ended: list[int] = []
    for old in current.exclude(pk=new.pk):
        old.valid_to = max(end, old.valid_from) if old.valid_from else end
        old.save(update_fields=["valid_to"])
        ended.append(old.pk)
    return ended


def _name_fields_clean(given_names: str, family_name: str) -> tuple[str, str]:
    given, family = (given_names or "").strip(), (family_name or "").strip()
    errors = {}
    if not family:
        errors["family_name"] = "Enter a family name"
    elif len(family) > 150:
        errors["family_name"] = "Family name must be 150 characters or fewer"
    if len(given) > 150:
        errors["given_names"] = "Given names must be 150 characters or fewer"
    if errors:
        raise ValidationError(errors)
    return given, family


def _dob_clean(date_of_birth: dt.date | None) -> dt.date | None:
    if date_of_birth is not None:
        if date_of_birth > timezone.localdate():
            raise ValidationError({"date_of_birth": "Date of birth must be in the past"})
        if date_of_birth.year < 1900:
            raise ValidationError({"date_of_birth": "Date of birth must be after 1900"})
    return date_of_birth


@transaction.atomic
def person_create(
    *,
    actor: User,
    given_names: str,
    family_name: str,
    date_of_birth: dt.date | None = None,
    gender: str = "",
    nationality: str = "",
    request: HttpRequest | None = None,
) -> Person:
    given, family = _name_fields_clean(given_names, family_name)
    _dob_clean(date_of_birth)
    if gender:
        choice_check(gender, Gender, "gender", "Choose a gender from the list")
    person = Person.objects.create(
        date_of_birth=date_of_birth,
        gender=gender,
        nationality=nationality.strip()[:80],
        display_name=display_name_for(given, family),
        created_by=actor,
    )
    name = PersonName.objects.create(
        person=person,
        kind=NameKind.PRIMARY,
        given_names=given,
        family_name=family,
        name_normalised=name_normalise(given, family),
    )
    name_keys_write(name)
    _audit(
        "person.create",
        actor,
        person,
        request,
        changes={
            "given_names": [None, given],
            "family_name": [None, family],
            "date_of_birth": [None, jsonable(date_of_birth)],
            "gender": [None, gender],
            "nationality": [None, nationality],
        },
    )
    return person


PERSON_EDITABLE = ("date_of_birth", "gender", "nationality")


@acts_on(person_write_refusal, _person, "person.person_update")
@transaction.atomic
def person_update(
    *,
    actor: User,
    person: Person,
    expected_version: int,
    request: HttpRequest | None = None,
    **changes: Any,
) -> Person:
    """Change the person's own fields. A stale ``expected_version`` raises ConcurrentEdit."""
    current, diff = editable_update(
        Person,
        person.pk,
        expected_version,
        changes,
        editable=PERSON_EDITABLE,
        clean=_person_changes_clean,
    )
    if diff:
        _audit("person.update", actor, current, request, changes=diff)
    return current


def _person_changes_clean(changes: dict[str, Any]) -> None:
    if "date_of_birth" in changes:
        _dob_clean(changes["date_of_birth"])
    if changes.get("gender"):
        choice_check(changes["gender"], Gender, "gender", "Choose a gender from the list")
    if "nationality" in changes:
        changes["nationality"] = (changes["nationality"] or "").strip()[:80]


@acts_on(person_write_refusal, _person, "person.name_add")
@transaction.atomic
def name_add(
    *,
    actor: User,
    person: Person,
    kind: str,
    given_names: str,
    family_name: str,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    request: HttpRequest | None = None,
) -> PersonName:
    """Add a name. A new PRIMARY name ends the current primary name (kept as history)."""
    choice_check(kind, NameKind, "kind", "Choose primary name or alias")
    given, family = _name_fields_clean(given_names, family_name)
    _dates_ordered(valid_from, valid_to)
    name = PersonName.objects.create(
        person=person,
        kind=kind,
        given_names=given,
        family_name=family,
        valid_from=valid_from,
        valid_to=valid_to,
        name_normalised=name_normalise(given, family),
    )
    name_keys_write(name)
    ended: list[int] = []
    if kind == NameKind.PRIMARY and valid_to is None:
        current = person.names.filter(kind=NameKind.PRIMARY, valid_to__isnull=True)
        ended = _current_ended(current, new=name, valid_from=valid_from)
        Person.objects.filter(pk=person.pk).update(display_name=display_name_for(given, family))
    _part_recorded(
        "person.name_add",
        actor,
        person,
        request,
        name_id=name.pk,
        kind=kind,
        ended_names=ended or None,
        changes={
            "given_names": [None, given],
            "family_name": [None, family],
            "valid_from": [None, jsonable(valid_from)],
            "valid_to": [None, jsonable(valid_to)],
        },
        notifiable=(
            f"{NameKind(kind).label} added: {given} {family}".strip(),
            valid_from or timezone.localdate(),
        ),
    )
    return name


def _part_end(
    action: str,
    actor: User,
    part: Any,
    valid_to: dt.date,
    request: HttpRequest | None,
    *,
    label: str,
    notifiable: str | None = None,
) -> None:
    """End a part of the record (a name, an address...) on ``valid_to``, never before it began;
    recorded as ``_part_recorded`` does, the part's key under ``<part>_id`` in the audit entry
    (``person.address_end``: ``address_id``)."""
    if part.valid_from and valid_to < part.valid_from:
        raise ValidationError({"valid_to": f"The end date must be on or after the {label} started"})
    before = part.valid_to
    part.valid_to = valid_to
    part.save(update_fields=["valid_to"])
    _part_recorded(
        action,
        actor,
        part.person,
        request,
        notifiable=(notifiable, valid_to) if notifiable else None,
        **{f"{action.removeprefix('person.').removesuffix('_end')}_id": part.pk},
        changes={"valid_to": [jsonable(before), jsonable(valid_to)]},
    )


@acts_on(person_write_refusal, _person_of("name"), "person.name_end")
@transaction.atomic
def name_end(
    *, actor: User, name: PersonName, valid_to: dt.date, request: HttpRequest | None = None
) -> PersonName:
    _part_end("person.name_end", actor, name, valid_to, request, label="name")
    return name


@acts_on(person_write_refusal, _person, "person.identifier_add")
@transaction.atomic
def identifier_add(
    *,
    actor: User,
    person: Person,
    type: str,
    value: str,
    agency: Agency | None = None,
    request: HttpRequest | None = None,
) -> Identifier:
    """Add an identifier, validated by format and unique per type (per agency for references)."""
    choice_check(type, IdentifierType, "type", "Choose an identifier type from the list")
    try:
        cleaned = identifier_clean(type, value)
    except ValidationError as error:
        raise ValidationError({"value": error.messages}) from error
    if type == IdentifierType.AGENCY_REFERENCE:
        if agency is None:
            raise ValidationError({"agency": "Choose the agency whose reference this is"})
    else:
        agency = None
    clash = Identifier.objects.filter(type=type, value=cleaned)
    if agency is not None:
        clash = clash.filter(agency=agency)
    if clash.exists():
        raise ValidationError(
            {"value": f"This {IdentifierType(type).label.split(' (')[0]} is already recorded"}
        )
    try:
        with transaction.atomic():
            identifier = Identifier.objects.create(
                person=person, type=type, value=cleaned, agency=agency
            )
    except IntegrityError as error:  # a concurrent insert of the same value
        raise ValidationError({"value": "This identifier is already recorded"}) from error
    _part_recorded(
        "person.identifier_add",
        actor,
        person,
        request,
        identifier_id=identifier.pk,
        changes={"identifier": [None, f"{type}:{cleaned}"]},
        agency=agency.code if agency else None,
    )
    return identifier


@acts_on(person_write_refusal, _person_of("identifier"), "person.identifier_remove")
@transaction.atomic
def identifier_remove(
    *, actor: User, identifier: Identifier, request: HttpRequest | None = None
) -> None:
    person = identifier.person
    _audit(
        "person.identifier_remove",
        actor,
        person,
        request,
        identifier_id=identifier.pk,
        changes={"identifier": [f"{identifier.type}:{identifier.value}", None]},
    )
    identifier.delete()
    _person_touch(person)


@acts_on(person_write_refusal, _person, "person.address_add")
@transaction.atomic
def address_add(
    *,
    actor: User,
    person: Person,
    kind: str,
    line1: str,
    town: str,
    postcode: str,
    line2: str = "",
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Address:
    """Add an address. A new HOME address without an end date ends the current home address."""
    choice_check(kind, AddressKind, "kind", "Choose the kind of address")
    errors: dict[str, str] = {}
    if not (line1 or "").strip():
        errors["line1"] = "Enter address line 1"
    if not (town or "").strip():
        errors["town"] = "Enter the town or city"
    try:
        postcode = postcode_clean(postcode)
    except ValidationError as error:
        errors["postcode"] = error.messages[0]
    if errors:
        raise ValidationError(errors)
    _dates_ordered(valid_from, valid_to)
    address = Address.objects.create(
        person=person,
        kind=kind,
        line1=line1.strip()[:200],
        line2=(line2 or "").strip()[:200],
        town=town.strip()[:100],
        postcode=postcode,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    ended: list[int] = []
    if kind == AddressKind.HOME and valid_to is None:
        current = person.addresses.filter(kind=AddressKind.HOME, valid_to__isnull=True)
        ended = _current_ended(current, new=address, valid_from=valid_from)
    _part_recorded(
        "person.address_add",
        actor,
        person,
        request,
        address_id=address.pk,
        ended_addresses=ended or None,
        changes={
            "address": [None, str(address)],
            "kind": [None, kind],
            "valid_from": [None, jsonable(valid_from)],
            "valid_to": [None, jsonable(valid_to)],
        },
        notifiable=(f"{AddressKind(kind).label} added", valid_from or timezone.localdate()),
    )
    address_added.send(sender=Address, address=address, actor=actor)
    return address


@acts_on(person_write_refusal, _person_of("address"), "person.address_end")
@transaction.atomic
def address_end(
    *, actor: User, address: Address, valid_to: dt.date, request: HttpRequest | None = None
) -> Address:
    _part_end(
        "person.address_end",
        actor,
        address,
        valid_to,
        request,
        label="address",
        notifiable=f"{address.get_kind_display()} ended",
    )
    return address


@acts_on(person_write_refusal, _person, "person.contact_add")
@transaction.atomic
def contact_add(
    *,
    actor: User,
    person: Person,
    kind: str,
    value: str,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    request: HttpRequest | None = None,
) -> ContactDetail:
    choice_check(kind, ContactKind, "kind", "Choose the kind of contact detail")
    value = (value or "").strip()
    if not value:
        raise ValidationError({"value": "Enter the contact detail"})
    if kind == ContactKind.EMAIL and ("@" not in value or " " in value):
        raise ValidationError(
            {"value": "Enter an email address in the correct format, like name@example.com"}
        )
    if kind == ContactKind.PHONE and not all(char.isdigit() or char in " +()-" for char in value):
        raise ValidationError(
            {"value": "Enter a telephone number, like 01632 960 001 or +44 808 157 0192"}
        )
    _dates_ordered(valid_from, valid_to)
    contact = ContactDetail.objects.create(
        person=person, kind=kind, value=value[:200], valid_from=valid_from, valid_to=valid_to
    )
    _part_recorded(
        "person.contact_add",
        actor,
        person,
        request,
        contact_id=contact.pk,
        changes={"contact": [None, f"{kind}:{contact.value}"]},
        notifiable=(f"{ContactKind(kind).label} added", valid_from or timezone.localdate()),
    )
    return contact


@acts_on(person_write_refusal, _person_of("contact"), "person.contact_end")
@transaction.atomic
def contact_end(
    *, actor: User, contact: ContactDetail, valid_to: dt.date, request: HttpRequest | None = None
) -> ContactDetail:
    _part_end("person.contact_end", actor, contact, valid_to, request, label="contact detail")
    return contact


@acts_on(person_write_refusal, _person, "person.vehicle_add")
@transaction.atomic
def vehicle_add(
    *,
    actor: User,
    person: Person,
    registration: str,
    make: str = "",
    model: str = "",
    colour: str = "",
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Vehicle:
    try:
        registration = vehicle_registration_clean(registration)
    except ValidationError as error:
        raise ValidationError({"registration": error.messages}) from error
    _dates_ordered(valid_from, valid_to)
    vehicle = Vehicle.objects.create(
        person=person,
        registration=registration,
        make=make.strip()[:60],
        model=model.strip()[:60],
        colour=colour.strip()[:40],
        valid_from=valid_from,
        valid_to=valid_to,
    )
    _part_recorded(
        "person.vehicle_add",
        actor,
        person,
        request,
        vehicle_id=vehicle.pk,
        changes={"vehicle": [None, str(vehicle)]},
        notifiable=(f"Vehicle added: {registration}", valid_from or timezone.localdate()),
    )
    return vehicle


@acts_on(person_write_refusal, _person_of("vehicle"), "person.vehicle_end")
@transaction.atomic
def vehicle_end(
    *, actor: User, vehicle: Vehicle, valid_to: dt.date, request: HttpRequest | None = None
) -> Vehicle:
    _part_end("person.vehicle_end", actor, vehicle, valid_to, request, label="vehicle")
    return vehicle


@acts_on(person_write_refusal, _person, "person.document_add")
@transaction.atomic
def document_add(
    *,
    actor: User,
    person: Person,
    kind: str,
    number: str,
    issuing_country: str,
    expires_on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> IdentityDocument:
    choice_check(kind, DocumentKind, "kind", "Choose the kind of document")
    errors: dict[str, str] = {}
    number = (number or "").strip().upper()
    if not number or len(number) > 40:
        errors["number"] = "Enter the document number (up to 40 characters)"
    if not (issuing_country or "").strip():
        errors["issuing_country"] = "Enter the issuing country"
    if errors:
        raise ValidationError(errors)
    document = IdentityDocument.objects.create(
        person=person,
        kind=kind,
        number=number,
        issuing_country=issuing_country.strip()[:80],
        expires_on=expires_on,
    )
    _part_recorded(
        "person.document_add",
        actor,
        person,
        request,
        document_id=document.pk,
        changes={"document": [None, str(document)]},
    )
    return document


#: Identifier columns of a partner record (``exchange`` import format) and their types.
_RECORD_IDENTIFIERS = (
    ("pnc_id", IdentifierType.PNC_ID),
    ("crn", IdentifierType.CRN),
    ("prison_number", IdentifierType.PRISON_NUMBER),
)


@transaction.atomic
def people_create_from_records(
    *,
    actor: User | None,
    records: list[dict[str, Any]],
    actor_username: str = "",
    request: HttpRequest | None = None,
) -> list[Person]:
    """Record many new people at once, each from a partner's person record (the exchange
    import format: ``given_names``, ``surname``, ``date_of_birth``, address lines, ``town``,
    ``postcode`` and optionally ``pnc_id``, ``crn``, ``prison_number``), in bulk.

    The same rules as ``person_create``, ``address_add`` and ``identifier_add``: names and
    the date of birth validated (``ValidationError``, nothing written), the home address's
    postcode and each identifier cleaned by the register's validators. An identifier already
    recorded for someone else (or twice in ``records``) is not added to the new person: the
    register keeps one person per identifier and a reviewer sees the two people. One
    ``person.create`` audit entry per person, as ``person_create`` writes, plus what was
    added. People are returned in the order of ``records``; ``actor`` (None for the command
    line) is their creator."""
    cleaned = [_record_clean(record) for record in records]
    now = timezone.now()
    people = _people_insert(cleaned, actor, now)
    _names_insert(people, cleaned, now)
    addresses, identifiers = _record_parts(people, [c[3] for c in cleaned], now)
    entries = _created_entries(people, cleaned, addresses, identifiers)
    if request is not None:  # a page: each entry with the request's purpose and address
        for object_id, details in entries:
            audit_record(
                action="person.create",
                actor=actor,
                object_type="person",
                object_id=object_id,
                details=details,
                request=request,
            )
    else:
        audit_record_many(
            action="person.create",
            object_type="person",
            entries=entries,
            actor=actor,
            actor_username=actor_username if actor is None else "",
        )
    return people


#: A partner record cleaned for a new person: given names, family name, date of birth, and
#: the record itself (for its address and identifiers).
_CleanRecord = tuple[str, str, dt.date | None, dict[str, Any]]


def _record_clean(record: dict[str, Any]) -> _CleanRecord:
    given, family = _name_fields_clean(
        str(record.get("given_names", ""))[:150], str(record.get("surname", ""))[:150]
    )
    born = record.get("date_of_birth")
    if isinstance(born, str):
        born = dt.date.fromisoformat(born) if born else None
    _dob_clean(born)
    return given, family, born, record


def _people_insert(
    cleaned: list[_CleanRecord], actor: User | None, now: dt.datetime
) -> list[Person]:
    people = Person.objects.bulk_create(
        [
            Person(
                date_of_birth=born,
                display_name=display_name_for(given, family),
                created_by=actor,
                created_at=now,
                updated_at=now,
            )
            for given, family, born, _record in cleaned
        ]
    )
    if any(person.pk is None for person in people):  # a backend without RETURNING
        raise RuntimeError("Bulk creation of people needs a database that returns ids")
    return people


def _names_insert(people: list[Person], cleaned: list[_CleanRecord], now: dt.datetime) -> None:
    """Each new person's primary name and, when people search keys names, its search keys."""
    names = PersonName.objects.bulk_create(
        [
            PersonName(
                person=person,
                kind=NameKind.PRIMARY,
                given_names=given,
                family_name=family,
                name_normalised=name_normalise(given, family),
                created_at=now,
            )
            for person, (given, family, _born, _record) in zip(people, cleaned, strict=True)
        ]
    )
    hook = _name_keys_hook()
    if hook is None:
        return
    rows_insert(
        PersonNameKey,
        ["person", "name", "key"],
        [
            (name.person_id, name.pk, key)
            for name in names
            for key in sorted({k[:120] for k in hook(name.given_names, name.family_name) if k})
        ],
    )


def _created_entries(
    people: list[Person],
    cleaned: list[_CleanRecord],
    addresses: list[Address],
    identifiers: list[Identifier],
) -> list[tuple[str | int, dict[str, Any]]]:
    """Each new person's ``person.create`` audit details: what was recorded, and from where."""
    added: dict[int, list[str]] = {}
    for identifier in identifiers:
        added.setdefault(identifier.person_id, []).append(f"{identifier.type}:{identifier.value}")
    with_address = {address.person_id: str(address) for address in addresses}
    entries: list[tuple[str | int, dict[str, Any]]] = []
    for person, (given, family, born, _record) in zip(people, cleaned, strict=True):
        changes: dict[str, Any] = {
            "given_names": [None, given],
            "family_name": [None, family],
            "date_of_birth": [None, jsonable(born)],
        }
        if person.pk in with_address:
            changes["address"] = [None, with_address[person.pk]]
        if person.pk in added:
            changes["identifiers"] = [None, added[person.pk]]
        entries.append((person.pk, {"changes": changes, "from": "partner record"}))
    return entries


def _record_parts(
    people: list[Person], records: list[dict[str, Any]], now: dt.datetime
) -> tuple[list[Address], list[Identifier]]:
    """The home address and identifiers of each new person from their partner record,
    cleaned by the register's validators and written in bulk (see
    ``people_create_from_records``)."""
    addresses: list[Address] = []
    wanted: list[tuple[Person, str, str]] = []
    for person, record in zip(people, records, strict=True):
        try:
            postcode = postcode_clean(str(record.get("postcode", "")))
        except ValidationError:
            postcode = ""
        line1, town = str(record.get("address_line_1", "")).strip(), str(record.get("town", ""))
        if line1 and town.strip() and postcode:
            addresses.append(
                Address(
                    person=person,
                    kind=AddressKind.HOME,
                    line1=line1[:200],
                    line2=str(record.get("address_line_2", "") or "").strip()[:200],
                    town=town.strip()[:100],
                    postcode=postcode,
                    created_at=now,
                )
            )
        for column, type_ in _RECORD_IDENTIFIERS:
            value = str(record.get(column, "") or "").strip()
            if not value:
                continue
            try:
                wanted.append((person, str(type_), identifier_clean(type_, value)))
            except ValidationError:
                continue
    Address.objects.bulk_create(addresses, batch_size=5000)
    taken = set(
        (str(type_), str(value))
        for type_, value in Identifier.objects.filter(
            value__in=[value for _p, _t, value in wanted], agency__isnull=True
        ).values_list("type", "value")
    )
    identifiers: list[Identifier] = []
    for person, kind, value in wanted:
        if (kind, value) in taken:
            continue
        taken.add((kind, value))
        identifiers.append(Identifier(person=person, type=kind, value=value))
    Identifier.objects.bulk_create(identifiers, batch_size=5000)
    return addresses, identifiers
