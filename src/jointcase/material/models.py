"""Encryption at rest: data keys and key-rotation runs (DESIGN.md "Encryption at rest").

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
