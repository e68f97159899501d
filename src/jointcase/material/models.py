"""Encryption at rest: data keys and key-rotation runs (docs/design.md "Encryption at rest").

Material items (built on cases) will carry their own label fields and a foreign key to the
``DataKey`` that sealed their body; see ``jointcase.material.crypto`` for the envelope format.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q

from jointcase.access.labels import Classification


class DataKey(models.Model):
    """One item's data-encryption key, stored only wrapped under a key-encryption key.

    The 32-byte key itself never touches the database: ``wrapped_key`` is
    ``nonce (12) || AES-GCM(KEK, key) || tag (16)`` with this row's id and the KEK's
    classification and version as associated data, so a wrapped key copied onto another row,
    or relabelled to another classification, no longer unwraps.

    The id is a random UUID chosen before wrapping (it is part of the associated data), so a
    key is written in one insert. Destroying a key (crypto-shredding) empties ``wrapped_key``
    and sets ``destroyed_at``; nothing can decrypt its item afterwards.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    wrapped_key = models.BinaryField()
    kek_classification = models.CharField(max_length=20, choices=Classification.choices)
    kek_version = models.PositiveIntegerField()
    created_at = models.DateTimeField()
    rewrapped_at = models.DateTimeField(null=True, blank=True)
    destroyed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["kek_classification", "kek_version", "id"],
                name="datakey_kek_version",
                condition=Q(destroyed_at__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(destroyed_at__isnull=True) | Q(wrapped_key=b""),
                name="datakey_destroyed_is_empty",
            ),
        ]

    def __str__(self) -> str:
        state = "destroyed" if self.destroyed_at else f"v{self.kek_version}"
        return f"data key {self.id} ({self.kek_classification}, {state})"

    @property
    def is_destroyed(self) -> bool:
        return self.destroyed_at is not None


class KeyRotation(models.Model):
    """One run of ``jointcase keys rotate``: the target KEK versions it re-wraps to.

    An unfinished run is resumed by the next ``keys rotate`` instead of starting another, so
    killing the command and running it again re-wraps each key once, to the same version.
    """

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    #: {classification: KEK version every live data key of that classification is moved to}.
    target_versions = models.JSONField(default=dict)
    rewrapped = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        state = "finished" if self.finished_at else "unfinished"
        return f"key rotation {self.pk} ({state})"


# --- Material items (labels, tearlines, share requests, break-glass) ------------------------


class ItemKind(models.TextChoices):
    INTELLIGENCE_REPORT = "INTELLIGENCE_REPORT", "Intelligence report"
    NOTE = "NOTE", "Note"
    DOCUMENT = "DOCUMENT", "Document"
    REFERENCE = "REFERENCE", "Reference to material held elsewhere"


class TearlineStatus(models.TextChoices):
    DRAFT = "DRAFT", "Awaiting approval"
    APPROVED = "APPROVED", "Approved"
    REFUSED = "REFUSED", "Refused"


class MaterialItem(models.Model):
    """A labelled piece of material on a case. The body is sealed (``body_ciphertext`` under
    ``data_key``); the label columns are what ``jointcase.access.material`` decides on.

    A tearline is an item whose ``parent`` is the fuller version; it carries its own (lower)
    label and is seen by anyone outside the originator agency only once ``APPROVED``.
    A ``REFERENCE`` records material held elsewhere (the only way to record anything above
    the system high): it has no body; ``referenced_classification`` is the marking of the
    material it points to, ``classification`` the marking of the reference itself.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="material")
    kind = models.CharField(max_length=24, choices=ItemKind.choices)
    title = models.CharField(max_length=200)
    classification = models.CharField(max_length=20, choices=Classification.choices)
    caveats = models.ManyToManyField("agencies.Caveat", blank=True, related_name="+")
    releasable_to = models.ManyToManyField("agencies.Agency", blank=True, related_name="+")
    originator = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    orcon = models.BooleanField(default=False)
    handling_instructions = models.TextField(blank=True)
    review_date = models.DateField(null=True, blank=True)
    referenced_classification = models.CharField(
        max_length=20, choices=Classification.choices, blank=True
    )
    held_by = models.CharField(max_length=200, blank=True)
    author = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    body_ciphertext = models.BinaryField(null=True, blank=True)
    data_key = models.OneToOneField(
        DataKey, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="tearlines"
    )
    tearline_status = models.CharField(max_length=10, choices=TearlineStatus.choices, blank=True)
    approved_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    #: The originator's choice: readers of a tearline are not told a fuller version exists.
    hide_fuller_version = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)
    #: The end of the item's retention: the retention job destroys its data keys after it.
    retain_until = models.DateField(null=True, blank=True)
    destroyed_at = models.DateTimeField(null=True, blank=True)
    #: Label summary columns kept equal to the label's sets (services and an ``m2m_changed``
    #: signal keep them; a check in ``jointcase.material.integrity`` re-derives them) so the
    #: access filter tests a column instead of probing the join tables for every row.
    has_caveats = models.BooleanField(default=False)
    releasability_restricted = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "id"]
        indexes = [
            models.Index(fields=["case", "-created_at"], name="material_case_created"),
            # Newest first across cases: the case beside the date lets a page of the newest
            # items on a user's cases test each entry's case in the index, reading only the
            # rows that are on them (``jointcase.access.material.IdIn``).
            models.Index(fields=["-created_at", "case"], name="material_created_case"),
            models.Index(
                fields=["retain_until"],
                name="material_retention_due",
                condition=Q(destroyed_at__isnull=True, retain_until__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_tearline(self) -> bool:
        return self.parent_id is not None

    @property
    def is_reference(self) -> bool:
        return self.kind == ItemKind.REFERENCE

    def caveat_codes(self) -> list[str]:
        return sorted(c.code for c in self.caveats.all())


class MaterialFile(models.Model):
    """An uploaded file of an item, sealed under its own data key (object id = its UUID)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    item = models.ForeignKey(MaterialItem, on_delete=models.PROTECT, related_name="files")
    safe_name = models.CharField(max_length=200)
    mime = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    ciphertext = models.BinaryField()
    data_key = models.OneToOneField(DataKey, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.safe_name


class LabelChange(models.Model):
    """Every change of an item's label: who, why, when, old -> new."""

    item = models.ForeignKey(MaterialItem, on_delete=models.CASCADE, related_name="label_changes")
    changed_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField()
    changed_at = models.DateTimeField()
    old_label = models.JSONField()
    new_label = models.JSONField()

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"label change of {self.item_id} at {self.changed_at}"


class ShareKind(models.TextChoices):
    ACCESS = "ACCESS", "Access to the item"
    ONWARD_SHARE = "ONWARD_SHARE", "Onward sharing to another agency"
    #: For someone whose vetting does not reach the item: a new tearline they can read.
    TEARLINE = "TEARLINE", "A tearline at their level"


class ShareStatus(models.TextChoices):
    PENDING = "PENDING", "Awaiting decision"
    APPROVED = "APPROVED", "Approved"
    REFUSED = "REFUSED", "Refused"
    #: A request for a tearline, answered by a tearline now approved.
    FULFILLED = "FULFILLED", "Tearline written"


class ShareRequest(models.Model):
    item = models.ForeignKey(MaterialItem, on_delete=models.CASCADE, related_name="share_requests")
    requester = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=14, choices=ShareKind.choices)
    to_agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField()
    status = models.CharField(
        max_length=10, choices=ShareStatus.choices, default=ShareStatus.PENDING
    )
    created_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    #: The tearline written to answer a TEARLINE request (fulfilled when it is approved).
    tearline = models.ForeignKey(
        MaterialItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} request {self.pk} ({self.status})"


class MaterialGrant(models.Model):
    """Time-limited need-to-know for one item, from an approved share request."""

    item = models.ForeignKey(MaterialItem, on_delete=models.CASCADE, related_name="grants")
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    share_request = models.ForeignKey(
        ShareRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    starts_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    granted_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["user", "expires_at", "item"], name="material_grant_user")]

    def __str__(self) -> str:
        return f"grant on {self.item_id} to {self.user_id} until {self.expires_at}"


class BreakGlassOutcome(models.TextChoices):
    JUSTIFIED = "JUSTIFIED", "Justified"
    NOT_JUSTIFIED = "NOT_JUSTIFIED", "Not justified"


class BreakGlass(models.Model):
    """Emergency access to a case's material outside need-to-know (never beyond clearance,
    caveats or an exclusion), with a written reason, for a short time, reviewed afterwards."""

    user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    starts_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    outcome = models.CharField(max_length=14, choices=BreakGlassOutcome.choices, blank=True)
    review_notes = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["user", "expires_at", "case"], name="breakglass_user")]

    def __str__(self) -> str:
        return f"break-glass {self.pk} by {self.user_id} on case {self.case_id}"
