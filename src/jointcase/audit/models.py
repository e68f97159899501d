"""The hash-chained audit log.

Each entry carries the SHA-256 of the previous entry's canonical encoding (see
``audit/chain.py`` and docs/audit.md), so any edit, deletion, insertion or reordering breaks
the chain at the first affected entry. Entries are only ever appended through
``jointcase.audit.services.audit_record``; the application never updates or deletes them.
"""

from __future__ import annotations

from django.db import models


class Outcome(models.TextChoices):
    SUCCESS = "SUCCESS", "Success"
    FAILURE = "FAILURE", "Failure"
    ALLOW = "ALLOW", "Allowed"
    DENY = "DENY", "Denied"


class AuditEntry(models.Model):
    seq = models.BigIntegerField(primary_key=True)
    occurred_at = models.DateTimeField()
    action = models.CharField(max_length=80)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_username = models.CharField(max_length=150, blank=True)
    actor_agency = models.CharField(max_length=40, blank=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    reason = models.TextField(blank=True)
    purpose = models.CharField(max_length=200, blank=True)
    recipient = models.CharField(max_length=200, blank=True)
    source_address = models.CharField(max_length=45, blank=True)
    details = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["object_type", "object_id", "seq"], name="audit_object"),
            models.Index(fields=["actor_id", "seq"], name="audit_actor"),
            models.Index(fields=["action", "seq"], name="audit_action"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.outcome}"


class ChainHead(models.Model):
    """The single row holding the chain's last position; locked by every append.

    Locking this row (SELECT ... FOR UPDATE on PostgreSQL; the IMMEDIATE write lock on SQLite)
    serialises appenders, so many writers still produce one linear chain with no gaps or forks.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    entry_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="chain_head_singleton")
        ]

    def __str__(self) -> str:
        return f"chain head at #{self.seq}"


class AuditCheckpoint(models.Model):
    """A signed statement of the chain head (seq, hash, time): see docs/audit.md.

    ``document`` is the exact JSON handed to witnesses; the verifier re-checks its signature
    and that the chain still has ``entry_hash`` at ``seq``. Append-only like the entries.
    """

    seq = models.BigIntegerField()
    entry_hash = models.CharField(max_length=64)
    checkpoint_time = models.DateTimeField()
    key_version = models.PositiveIntegerField()
    signature = models.CharField(max_length=100)
    document = models.TextField()

    class Meta:
        ordering = ["seq", "id"]
        indexes = [models.Index(fields=["seq"], name="audit_checkpoint_seq")]

    def __str__(self) -> str:
        return f"checkpoint at #{self.seq}"
