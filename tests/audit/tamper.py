"""What an attacker with database access does to the log (through the owner's maintenance door)."""

from __future__ import annotations

from typing import Any

from jointcase.audit.chain import entry_hash
from jointcase.audit.models import AuditCheckpoint, AuditEntry, ChainHead
from jointcase.audit.protection import audit_maintenance
from jointcase.audit.services import audit_record


def build_chain(count: int) -> list[AuditEntry]:
    entries = []
    for number in range(count):
        entry = audit_record(
            action="case.viewed",
            actor_username=f"user{number}",
            object_type="case",
            object_id=number,
            reason=f"reason {number}",
            details={"n": number},
        )
        assert entry is not None
        entries.append(entry)
    return entries


def snapshot() -> dict[str, Any]:
    head = ChainHead.objects.get(id=1)
    return {
        "entries": list(AuditEntry.objects.order_by("seq")),
        "checkpoints": list(AuditCheckpoint.objects.order_by("id")),
        "head": (head.seq, head.entry_hash),
    }


def restore(copy: dict[str, Any]) -> None:
    """Put back an older copy of the audit tables, as a restore from backup would."""
    with audit_maintenance():
        AuditEntry.objects.all().delete()
        AuditCheckpoint.objects.all().delete()
        AuditEntry.objects.bulk_create(copy["entries"])
        AuditCheckpoint.objects.bulk_create(copy["checkpoints"])
        ChainHead.objects.filter(id=1).update(seq=copy["head"][0], entry_hash=copy["head"][1])


def update(seq: int, **fields: Any) -> None:
    with audit_maintenance():
        assert AuditEntry.objects.filter(seq=seq).update(**fields) == 1


def delete(*seqs: int) -> None:
    with audit_maintenance():
        AuditEntry.objects.filter(seq__in=seqs).delete()


def set_head(seq: int) -> None:
    last = AuditEntry.objects.get(seq=seq)
    ChainHead.objects.filter(id=1).update(seq=seq, entry_hash=last.entry_hash)


def renumber(seq: int, new_seq: int) -> None:
    with audit_maintenance():
        assert AuditEntry.objects.filter(seq=seq).update(seq=new_seq) == 1


def forge(seq: int, prev_hash: str, **fields: Any) -> AuditEntry:
    """Insert an entry with a correctly computed hash (anyone can compute SHA-256)."""
    template = AuditEntry.objects.order_by("seq").first()
    assert template is not None
    values = {
        name: getattr(template, name)
        for name in (
            "occurred_at",
            "action",
            "outcome",
            "actor_id",
            "actor_username",
            "actor_agency",
            "object_type",
            "object_id",
            "reason",
            "purpose",
            "recipient",
            "source_address",
            "details",
        )
    }
    values.update(fields)
    entry = AuditEntry(seq=seq, prev_hash=prev_hash, **values)
    entry.entry_hash = entry_hash(entry)
    entry.save(force_insert=True)
    return entry
