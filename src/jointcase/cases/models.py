"""A case: one person's management through the whole sentence (docs/domain.md), its team, its
exclusions and explicit grants (the facts ``jointcase.access.policy`` decides on), and its
timeline.

Models hold fields and constraints only; rules live in ``cases.services``, ``cases.dates``
and ``cases.phases``. Every write goes through the services (validated, audited, timelined).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from jointcase.access.labels import Classification
from jointcase.cases.conditions import condition_title


class Cohort(models.TextChoices):
    TACT = "TACT", "TACT (terrorism offence)"
    TACT_CONNECTED = "TACT_CONNECTED", "Terrorism-connected offence"
    TERRORIST_RISK = "TERRORIST_RISK", "Terrorist risk"
    CPPC = "CPPC", "Critical public protection case"
    SOC = "SOC", "Serious organised crime"


#: Cohorts to which the terrorist notification requirements can apply.
NOTIFIABLE_COHORTS = frozenset({Cohort.TACT, Cohort.TACT_CONNECTED})


class Ideology(models.TextChoices):
    ISLAMIST = "ISLAMIST", "Islamist"
    EXTREME_RIGHT_WING = "EXTREME_RIGHT_WING", "Extreme right-wing"
    LASIT = "LASIT", "Left, anarchist or single-issue (LASIT)"
    MIXED_UNCLEAR = "MIXED_UNCLEAR", "Mixed or unclear"
    OTHER = "OTHER", "Other"


class Phase(models.TextChoices):
    CUSTODY = "CUSTODY", "Custody"
    PRE_RELEASE = "PRE_RELEASE", "Pre-release"
    LICENCE = "LICENCE", "Licence"
    POST_LICENCE = "POST_LICENCE", "Post-licence"
    RECALLED = "RECALLED", "Recalled"
    CLOSED = "CLOSED", "Closed"


class Case(models.Model):
    """``version`` is bumped by every update (optimistic concurrency, see ``cases.services``).

    ``public_id`` names the case in every URL and API response: an opaque identifier, so
    nobody can count or probe cases by trying sequential numbers. ``reference`` (JC-000001) is
    for people to read; ``pk`` stays internal (database keys, audit object ids)."""

    public_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="cases")
    reference = models.CharField(max_length=20, unique=True)
    cohort = models.CharField(max_length=20, choices=Cohort.choices)
    ideology = models.CharField(max_length=20, choices=Ideology.choices)
    lead_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="led_cases"
    )
    phase = models.CharField(max_length=20, choices=Phase.choices, default=Phase.CUSTODY)
    phase_changed_at = models.DateTimeField(default=timezone.now)
    opened_at = models.DateField(default=timezone.localdate)
    closed_at = models.DateField(null=True, blank=True)
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
        ordering = ["reference"]
        indexes = [
            models.Index(fields=["phase"], name="case_phase"),
            models.Index(fields=["person"], name="case_person"),
            models.Index(fields=["lead_agency", "phase"], name="case_lead_agency_phase"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_at__gte=F("opened_at")),
                name="case_closed_after_opened",
            )
        ]

    def __str__(self) -> str:
        return self.reference


class MappaCategory(models.TextChoices):
    M1 = "M1", "Category 1: registered sexual offender"
    M2 = "M2", "Category 2: violent offender"
    M3 = "M3", "Category 3: other dangerous offender"
    M4 = "M4", "Category 4: terrorist or terrorist risk"


class MappaLevel(models.IntegerChoices):
    LEVEL_1 = 1, "Level 1: ordinary agency management"
    LEVEL_2 = 2, "Level 2: active multi-agency management"
    LEVEL_3 = 3, "Level 3: level 2 plus senior involvement"


_PERIOD_ORDERED = Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from"))


class MappaRegistration(models.Model):
    """One MAPPA registration period; the current one has no ``valid_to``."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="mappa_registrations")
    category = models.CharField(max_length=2, choices=MappaCategory.choices)
    level = models.PositiveSmallIntegerField(choices=MappaLevel.choices)
    review_date = models.DateField()
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-valid_from", "-pk"]
        constraints = [
            models.CheckConstraint(condition=_PERIOD_ORDERED, name="mappa_to_after_from"),
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=3), name="mappa_level_1_to_3"
            ),
        ]

    def __str__(self) -> str:
        return f"MAPPA {self.category} level {self.level}"


class SecurityCategory(models.TextChoices):
    A = "A", "Category A"
    B = "B", "Category B"
    C = "C", "Category C"
    D = "D", "Category D"
    RESTRICTED = "RESTRICTED", "Restricted status"
    FEMALE_CLOSED = "FEMALE_CLOSED", "Female closed"
    FEMALE_OPEN = "FEMALE_OPEN", "Female open"
    YOI_CLOSED = "YOI_CLOSED", "Young offender closed"
    YOI_OPEN = "YOI_OPEN", "Young offender open"


class CustodyPlacement(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="placements")
    establishment = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="custody_placements"
    )
    in_separation_centre = models.BooleanField(default=False)
    security_category = models.CharField(max_length=20, choices=SecurityCategory.choices)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-valid_from", "-pk"]
        constraints = [
            models.CheckConstraint(condition=_PERIOD_ORDERED, name="placement_to_after_from")
        ]

    def __str__(self) -> str:
        return f"{self.establishment} from {self.valid_from:%d %B %Y}"


class SentenceType(models.TextChoices):
    SDS = "SDS", "Standard determinate sentence"
    SDS_PLUS = "SDS_PLUS", "Standard determinate sentence plus (SDS+)"
    SOPC = "SOPC", "Sentence for offenders of particular concern (SOPC)"
    EDS = "EDS", "Extended determinate sentence (EDS)"
    SERIOUS_TERRORISM = "SERIOUS_TERRORISM", "Serious Terrorism Sentence"
    LIFE = "LIFE", "Life sentence"
    COMMUNITY_ORDER = "COMMUNITY_ORDER", "Community order"


#: The key dates of a sentence, in the order the case page shows them.
KEY_DATES: tuple[tuple[str, str], ...] = (
    ("crd", "Conditional release date (CRD)"),
    ("ard", "Automatic release date (ARD)"),
    ("ped", "Parole eligibility date (PED)"),
    ("hdced", "Home detention curfew eligibility date (HDCED)"),
    ("prrd", "Post-recall release date (PRRD)"),
    ("led", "Licence expiry date (LED)"),
    ("sed", "Sentence expiry date (SED)"),
    ("tused", "Top-up supervision expiry date (TUSED)"),
)


class Sentence(models.Model):
    """The sentence and its key dates. ``length_days`` is the custodial term (the whole term for
    SDS; the custodial part for EDS/SOPC/Serious Terrorism), ``extended_licence_days`` the
    extension period, ``remand_days`` the time on remand that counts towards it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sentences")
    type = models.CharField(max_length=20, choices=SentenceType.choices)
    offence = models.CharField(max_length=300, blank=True)
    conviction_date = models.DateField()
    sentence_date = models.DateField()
    length_days = models.PositiveIntegerField(default=0)
    extended_licence_days = models.PositiveIntegerField(default=0)
    remand_days = models.PositiveIntegerField(default=0)
    crd = models.DateField("CRD", null=True, blank=True)
    ard = models.DateField("ARD", null=True, blank=True)
    ped = models.DateField("PED", null=True, blank=True)
    led = models.DateField("LED", null=True, blank=True)
    sed = models.DateField("SED", null=True, blank=True)
    tused = models.DateField("TUSED", null=True, blank=True)
    prrd = models.DateField("PRRD", null=True, blank=True)
    hdced = models.DateField("HDCED", null=True, blank=True)
    #: The date actually released from this sentence's custody (None while in custody).
    released_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sentence_date", "-pk"]
        indexes = [models.Index(fields=["case", "-sentence_date"], name="sentence_case_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(sentence_date__gte=F("conviction_date")),
                name="sentence_on_or_after_conviction",
            ),
            models.CheckConstraint(
                condition=Q(released_on__isnull=True) | Q(released_on__gte=F("sentence_date")),
                name="sentence_release_after_sentence",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} ({self.sentence_date:%d %B %Y})"

    @property
    def expected_release(self) -> object:
        """The release date to plan for: PRRD after recall, else CRD, ARD, then PED."""
        return self.prrd or self.crd or self.ard or self.ped

    @property
    def key_dates(self) -> list[tuple[str, str, object]]:
        return [(field, label, getattr(self, field)) for field, label in KEY_DATES]


class Licence(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="licences")
    sentence = models.ForeignKey(
        Sentence, null=True, blank=True, on_delete=models.SET_NULL, related_name="licences"
    )
    starts_on = models.DateField()
    expires_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__gte=F("starts_on")), name="licence_expires_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"Licence {self.starts_on:%d %B %Y} to {self.expires_on:%d %B %Y}"


class ReviewFrequency(models.TextChoices):
    NONE = "NONE", "No scheduled review"
    WEEKLY = "WEEKLY", "Weekly"
    FORTNIGHTLY = "FORTNIGHTLY", "Fortnightly"
    MONTHLY = "MONTHLY", "Monthly"
    QUARTERLY = "QUARTERLY", "Quarterly"


class LicenceCondition(models.Model):
    """A condition from the catalogue (``rules/licence_conditions.yaml``), with parameters."""

    licence = models.ForeignKey(Licence, on_delete=models.CASCADE, related_name="conditions")
    code = models.CharField(max_length=60)
    parameters = models.JSONField(default=dict, blank=True)
    review_frequency = models.CharField(
        max_length=12, choices=ReviewFrequency.choices, default=ReviewFrequency.NONE
    )
    added_on = models.DateField(default=timezone.localdate)
    removed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["added_on", "pk"]

    def __str__(self) -> str:

        return condition_title(self.code)


class NotificationRequirement(models.Model):
    """The terrorist notification requirements of one sentence, as computed by
    ``cases.dates.notification_requirement_for`` (CTA 2008 Part 4)."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="notification_requirements"
    )
    sentence = models.OneToOneField(
        Sentence, on_delete=models.CASCADE, related_name="notification_requirement"
    )
    applies = models.BooleanField(default=False)
    reason = models.CharField(max_length=300, blank=True)
    period_years = models.PositiveSmallIntegerField(null=True, blank=True)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    initial_due_on = models.DateField(null=True, blank=True)
    initial_notified_on = models.DateField(null=True, blank=True)
    last_notified_on = models.DateField(null=True, blank=True)
    next_annual_due_on = models.DateField(null=True, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"Notification requirements ({self.period_years or 0} years)"


class RecallType(models.TextChoices):
    STANDARD = "STANDARD", "Standard recall"
    FIXED_TERM = "FIXED_TERM", "Fixed-term recall"


class Recall(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="recalls")
    recalled_on = models.DateField()
    reason = models.TextField()
    type = models.CharField(max_length=12, choices=RecallType.choices, default=RecallType.STANDARD)
    returned_to_custody_on = models.DateField(null=True, blank=True)
    re_released_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recalled_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(re_released_on__isnull=True) | Q(re_released_on__gte=F("recalled_on")),
                name="recall_re_release_after_recall",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} on {self.recalled_on:%d %B %Y}"


class ExitKind(models.TextChoices):
    EXIT = "EXIT", "NSD exit"
    HANDOVER = "HANDOVER", "Handover"


class NsdExit(models.Model):
    """The case leaves NSD management and continues under another agency (CTNM, a region)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="exits")
    kind = models.CharField(max_length=10, choices=ExitKind.choices, default=ExitKind.HANDOVER)
    exited_on = models.DateField()
    to_agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    onward_plan = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-exited_on", "-pk"]
        verbose_name = "NSD exit or handover"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.to_agency} on {self.exited_on:%d %B %Y}"


class CaseRole(models.TextChoices):
    LEAD_NSD_PRACTITIONER = "LEAD_NSD_PRACTITIONER", "Lead NSD practitioner"
    CO_WORKING_PRACTITIONER = "CO_WORKING_PRACTITIONER", "Co-working practitioner"
    CTNM_OFFICER = "CTNM_OFFICER", "CTNM officer"
    CT_SUPERVISOR = "CT_SUPERVISOR", "CT supervisor"
    POM = "POM", "Prison offender manager"
    PRISON_CT_LEAD = "PRISON_CT_LEAD", "Prison CT lead"
    SENIOR_OPERATIONAL_LEAD = "SENIOR_OPERATIONAL_LEAD", "Senior operational lead"


class CaseTeamMember(models.Model):
    """A user, or a whole team, on a case for a period (``start`` to ``end`` inclusive)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="team_members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case_memberships",
    )
    team = models.ForeignKey(
        "agencies.Team",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case_memberships",
    )
    role = models.CharField(max_length=30, choices=CaseRole.choices)
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    start = models.DateField(default=timezone.localdate)
    end = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["start", "pk"]
        indexes = [
            models.Index(fields=["user", "start", "end", "case"], name="case_team_user"),
            models.Index(fields=["team", "start", "end", "case"], name="case_team_team"),
            models.Index(fields=["case", "role"], name="case_team_case_role"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(team__isnull=True))
                | (Q(user__isnull=True) & Q(team__isnull=False)),
                name="case_team_member_user_xor_team",
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")),
                name="case_team_member_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        who = self.user if self.user_id else self.team
        return f"{who}: {self.get_role_display()}"


class CaseExclusion(models.Model):
    """A named user who must never see the case, whatever else they hold (beats every grant)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="exclusions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_exclusions"
    )
    reason = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["user", "case"], name="case_exclusion_user")]
        constraints = [
            models.UniqueConstraint(fields=["case", "user"], name="case_exclusion_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} excluded from {self.case}"


class CaseAccessGrant(models.Model):
    """An explicit, time-limited grant of need-to-know on one case (``starts_at`` inclusive,
    ``expires_at`` exclusive). Revoking sets ``revoked_at``; the row stays for history."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="access_grants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_access_grants"
    )
    reason = models.TextField()
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    starts_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        indexes = [models.Index(fields=["user", "expires_at", "case"], name="case_grant_user")]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("starts_at")), name="case_grant_expires_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.case} until {self.expires_at:%d %B %Y %H:%M}"


class TimelineKind(models.TextChoices):
    CASE = "CASE", "Case"
    PHASE = "PHASE", "Phase change"
    PERSON = "PERSON", "Person details"
    MAPPA = "MAPPA", "MAPPA"
    CUSTODY = "CUSTODY", "Custody"
    SENTENCE = "SENTENCE", "Sentence"
    LICENCE = "LICENCE", "Licence"
    NOTIFICATION = "NOTIFICATION", "Notification requirements"
    RECALL = "RECALL", "Recall"
    EXIT = "EXIT", "NSD exit or handover"
    TEAM = "TEAM", "Case team"
    ACCESS = "ACCESS", "Access"
    NOTE = "NOTE", "Note"
    CHECK = "CHECK", "Required check"
    ASSESSMENT = "ASSESSMENT", "Risk assessment"
    CONTACT = "CONTACT", "Supervision contact"
    DECISION = "DECISION", "Meeting decision"
    ACTION = "ACTION", "Agreed action"
    MINUTES = "MINUTES", "Meeting minutes"
    MATERIAL = "MATERIAL", "Material added"
    SHARE = "SHARE", "Sharing decision"
    BREAK_GLASS = "BREAK_GLASS", "Emergency access (break-glass)"


class TimelineEvent(models.Model):
    """One event in the case's cross-agency chronology. Written by every service that changes
    the case (and by meetings, material, risk and supervision).

    Each event carries its own label (docs/design.md "The timeline"), read with the label rule
    of ``jointcase.access.timeline``: the register's own events are OFFICIAL-SENSITIVE; a
    meeting's decision, action or minutes carries the meeting's or minutes' label. An event
    that stands for a material item (``material_item``: added, share decided, break-glass)
    is seen exactly by those who may see the item (or one of its tearlines), and its title
    never names the item: the item's title is added at each reader's clearance."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="timeline")
    occurred_at = models.DateTimeField(default=timezone.now)
    agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=TimelineKind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    classification = models.CharField(
        max_length=20, choices=Classification.choices, default=Classification.OFFICIAL_SENSITIVE
    )
    caveats = models.ManyToManyField("agencies.Caveat", blank=True, related_name="+")
    releasable_to = models.ManyToManyField("agencies.Agency", blank=True, related_name="+")
    #: The agency whose label this is (None: the register's own event, no originator).
    originator = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    material_item = models.ForeignKey(
        "material.MaterialItem",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="timeline_events",
    )

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["case", "-occurred_at"], name="timeline_case_time"),
            models.Index(fields=["case", "kind", "-occurred_at"], name="timeline_case_kind"),
        ]

    def __str__(self) -> str:
        return self.title
