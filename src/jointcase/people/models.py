"""The person (nominal): names and aliases, identifiers, addresses, contact details, vehicles and
identity documents, i.e. the details the terrorist notification requirements cover.

Every write goes through ``jointcase.people.services`` (validated, audited). Reads of a person
go through ``jointcase.people.selectors``, which apply ``jointcase.access.policy``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class Gender(models.TextChoices):
    MALE = "MALE", "Male"
    FEMALE = "FEMALE", "Female"
    OTHER = "OTHER", "Other"
    NOT_KNOWN = "NOT_KNOWN", "Not known"


class Person(models.Model):
    """A nominal. ``version`` is bumped by every update for optimistic concurrency: a save made
    from a stale copy is refused (``people.services.ConcurrentEdit``) instead of overwriting.

    ``public_id`` names the person in every URL and API response: an opaque identifier, so
    nobody can count or probe records by trying sequential numbers. ``pk`` stays internal."""

    public_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    date_of_birth = models.DateField(null=True, blank=True, db_index=True)
    gender = models.CharField(max_length=10, choices=Gender.choices, blank=True)
    nationality = models.CharField(max_length=80, blank=True)
    #: "Family, Given" of the current primary name, kept by the services for lists and sorting.
    display_name = models.CharField(max_length=300, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["display_name", "pk"]
        indexes = [models.Index(fields=["created_by"], name="person_created_by")]

    def __str__(self) -> str:
        return self.display_name or f"Person {self.pk}"


class NameKind(models.TextChoices):
    PRIMARY = "PRIMARY", "Primary name"
    ALIAS = "ALIAS", "Alias"


class PersonName(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="names")
    kind = models.CharField(max_length=10, choices=NameKind.choices, default=NameKind.PRIMARY)
    given_names = models.CharField(max_length=150, blank=True)
    family_name = models.CharField(max_length=150)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    #: "given family" lower-cased, ASCII-folded, punctuation removed (services maintain it).
    name_normalised = models.CharField(max_length=310, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "-valid_from", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=F("valid_from")),
                name="person_name_to_after_from",
            )
        ]

    def __str__(self) -> str:
        return f"{self.given_names} {self.family_name}".strip()

    @property
    def full_name(self) -> str:
        return str(self)


class PersonNameKey(models.Model):
    """Search keys of one name (phonetic codes, nickname forms, swapped order...), produced by
    ``jointcase.people.search.keys.name_keys(given, family)``."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="name_keys")
    name = models.ForeignKey(PersonName, on_delete=models.CASCADE, related_name="keys")
    key = models.CharField(max_length=120)

    class Meta:
        indexes = [models.Index(fields=["key", "person"], name="person_name_key")]
        constraints = [
            models.UniqueConstraint(fields=["name", "key"], name="person_name_key_unique")
        ]

    def __str__(self) -> str:
        return self.key


class IdentifierType(models.TextChoices):
    CRN = "CRN", "CRN (probation case reference number)"
    PRISON_NUMBER = "PRISON_NUMBER", "Prison number"
    PNC_ID = "PNC_ID", "PNC ID"
    AGENCY_REFERENCE = "AGENCY_REFERENCE", "Agency reference"


class Identifier(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="identifiers")
    type = models.CharField(max_length=20, choices=IdentifierType.choices)
    agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    value = models.CharField(max_length=40)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["type", "value"]
        indexes = [models.Index(fields=["value"], name="identifier_value")]
        constraints = [
            models.UniqueConstraint(
                fields=["type", "value"],
                condition=~Q(type="AGENCY_REFERENCE"),
                name="identifier_unique_per_type",
            ),
            models.UniqueConstraint(
                fields=["type", "agency", "value"],
                condition=Q(type="AGENCY_REFERENCE"),
                name="identifier_unique_per_agency",
            ),
            models.CheckConstraint(
                condition=(Q(type="AGENCY_REFERENCE") & Q(agency__isnull=False))
                | (~Q(type="AGENCY_REFERENCE") & Q(agency__isnull=True)),
                name="identifier_agency_only_for_agency_reference",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()}: {self.value}"


class AddressKind(models.TextChoices):
    HOME = "HOME", "Home address"
    OTHER_REGULAR = "OTHER_REGULAR", "Other regular address"
    APPROVED_PREMISES = "APPROVED_PREMISES", "Approved premises"


_DATES_ORDERED = (
    Q(valid_to__isnull=True) | Q(valid_from__isnull=True) | Q(valid_to__gte=F("valid_from"))
)


class Address(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(max_length=20, choices=AddressKind.choices)
    line1 = models.CharField(max_length=200)
    line2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100)
    postcode = models.CharField(max_length=10)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-valid_from", "pk"]
        verbose_name_plural = "addresses"
        constraints = [
            models.CheckConstraint(condition=_DATES_ORDERED, name="address_to_after_from")
        ]

    def __str__(self) -> str:
        return ", ".join(
            part for part in (self.line1, self.line2, self.town, self.postcode) if part
        )


class ContactKind(models.TextChoices):
    PHONE = "PHONE", "Telephone"
    EMAIL = "EMAIL", "Email"
    OTHER = "OTHER", "Other"


class ContactDetail(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(max_length=10, choices=ContactKind.choices)
    value = models.CharField(max_length=200)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "-valid_from", "pk"]
        constraints = [
            models.CheckConstraint(condition=_DATES_ORDERED, name="contact_to_after_from")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"


class Vehicle(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="vehicles")
    registration = models.CharField(max_length=10, db_index=True)
    make = models.CharField(max_length=60, blank=True)
    model = models.CharField(max_length=60, blank=True)
    colour = models.CharField(max_length=40, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-valid_from", "pk"]
        constraints = [
            models.CheckConstraint(condition=_DATES_ORDERED, name="vehicle_to_after_from")
        ]

    def __str__(self) -> str:
        return " ".join(
            part for part in (self.registration, self.colour, self.make, self.model) if part
        )


class DocumentKind(models.TextChoices):
    PASSPORT = "PASSPORT", "Passport"
    DRIVING_LICENCE = "DRIVING_LICENCE", "Driving licence"
    NATIONAL_ID = "NATIONAL_ID", "National identity card"
    OTHER = "OTHER", "Other"


class IdentityDocument(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    number = models.CharField(max_length=40)
    issuing_country = models.CharField(max_length=80)
    expires_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number} ({self.issuing_country})"
