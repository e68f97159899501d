"""Multi-agency meetings, attendance, minutes (labelled sections), decisions, risk management
plan entries and agreed actions with their history (docs/domain.md "Meetings and actions").

Overdue is never stored: it is derived from ``due_date`` and the status (``AgreedAction.is_overdue``
and ``selectors.with_overdue``). In-app notices belong to ``jointcase.notifications``.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

from jointcase.access.labels import Classification


class MeetingType(models.TextChoices):
    MAPPA_L2 = "MAPPA_L2", "MAPPA level 2"
    MAPPA_L3 = "MAPPA_L3", "MAPPA level 3"
    CT_CASE_CONFERENCE = "CT_CASE_CONFERENCE", "CT case conference"
    PRE_RELEASE_PLANNING = "PRE_RELEASE_PLANNING", "Pre-release planning meeting"
    PROFESSIONALS = "PROFESSIONALS", "Professionals' meeting"
    NSD_EXIT_HANDOVER = "NSD_EXIT_HANDOVER", "NSD exit or handover"


class MeetingStatus(models.TextChoices):
    PLANNED = "PLANNED", "Planned"
    HELD = "HELD", "Held"
    CANCELLED = "CANCELLED", "Cancelled"


class Meeting(models.Model):
    #: The meeting's identifier in URLs and the API (opaque: the integer key stays internal,
    #: so ids can neither be counted nor probed in sequence).
    public_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    type = models.CharField(max_length=24, choices=MeetingType.choices)
    starts_at = models.DateTimeField()
    chair = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    cases = models.ManyToManyField("cases.Case", related_name="meetings")
    agenda = models.TextField(blank=True)
    #: The agencies the minutes may go to (empty: every agency on the meetings cases). An
    #: invitee from any other agency is refused; new sections take this as their default.
    minutes_releasable_to = models.ManyToManyField("agencies.Agency", blank=True, related_name="+")
    status = models.CharField(
        max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    created_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["-starts_at"], name="meeting_starts")]

    def __str__(self) -> str:
        return f"{self.get_type_display()} on {self.starts_at:%d %B %Y}"


class Invitation(models.Model):
    """An invitee: a user, or an external attendee by name, role and agency (exactly one)."""

    #: The invitation's identifier in URLs and the API (opaque, as ``Meeting.public_id``).
    public_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    external_name = models.CharField(max_length=200, blank=True)
    external_role = models.CharField(max_length=200, blank=True)
    external_agency = models.CharField(max_length=200, blank=True)
    invited = models.BooleanField(default=True)
    attended = models.BooleanField(default=False)
    apologies = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(external_name=""))
                | (Q(user__isnull=True) & ~Q(external_name="")),
                name="invitation_user_xor_external",
            ),
            models.UniqueConstraint(
                fields=["meeting", "user"],
                condition=Q(user__isnull=False),
                name="invitation_one_per_user",
            ),
            models.CheckConstraint(
                condition=~(Q(attended=True) & Q(apologies=True)),
                name="invitation_attended_or_apologies",
            ),
        ]
        indexes = [models.Index(fields=["user", "meeting"], name="invitation_user")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.user_id is not None and self.user is not None:
            return self.user.get_full_name() or self.user.username
        return self.external_name

    @property
    def agency_name(self) -> str:
        if self.user_id is not None and self.user is not None and self.user.agency is not None:
            return str(self.user.agency.name)
        return self.external_agency


class WithheldDisplay(models.TextChoices):
    SHOW_PLACEHOLDER = "SHOW_PLACEHOLDER", "Show that a section was withheld"
    OMIT = "OMIT", "Leave the section out entirely"


class OtherAgencyAttendees(models.TextChoices):
    """What a section released to some agencies only does about attendees of other agencies
    (refused, unless the section's originator chooses to withhold it from them)."""

    REFUSE = "REFUSE", "Refuse attendees from agencies this section is not released to"
    WITHHOLD = "WITHHOLD", "Admit them, and withhold this section from them"


class MinutesSection(models.Model):
    """One labelled section of a meeting's minutes. The body is sealed under the section's
    label (``jointcase.material.crypto``; object id ``minutes-<pk>``)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="sections")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    order = models.PositiveIntegerField()
    heading = models.CharField(max_length=200)
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
    withheld_display = models.CharField(
        max_length=20, choices=WithheldDisplay.choices, default=WithheldDisplay.SHOW_PLACEHOLDER
    )
    other_agency_attendees = models.CharField(
        max_length=10, choices=OtherAgencyAttendees.choices, default=OtherAgencyAttendees.REFUSE
    )
    author = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["meeting", "order", "id"]
        indexes = [models.Index(fields=["meeting", "order"], name="minutes_meeting_order")]

    def __str__(self) -> str:
        return self.heading


class MeetingDecision(models.Model):
    """A decision recorded at a meeting, per case."""

    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.CASCADE, related_name="decisions"
    )
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_on = models.DateField(default=timezone.localdate)

    class Meta:
        ordering = ["-decided_on", "-id"]

    def __str__(self) -> str:
        return self.text[:60]


class RiskPillar(models.TextChoices):
    SUPERVISION = "SUPERVISION", "Supervision"
    MONITORING_AND_CONTROL = "MONITORING_AND_CONTROL", "Monitoring and control"
    INTERVENTIONS_AND_TREATMENT = "INTERVENTIONS_AND_TREATMENT", "Interventions and treatment"
    VICTIM_SAFETY_PLANNING = "VICTIM_SAFETY_PLANNING", "Victim safety planning"


class RiskPlanEntry(models.Model):
    """One entry of a case's risk management plan (the four pillars)."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="risk_entries"
    )
    pillar = models.CharField(max_length=30, choices=RiskPillar.choices)
    text = models.TextField()
    owner = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entry_date = models.DateField(default=timezone.localdate)

    class Meta:
        ordering = ["pillar", "-entry_date", "-id"]

    def __str__(self) -> str:
        return f"{self.get_pillar_display()}: {self.text[:40]}"


class ActionSource(models.TextChoices):
    MEETING = "MEETING", "Meeting"
    MATERIAL = "MATERIAL", "Material item"
    ASSESSMENT = "ASSESSMENT", "Assessment"


class ActionPriority(models.TextChoices):
    LOW = "LOW", "Low"
    MEDIUM = "MEDIUM", "Medium"
    HIGH = "HIGH", "High"


class ActionStatus(models.TextChoices):
    OPEN = "OPEN", "Open"
    IN_PROGRESS = "IN_PROGRESS", "In progress"
    DONE = "DONE", "Done"
    CANCELLED = "CANCELLED", "Cancelled"


OPEN_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


class AgreedAction(models.Model):
    #: The action's identifier in URLs and the API (opaque, as ``Meeting.public_id``).
    public_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    source_kind = models.CharField(
        max_length=12, choices=ActionSource.choices, default=ActionSource.MEETING
    )
    source_id = models.CharField(max_length=64, blank=True)
    description = models.TextField()
    owner = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    owner_agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    due_date = models.DateField()
    priority = models.CharField(
        max_length=8, choices=ActionPriority.choices, default=ActionPriority.MEDIUM
    )
    status = models.CharField(
        max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    created_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    evidence = models.TextField(blank=True)
    evidence_item_id = models.UUIDField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["owner", "status", "due_date"], name="action_owner_status_due"),
            models.Index(fields=["case", "status", "due_date"], name="action_case_status_due"),
            models.Index(fields=["status", "due_date"], name="action_status_due"),
            models.Index(fields=["owner_agency", "status", "due_date"], name="action_agency_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=ActionStatus.DONE) | Q(completed_at__isnull=False),
                name="action_done_has_completed_at",
            ),
        ]

    def __str__(self) -> str:
        return self.description[:80]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue_on(self, today: dt.date) -> bool:
        return self.is_open and self.due_date < today

    @property
    def is_overdue(self) -> bool:
        return self.is_overdue_on(timezone.localdate())


class ActionEventKind(models.TextChoices):
    CREATED = "CREATED", "Created"
    STATUS = "STATUS", "Status changed"
    REASSIGNED = "REASSIGNED", "Reassigned"
    DUE_CHANGED = "DUE_CHANGED", "Due date changed"
    COMPLETED = "COMPLETED", "Completed"
    ESCALATED = "ESCALATED", "Escalated"
    REMINDED = "REMINDED", "Reminder sent"


class ActionEvent(models.Model):
    """The action's history. Escalation idempotency: one (action, kind, to_value) per notice."""

    action = models.ForeignKey(AgreedAction, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=ActionEventKind.choices)
    from_value = models.CharField(max_length=200, blank=True)
    to_value = models.CharField(max_length=200, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["action", "kind"], name="action_event_kind")]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "kind", "to_value"],
                condition=Q(kind__in=["REMINDED", "ESCALATED"]),
                name="action_notice_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at}"


class MeetingEventKind(models.TextChoices):
    CREATED = "CREATED", "Recorded"
    CHANGED = "CHANGED", "Changed"
    CASE_ADDED = "CASE_ADDED", "Case added"
    CASE_REMOVED = "CASE_REMOVED", "Case removed"
    INVITED = "INVITED", "Invited"
    UNINVITED = "UNINVITED", "Invitation removed"
    ATTENDANCE = "ATTENDANCE", "Attendance recorded"


class MeetingEvent(models.Model):
    """The meeting's history (what changed, when, by whom). An event about one case carries
    the case, so a reader who may not see that case is never shown it."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=14, choices=MeetingEventKind.choices)
    field = models.CharField(max_length=40, blank=True)
    from_value = models.CharField(max_length=200, blank=True)
    to_value = models.CharField(max_length=200, blank=True)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["meeting", "at"], name="meeting_event_at")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at}"
