"""factory_boy factories for the foundation apps (agencies, accounts). Other apps keep theirs
beside their tests (``tests/<app>/factories.py``)."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from jointcase.accounts.models import RoleAssignment, User
from jointcase.agencies.models import (
    Agency,
    AgencyKind,
    Caveat,
    CaveatAuthorisation,
    Team,
    TeamMembership,
    Vetting,
    VettingLevel,
)

PASSWORD = "correct horse battery staple 42"

#: Staff surnames. A drawn surname could be a test subject's too ("Stuart Holloway" signed in
#: beside the subject HOLLOWAY), and pages name the signed-in reader, so a check that the
#: subject's name is absent would fail by chance: staff draw from this pool, which no test
#: subject uses.
STAFF_SURNAMES = (
    "Abernethy",
    "Brackley",
    "Carmody",
    "Dunleavy",
    "Eastwick",
    "Fairbairn",
    "Galbraith",
    "Hartigan",
    "Ingleby",
    "Jardine",
    "Kilbride",
    "Lockhart",
    "Macready",
    "Northcote",
    "Ormsby",
    "Pendleton",
    "Quarrie",
    "Rutherford",
    "Sandiford",
    "Tregarthen",
    "Underhill",
    "Venables",
    "Wetherall",
    "Yardley",
)


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"agency-{n}")
    name = factory.Sequence(lambda n: f"Agency {n}")
    kind = AgencyKind.PROBATION


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(factory.django.DjangoModelFactory):
    """A user with a BPSS vetting record and a confirmed TOTP device (key in ``totp_key``)."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("random_element", elements=STAFF_SURNAMES)
    email = factory.LazyAttribute(lambda u: f"{u.username}@jointcase.example")
    agency = factory.SubFactory(AgencyFactory)
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def roles(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        for role in extracted or []:
            RoleAssignment.objects.get_or_create(user=self, role=role)

    @factory.post_generation
    def vetting(self, create: bool, extracted: str | None, **kwargs: object) -> None:
        today = timezone.localdate()
        expires = kwargs.get("expires_on") or today + dt.timedelta(days=365)
        Vetting.objects.update_or_create(
            user=self,
            defaults={
                "level": extracted or VettingLevel.BPSS,
                "granted_on": min(today - dt.timedelta(days=30), expires),
                "expires_on": expires,
            },
        )

    @factory.post_generation
    def caveats(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        for code in extracted or []:
            caveat, _ = Caveat.objects.get_or_create(code=code, defaults={"name": code})
            CaveatAuthorisation.objects.get_or_create(
                user=self,
                caveat=caveat,
                defaults={"expires_on": timezone.localdate() + dt.timedelta(days=365)},
            )

    @factory.post_generation
    def totp(self, create: bool, extracted: bool | None, **kwargs: object) -> None:
        if extracted is False:
            return
        TOTPDevice.objects.get_or_create(
            user=self, defaults={"name": "Authenticator app", "confirmed": True}
        )


class TeamMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMembership

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory)
    start = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=10))
