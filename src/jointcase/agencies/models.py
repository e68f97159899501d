"""Agencies, teams, memberships, vetting and caveat authorisations.

Vetting and caveats are facts about a person that the policy module (``jointcase.access``)
reads; nothing here decides access.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class AgencyKind(models.TextChoices):
    PROBATION = "PROBATION", "Probation"
    POLICE = "POLICE", "Police"
    PRISON = "PRISON", "Prison"
    PARTNER = "PARTNER", "Intelligence partner"
    NATIONAL = "NATIONAL", "National governance"
    PLATFORM = "PLATFORM", "Platform operations"


class Agency(models.Model):
    """An organisation whose staff use JointCase (NSD, a regional CT unit, a prison...)."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=AgencyKind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    holds_separation_centre = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """A team within one agency; case teams can include a whole team."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=200)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_teams",
    )

    class Meta:
        ordering = ["agency__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="team_name_unique_in_agency")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.agency.name})"


class TeamMembershipQuerySet(models.QuerySet["TeamMembership"]):
    def current(self, on: dt.date | None = None) -> TeamMembershipQuerySet:
        day = on or timezone.localdate()
        return self.filter(Q(start__lte=day), Q(end__isnull=True) | Q(end__gte=day))


class TeamMembership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_memberships"
    )
    start = models.DateField(default=timezone.localdate)
    end = models.DateField(null=True, blank=True)

    objects = TeamMembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="team_membership_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team}"


class VettingLevel(models.TextChoices):
    """National security vetting, lowest first. Order matters: see ``VETTING_RANK``."""

    NONE = "NONE", "None"
    BPSS = "BPSS", "Baseline Personnel Security Standard (BPSS)"
    CTC = "CTC", "Counter-Terrorist Check (CTC)"
    SC = "SC", "Security Check (SC)"
    DV = "DV", "Developed Vetting (DV)"


#: Rank used to compare vetting levels (an agency administrator's ceiling, for instance).
VETTING_RANK: dict[str, int] = {
    VettingLevel.NONE: 0,
    VettingLevel.BPSS: 1,
    VettingLevel.CTC: 2,
    VettingLevel.SC: 3,
    VettingLevel.DV: 4,
}


class Vetting(models.Model):
    """A user's current vetting. Expired vetting counts as none above OFFICIAL (access decides)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="vetting"
    )
    level = models.CharField(max_length=4, choices=VettingLevel.choices, default=VettingLevel.BPSS)
    granted_on = models.DateField(default=timezone.localdate)
    expires_on = models.DateField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__gte=models.F("granted_on")),
                name="vetting_expires_after_grant",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} until {self.expires_on:%d %B %Y}"

    def is_current(self, on: dt.date | None = None) -> bool:
        return (on or timezone.localdate()) <= self.expires_on

    def effective_level(self, on: dt.date | None = None) -> str:
        """The level in force: expired vetting falls back to BPSS (OFFICIAL only)."""
        if self.is_current(on):
            return self.level
        return VettingLevel.BPSS if self.level != VettingLevel.NONE else VettingLevel.NONE


class Caveat(models.Model):
    """A controlled-vocabulary caveat (UK EYES ONLY, PERSONAL, a compartment...)."""

    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class CaveatAuthorisationQuerySet(models.QuerySet["CaveatAuthorisation"]):
    def current(self, on: dt.date | None = None) -> CaveatAuthorisationQuerySet:
        return self.filter(expires_on__gte=on or timezone.localdate(), caveat__is_active=True)


class CaveatAuthorisation(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="caveat_authorisations"
    )
    caveat = models.ForeignKey(Caveat, on_delete=models.PROTECT, related_name="authorisations")
    granted_on = models.DateField(default=timezone.localdate)
    expires_on = models.DateField()
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = CaveatAuthorisationQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "caveat"], name="caveat_authorisation_unique"),
            models.CheckConstraint(
                condition=Q(expires_on__gte=models.F("granted_on")),
                name="caveat_authorisation_expires_after_grant",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.caveat.code} until {self.expires_on:%d %B %Y}"
