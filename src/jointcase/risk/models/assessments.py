"""Whole-risk assessments: every risk domain rated, RoSH per audience, labelled sections.

An assessment is made from one instrument (a versioned data file in ``risk/data/instruments``,
named here by ``instrument_code`` and ``instrument_version``, never by code). Each assessment
is one version: a completed one is never edited again, the next review is a new assessment,
so every completed version is kept and "what changed" compares two rows.

Labels. The assessment itself carries the case's baseline label (OFFICIAL-SENSITIVE,
originator the assessor's agency): its domain ratings, RoSH matrix and summary are at that
level, like the register's case facts. Anything above the baseline (a SECRET-informed
judgement) goes in an ``AssessmentSection``, which carries its own label and whose text is
sealed under it (``jointcase.material.crypto``, object id ``assessment-section-<pk>``), as
minutes sections are. Who may read what is decided in ``jointcase.access.assessments``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from jointcase.access.labels import Classification


class RiskDomain(models.TextChoices):
    """The risk domains every assessment must address (docs/domain.md "Risk")."""

    TERRORISM_EXTREMISM = "TERRORISM_EXTREMISM", "Terrorism and extremism"
    VIOLENCE = "VIOLENCE", "Violence outside extremism"
    DOMESTIC_ABUSE = "DOMESTIC_ABUSE", "Domestic abuse"
    CHILD_SAFEGUARDING = "CHILD_SAFEGUARDING", "Child safeguarding"
    ADULT_SAFEGUARDING = "ADULT_SAFEGUARDING", "Adult safeguarding (known adult)"
    SEXUAL_HARM = "SEXUAL_HARM", "Sexual harm"
    RISK_TO_STAFF = "RISK_TO_STAFF", "Risk to staff"
    SELF_HARM_SUICIDE = "SELF_HARM_SUICIDE", "Self-harm and suicide"
    RISK_TO_PRISONERS = "RISK_TO_PRISONERS", "Risk to other prisoners (custody)"


#: Domains addressed only when the person is in custody.
CUSTODY_ONLY_DOMAINS = frozenset({RiskDomain.RISK_TO_PRISONERS})


class RoshLevel(models.TextChoices):
    """Risk of Serious Harm, lowest first."""

    LOW = "LOW", "Low"
    MEDIUM = "MEDIUM", "Medium"
    HIGH = "HIGH", "High"
    VERY_HIGH = "VERY_HIGH", "Very high"


ROSH_RANK: dict[str, int] = {level: rank for rank, level in enumerate(RoshLevel.values)}


class DomainRating(models.TextChoices):
    """A domain's rating: a level with evidence, or no concerns identified with a reason."""

    NO_CONCERNS = "NO_CONCERNS", "No concerns identified"
    LOW = "LOW", "Low"
    MEDIUM = "MEDIUM", "Medium"
    HIGH = "HIGH", "High"
    VERY_HIGH = "VERY_HIGH", "Very high"


class RoshAudience(models.TextChoices):
    PUBLIC = "PUBLIC", "Public"
    CHILDREN = "CHILDREN", "Children"
    KNOWN_ADULT = "KNOWN_ADULT", "Known adult"
    STAFF = "STAFF", "Staff"
    PRISONERS = "PRISONERS", "Prisoners"


class RoshSetting(models.TextChoices):
    COMMUNITY = "COMMUNITY", "Community"
    CUSTODY = "CUSTODY", "Custody"


#: The audiences rated in each setting (prisoners only in custody).
ROSH_AUDIENCES: dict[str, tuple[str, ...]] = {
    RoshSetting.COMMUNITY: (
        RoshAudience.PUBLIC,
        RoshAudience.CHILDREN,
        RoshAudience.KNOWN_ADULT,
        RoshAudience.STAFF,
    ),
    RoshSetting.CUSTODY: (
        RoshAudience.PUBLIC,
        RoshAudience.CHILDREN,
        RoshAudience.KNOWN_ADULT,
        RoshAudience.STAFF,
        RoshAudience.PRISONERS,
    ),
}


class AssessmentStatus(models.TextChoices):
    DRAFT = "DRAFT", "Draft"
    AWAITING_COUNTERSIGNATURE = "AWAITING_COUNTERSIGNATURE", "Awaiting countersignature"
    RETURNED = "RETURNED", "Returned to the assessor"
    COMPLETED = "COMPLETED", "Completed"


#: Statuses in which the assessor may still change the assessment.
EDITABLE_STATUSES = frozenset({AssessmentStatus.DRAFT, AssessmentStatus.RETURNED})


class Assessment(models.Model):
    """One version of a case's whole-risk assessment, at the case's baseline label."""

    public_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="assessments")
    instrument_code = models.CharField(max_length=60)
    instrument_version = models.PositiveIntegerField()
    #: In custody RoSH is assessed as if release were imminent, and risk to prisoners applies.
    in_custody = models.BooleanField(default=False)
    status = models.CharField(
        max_length=30, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # RoSH summary (docs/domain.md "Risk").
    nature_of_risk = models.TextField(blank=True)
    who_is_at_risk = models.TextField(blank=True)
    when_most_likely = models.TextField(blank=True)
    increasing_factors = models.TextField(blank=True)
    mitigating_factors = models.TextField(blank=True)
    next_review_on = models.DateField(null=True, blank=True)
    # The baseline label (what ``jointcase.access.material.label_filter`` reads).
    classification = models.CharField(
        max_length=20, choices=Classification.choices, default=Classification.OFFICIAL_SENSITIVE
    )
    caveats = models.ManyToManyField("agencies.Caveat", blank=True, related_name="+")
    releasable_to = models.ManyToManyField("agencies.Agency", blank=True, related_name="+")
    originator = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    countersigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    returned_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["case", "status", "-completed_at"], name="assessment_case_done"),
            models.Index(fields=["case", "-created_at"], name="assessment_case_created"),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_code} v{self.instrument_version} ({self.get_status_display()})"


class AssessmentDomainRating(models.Model):
    """One domain's rating on one assessment, with its evidence (or the reason for none)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=30, choices=RiskDomain.choices)
    rating = models.CharField(max_length=20, choices=DomainRating.choices)
    #: The evidence for a rating, or the reason no concerns were identified.
    evidence = models.TextField()
    #: Material items cited as evidence (each shown only to readers who may see it).
    material = models.ManyToManyField("material.MaterialItem", blank=True, related_name="+")
    #: Required checks of the same case cited as evidence (a police domestic abuse call-out
    #: check's "no trace", say), each shown only to readers who may see it.
    checks = models.ManyToManyField("risk.RequiredCheck", blank=True, related_name="+")

    class Meta:
        ordering = ["assessment", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "domain"], name="assessment_domain_once"),
            models.CheckConstraint(
                condition=models.Q(rating__in=DomainRating.values), name="domain_rating_on_scale"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_domain_display()}: {self.get_rating_display()}"


class RoshRating(models.Model):
    """One cell of the RoSH matrix: a level for one audience in one setting."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="rosh")
    setting = models.CharField(max_length=10, choices=RoshSetting.choices)
    audience = models.CharField(max_length=15, choices=RoshAudience.choices)
    level = models.CharField(max_length=10, choices=RoshLevel.choices)

    class Meta:
        ordering = ["assessment", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "setting", "audience"], name="rosh_cell_once"
            ),
            models.CheckConstraint(
                condition=models.Q(level__in=RoshLevel.values), name="rosh_level_on_scale"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.setting} {self.audience}: {self.level}"


class AssessmentSection(models.Model):
    """One instrument section of an assessment: its factor ratings and notes, sealed under the
    section's own label (so a SECRET section is withheld from a reader cleared below it)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="sections")
    #: The assessment's case, kept here so the label rule filters sections like minutes.
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    section_code = models.CharField(max_length=60)
    order = models.PositiveIntegerField(default=0)
    #: Sealed JSON: {"notes": str, "factors": {factor_code: rating}}.
    body_ciphertext = models.BinaryField(null=True, blank=True)
    data_key = models.OneToOneField(
        "material.DataKey", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    classification = models.CharField(
        max_length=20, choices=Classification.choices, default=Classification.OFFICIAL_SENSITIVE
    )
    caveats = models.ManyToManyField("agencies.Caveat", blank=True, related_name="+")
    releasable_to = models.ManyToManyField("agencies.Agency", blank=True, related_name="+")
    originator = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["assessment", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "section_code"], name="assessment_section_once"
            ),
        ]

    def __str__(self) -> str:
        return self.section_code


class AssessmentEventKind(models.TextChoices):
    STARTED = "STARTED", "Started"
    SUBMITTED = "SUBMITTED", "Completed and sent for countersignature"
    COUNTERSIGNED = "COUNTERSIGNED", "Countersigned"
    RETURNED = "RETURNED", "Returned to the assessor"


class AssessmentEvent(models.Model):
    """What happened to an assessment, by whom and when (the history the page shows)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=AssessmentEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    occurred_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["assessment", "occurred_at", "pk"]

    def __str__(self) -> str:
        return self.kind
