"""Supervision contacts (docs/domain.md "Supervision and workforce").

A ``Contact`` is one appointment: planned (``planned_for``) and, once it has happened or been
missed, recorded (``outcome``, ``occurred_at``). A contact recorded without a plan (an
unannounced home visit) has no ``planned_for``. Its notes are sealed under their own label
(``jointcase.material.crypto``; object id ``contact-<pk>``), read at each reader's clearance
like minutes sections. Whether a case keeps its contact standard is derived from the facts;
``CaseStanding`` stores the derivation per case so the lists need not repeat it on every
request (``supervision.standing_store`` says when it is current).
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from jointcase.access.labels import Classification


class ContactKind(models.TextChoices):
    OFFICE = "OFFICE", "Office appointment"
    HOME_VISIT = "HOME_VISIT", "Home visit"
    JOINT_POLICE_VISIT = "JOINT_POLICE_VISIT", "Joint visit with police"
    APPROVED_PREMISES = "APPROVED_PREMISES", "Approved premises"
    POLYGRAPH = "POLYGRAPH", "Polygraph session"
    DDP_SESSION = "DDP_SESSION", "Desistance and disengagement (DDP) session"
    TELEPHONE = "TELEPHONE", "Telephone"
    VIDEO = "VIDEO", "Video call"
    OTHER_AGENCY = "OTHER_AGENCY", "Other agency"


#: Kinds in which the practitioner and the person are in the same room (contact standards
#: count face-to-face contacts).
FACE_TO_FACE_KINDS = frozenset(
    {
        ContactKind.OFFICE,
        ContactKind.HOME_VISIT,
        ContactKind.JOINT_POLICE_VISIT,
        ContactKind.APPROVED_PREMISES,
        ContactKind.POLYGRAPH,
        ContactKind.DDP_SESSION,
    }
)


class ContactOutcome(models.TextChoices):
    ATTENDED = "ATTENDED", "Attended"
    FAILED_TO_ATTEND = "FAILED_TO_ATTEND", "Failed to attend"
    ACCEPTABLE_ABSENCE = "ACCEPTABLE_ABSENCE", "Acceptable absence"


class Enforcement(models.TextChoices):
    NONE = "NONE", "None"
    WARNING = "WARNING", "Warning"
    BREACH = "BREACH", "Breach"
    RECALL_REQUEST = "RECALL_REQUEST", "Recall request"


class Contact(models.Model):
    #: The contact's identifier in URLs and the API (opaque).
    public_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="contacts")
    kind = models.CharField(max_length=24, choices=ContactKind.choices)
    #: The practitioner (or officer, or POM) who holds the contact.
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="contacts_held"
    )
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    #: When the appointment was planned for; null for a contact recorded without a plan.
    planned_for = models.DateTimeField(null=True, blank=True)
    #: When it happened (or was due to, for a missed one); null while only planned.
    occurred_at = models.DateTimeField(null=True, blank=True)
    #: Blank while only planned.
    outcome = models.CharField(max_length=20, choices=ContactOutcome.choices, blank=True)
    enforcement = models.CharField(
        max_length=16, choices=Enforcement.choices, default=Enforcement.NONE
    )
    enforcement_reason = models.TextField(blank=True)
    #: A planned appointment called off before it took place, and why (it then counts for
    #: nothing and waits for no outcome).
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The notes, sealed under their own label (as a minutes section).
    notes_ciphertext = models.BinaryField(null=True, blank=True)
    data_key = models.OneToOneField(
        "material.DataKey", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    classification = models.CharField(
        max_length=20, choices=Classification.choices, default=Classification.OFFICIAL_SENSITIVE
    )
    caveats = models.ManyToManyField("agencies.Caveat", blank=True, related_name="+")
    releasable_to = models.ManyToManyField("agencies.Agency", blank=True, related_name="+")
    originator = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
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
        ordering = ["-occurred_at", "-planned_for", "-pk"]
        indexes = [
            models.Index(fields=["case", "occurred_at"], name="contact_case_occurred"),
            models.Index(fields=["practitioner", "planned_for"], name="contact_holder_planned"),
            models.Index(fields=["case", "outcome", "kind"], name="contact_case_outcome_kind"),
            # The planned contacts nobody has recorded or cancelled ("Contacts due", the
            # overdue counts of the caseload pages): a few per case among years of history.
            models.Index(
                fields=["practitioner", "planned_for"],
                condition=Q(outcome="", cancelled_at__isnull=True),
                name="contact_holder_unrecorded",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_for__isnull=False) | Q(occurred_at__isnull=False),
                name="contact_planned_or_occurred",
            ),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(occurred_at__isnull=False),
                name="contact_outcome_has_date",
            ),
            models.CheckConstraint(
                condition=Q(enforcement="NONE") | ~Q(enforcement_reason=""),
                name="contact_enforcement_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(cancelled_at__isnull=True) | (~Q(cancel_reason="") & Q(outcome="")),
                name="contact_cancelled_has_reason_and_no_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.case_id}"

    @property
    def face_to_face(self) -> bool:
        return self.kind in FACE_TO_FACE_KINDS


class ContactShortfall(models.Model):
    """A case fell below its contact standard: the next counting contact was due by
    ``due_on`` and none was recorded. One row per (case, due date) under a unique constraint,
    so the practitioner and their manager are alerted once per shortfall, however often the
    nightly run sees it. A contact that brings the case back to standard resolves it."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    due_on = models.DateField()
    standard_code = models.CharField(max_length=60)
    standards_version = models.PositiveIntegerField()
    #: The working day the alert went out.
    alerted_on = models.DateField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-due_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "due_on"], name="shortfall_once_per_due_date")
        ]
        indexes = [
            models.Index(
                fields=["case"],
                condition=Q(resolved_at__isnull=True),
                name="shortfall_open",
            )
        ]

    def __str__(self) -> str:
        return f"Shortfall on case {self.case_id} (due {self.due_on})"


class CaseStanding(models.Model):
    """The stored contact standing of one case (``supervision.standing_store``): the standard
    it keeps, the last counting contact and the day the next is due by, as computed at
    ``computed_at``. Whether the case is below its standard is never stored: it is the due
    date against the reader's today. ``stale_on`` is the first day a date-bound fact may
    change the standing (a release taking effect, a MAPPA registration starting or ending, a
    weeks-since-release tier changing); from that day the standing is read live until it is
    stored again."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, primary_key=True, related_name="contact_standing"
    )
    #: Blank: no standard applies (a closed case, or none in the file matches).
    standard_code = models.CharField(max_length=60, blank=True)
    #: The standards file the standing was computed under (``standards_digest``).
    standards_digest = models.CharField(max_length=64)
    #: The standard's cadence: one counting contact at least every this many days.
    every_days = models.PositiveIntegerField(null=True, blank=True)
    last_contact_on = models.DateField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True)
    stale_on = models.DateField(null=True, blank=True)
    #: The day and instant it was computed for (a reader before either computes live).
    computed_on = models.DateField()
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(standard_code="") | Q(due_on__isnull=False),
                name="standing_standard_has_due_date",
            )
        ]

    def __str__(self) -> str:
        return f"Standing of case {self.case_id}: {self.standard_code or 'no standard'}"

    @property
    def below_since(self) -> dt.date | None:
        """The first day the case is below its standard unless a counting contact comes."""
        return self.due_on + dt.timedelta(days=1) if self.due_on is not None else None
