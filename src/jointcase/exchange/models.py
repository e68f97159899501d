"""The exchange app's records: import batches, partner source records and quarantined rows.

Nothing a partner sends is lost (docs/design.md invariant 4): the extract itself is kept with
its batch, every row is either applied as a ``SourceRecord`` or held as a ``QuarantinedRow``
with the reasons, and the batch's ``position`` says how far a resumed run has already gone.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class ImportFormat(models.TextChoices):
    CSV = "csv", "CSV with a header row"
    JSONL = "jsonl", "JSON lines"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class Resolution(models.TextChoices):
    AWAITING_LINKAGE = "awaiting_linkage", "Awaiting linkage"
    LINKED = "linked", "Linked to a person"
    NEW_PERSON = "new_person", "A new person"
    REVIEW = "review", "Awaiting review"


class QuarantineStatus(models.TextChoices):
    OPEN = "open", "Open"
    REPLAYED = "replayed", "Corrected and replayed"
    DISMISSED = "dismissed", "Dismissed"


class ImportBatch(models.Model):
    """One partner extract being imported, and how far the import has gone.

    ``position`` is the number of data rows already accounted for: every chunk advances it in
    the transaction that writes the chunk, so a run killed at any moment resumes exactly after
    the last committed chunk. ``content`` is the file as received (``defer`` it in lists)."""

    public_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    source = models.CharField(max_length=60, db_index=True)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    format = models.CharField(max_length=10, choices=ImportFormat.choices)
    content = models.BinaryField(editable=False)
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    failure = models.CharField(max_length=500, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    quarantined = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rows_done__lte=models.F("rows_total")),
                name="import_batch_done_within_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.file_name} ({self.get_status_display()})"

    @property
    def position(self) -> int:
        return self.rows_done

    @property
    def percent_done(self) -> int:
        if not self.rows_total:
            return 100 if self.status == ImportStatus.DONE else 0
        return int(100 * self.rows_done / self.rows_total)

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)


class SourceRecord(models.Model):
    """A person record as a partner system holds it, normalised, one per (source, id).

    ``resolution`` and ``person`` are for record linkage to fill: a new or changed record
    waits for linkage."""

    source = models.CharField(max_length=60)
    source_record_id = models.CharField(max_length=100)
    content_hash = models.CharField(max_length=64)
    given_names = models.CharField(max_length=200)
    surname = models.CharField(max_length=200)
    date_of_birth = models.DateField()
    address_line_1 = models.CharField(max_length=200)
    address_line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100)
    postcode = models.CharField(max_length=10)
    pnc_id = models.CharField(max_length=14, blank=True)
    crn = models.CharField(max_length=7, blank=True)
    prison_number = models.CharField(max_length=7, blank=True)
    other_id = models.CharField(max_length=100, blank=True)
    first_batch = models.ForeignKey(
        ImportBatch, on_delete=models.PROTECT, related_name="records_first_seen"
    )
    last_changed_batch = models.ForeignKey(
        ImportBatch, on_delete=models.PROTECT, related_name="records_changed"
    )
    resolution = models.CharField(
        max_length=20, choices=Resolution.choices, default=Resolution.AWAITING_LINKAGE
    )
    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="source_records",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["source", "source_record_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_record_id"], name="source_record_unique_per_source"
            )
        ]
        indexes = [models.Index(fields=["resolution"], name="source_record_resolution")]

    def __str__(self) -> str:
        return f"{self.source} {self.source_record_id}"


class QuarantinedRow(models.Model):
    """A row that could not be applied, exactly as received, with the reason for each field.

    ``raw`` is the row's text (a CSV line re-joined with its header's order, or the JSON line)
    and ``raw_hash`` finds an identical row already held, so re-importing a file quarantines
    nothing twice."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="quarantine")
    source = models.CharField(max_length=60)
    line_number = models.PositiveIntegerField()
    raw = models.TextField()
    raw_hash = models.CharField(max_length=64)
    #: The fields as read from the row (None when the row could not be read as fields).
    received = models.JSONField(null=True, blank=True)
    reasons = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=QuarantineStatus.choices, default=QuarantineStatus.OPEN
    )
    corrected = models.JSONField(null=True, blank=True)
    resolution_note = models.CharField(max_length=500, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    public_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["batch", "line_number", "pk"]
        indexes = [
            models.Index(fields=["source", "raw_hash"], name="quarantine_source_raw"),
            models.Index(fields=["batch", "status"], name="quarantine_batch_status"),
        ]

    def __str__(self) -> str:
        return f"line {self.line_number} of {self.batch}"


class WebhookEvent(models.TextChoices):
    ACTION_ASSIGNED = "action.assigned", "An agreed action was assigned to your agency"
    SHARE_REQUEST_DECIDED = "share_request.decided", "A share request from your agency was decided"
    CASE_PHASE_CHANGED = "case.phase_changed", "A case you may see changed phase"
    CHECK_DUE = "check.due", "A required check on a case you may see is due soon"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    DELIVERED = "delivered", "Delivered"
    RETRYING = "retrying", "Failed; will be tried again"
    GAVE_UP = "gave_up", "Failed every attempt"


class WebhookSubscription(models.Model):
    """A partner system's subscription to events, owned by the account whose access bounds
    what it hears: an event reaches it only if that account may see the case (and, for events
    addressed to an agency, belongs to it). The signing secret is sealed under the keyring's
    OFFICIAL key-encryption key; it is shown once, when the subscription is made."""

    public_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhook_subscriptions"
    )
    url = models.URLField(max_length=500)
    #: Space-separated ``WebhookEvent`` values.
    events = models.CharField(max_length=200)
    secret_nonce = models.BinaryField()
    secret_ciphertext = models.BinaryField()
    secret_key_version = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.url} ({self.events})"

    @property
    def event_list(self) -> tuple[str, ...]:
        return tuple(self.events.split())


class WebhookDelivery(models.Model):
    """One event for one subscription, and every attempt's outcome (the delivery log)."""

    public_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=40, choices=WebhookEvent.choices)
    #: Identifiers only (the event, its case and object's public ids, when).
    payload = models.JSONField()
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due"),
        ]

    def __str__(self) -> str:
        return f"{self.event} -> {self.subscription_id} ({self.status})"


# ---------------------------------------------------------------------------------------------
# Record linkage of imported records, and the reviewers' decisions (docs/exchange.md
# "Linking imported records").


class LinkMethod(models.TextChoices):
    """How a source record came to its register person (or is still waiting)."""

    AUTOMATIC = "automatic", "Linked automatically"
    REVIEWER = "reviewer", "Linked by a reviewer"
    NEW = "new", "New person"
    REVIEWER_NEW = "reviewer_new", "New person, after review"
    AWAITING_REVIEW = "awaiting_review", "Awaiting review"


class RecordLinkage(models.Model):
    """How one source record resolved, with the match probability of that outcome (the best
    candidate's, or of the record it was found with in the same batch). Rewritten when the
    record is linked again (its content changed) or a reviewer decides; the decisions
    themselves are ``ReviewDecision`` rows, never rewritten."""

    public_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    record = models.OneToOneField(SourceRecord, on_delete=models.CASCADE, related_name="linkage")
    batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="linkages"
    )
    method = models.CharField(max_length=20, choices=LinkMethod.choices)
    match_probability = models.FloatField(null=True, blank=True)
    possible_twin = models.BooleanField(default=False)
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["method", "decided_at"], name="record_linkage_method"),
            models.Index(fields=["batch", "method"], name="record_linkage_batch"),
        ]

    def __str__(self) -> str:
        return f"{self.record}: {self.get_method_display()}"


class LinkCandidate(models.Model):
    """A register person a record under review may be: the pair's match probability and
    weight and the level each comparison reached (``{"surname": "exact", ...}``)."""

    linkage = models.ForeignKey(RecordLinkage, on_delete=models.CASCADE, related_name="candidates")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField(default=0)
    match_probability = models.FloatField()
    match_weight = models.FloatField()
    levels = models.JSONField(default=dict)
    possible_twin = models.BooleanField(default=False)

    class Meta:
        ordering = ["linkage", "rank", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["linkage", "person"], name="link_candidate_unique_person"
            )
        ]

    def __str__(self) -> str:
        return f"candidate {self.rank} of {self.linkage_id}"


class ReviewAction(models.TextChoices):
    LINK = "link", "Linked"
    KEEP_APART = "keep_apart", "Kept apart"
    UNLINK = "unlink", "Unlinked"


class ReviewDecision(models.Model):
    """A reviewer's decision on a (source record, register person) pair, with who, when and
    why. Never changed or deleted: the standing decision on a pair is the latest one. A
    linkage run honours them all (a link stands, a pair kept apart or unlinked is never
    linked again automatically)."""

    public_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    record = models.ForeignKey(
        SourceRecord, on_delete=models.CASCADE, related_name="review_decisions"
    )
    person = models.ForeignKey(
        "people.Person", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=12, choices=ReviewAction.choices)
    reason = models.CharField(max_length=500)
    match_probability = models.FloatField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["record", "decided_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.record}"


class BatchLinkage(models.Model):
    """The linkage stage of an import: how many of the batch's new and changed records it
    has resolved so far, and into what."""

    batch = models.OneToOneField(ImportBatch, on_delete=models.CASCADE, related_name="linkage")
    records_total = models.PositiveIntegerField(default=0)
    records_done = models.PositiveIntegerField(default=0)
    linked = models.PositiveIntegerField(default=0)
    review = models.PositiveIntegerField(default=0)
    new = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"linkage of {self.batch_id}: {self.records_done} of {self.records_total}"

    @property
    def percent_done(self) -> int:
        if not self.records_total:
            return 100 if self.finished_at else 0
        return int(100 * self.records_done / self.records_total)
