"""Signed checkpoints of the chain head: evidence held outside JointCase's database.

A checkpoint says "at this time the chain had ``seq`` entries and the last one hashed to
``entry_hash``", signed with the keyring's current Ed25519 key. Witnesses (a partner agency's
endpoint, a file on write-once storage) keep copies; ``jointcase audit verify --checkpoint``
then catches a truncated tail or a restored older copy of the database, which the chain
alone cannot. The document format is specified in docs/audit.md.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from jointcase.audit.chain import format_timestamp
from jointcase.audit.models import AuditCheckpoint, ChainHead, Outcome
from jointcase.audit.services import audit_record
from jointcase.keyring import Keyring, keyring_load, public_key_b64
from jointcase.lib.canonical_json import canonical_json

FORMAT = "jointcase-audit-checkpoint/1"
SIGNED_FIELDS = ("format", "service", "seq", "entry_hash", "checkpoint_time", "key_version")


class CheckpointInvalid(Exception):
    """The document is malformed or its signature does not verify."""


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    entry_hash: str
    checkpoint_time: str
    key_version: int
    document: dict[str, Any]
    source: str = "database"

    @property
    def json(self) -> str:
        return json.dumps(self.document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def signed_bytes(document: dict[str, Any]) -> bytes:
    """The bytes the signature covers: the canonical JSON of the signed fields only."""
    return canonical_json({name: document[name] for name in SIGNED_FIELDS})


def checkpoint_sign(
    *, seq: int, entry_hash: str, at: dt.datetime, keyring: Keyring
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "format": FORMAT,
        "service": settings.AUDIT_SERVICE_ID,
        "seq": seq,
        "entry_hash": entry_hash,
        "checkpoint_time": format_timestamp(at),
        "key_version": keyring.audit_signing_version(),
    }
    signature = keyring.audit_signing_key().sign(signed_bytes(document))
    document["public_key"] = public_key_b64(keyring.audit_signing_key().public_key())
    document["signature"] = base64.b64encode(signature).decode("ascii")
    return document


def checkpoint_parse(
    document: Any, public_keys: dict[int, Ed25519PublicKey], *, source: str = "file"
) -> Checkpoint:
    """Check shape and signature against the keyring's public keys (never the embedded one)."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise CheckpointInvalid(f"not a {FORMAT} document")
    try:
        seq = document["seq"]
        entry_hash = document["entry_hash"]
        key_version = document["key_version"]
        signature = base64.b64decode(str(document["signature"]), validate=True)
        message = signed_bytes(document)
    except (KeyError, TypeError, ValueError, binascii.Error) as error:
        raise CheckpointInvalid(f"malformed checkpoint: {error}") from error
    if not (isinstance(seq, int) and seq >= 0 and isinstance(key_version, int)):
        raise CheckpointInvalid("malformed checkpoint: seq and key_version must be integers")
    if not (isinstance(entry_hash, str) and len(entry_hash) == 64):
        raise CheckpointInvalid("malformed checkpoint: entry_hash must be 64 hex digits")
    key = public_keys.get(key_version)
    if key is None:
        raise CheckpointInvalid(f"signed with unknown key version {key_version}")
    try:
        key.verify(signature, message)
    except InvalidSignature as error:
        raise CheckpointInvalid(f"the signature of checkpoint at seq {seq} is not valid") from error
    return Checkpoint(
        seq=seq,
        entry_hash=entry_hash,
        checkpoint_time=str(document["checkpoint_time"]),
        key_version=key_version,
        document=document,
        source=source,
    )


def checkpoint_create(*, keyring: Keyring | None = None, actor: Any = None) -> Checkpoint:
    """Sign the current chain head, store the checkpoint and record that in the chain."""
    keyring = keyring or keyring_load()
    with transaction.atomic():
        # Lock the head so the signed (seq, hash) is exactly the committed head.
        head, _ = ChainHead.objects.select_for_update().get_or_create(id=1)
        now = timezone.now()
        document = checkpoint_sign(
            seq=head.seq, entry_hash=head.entry_hash, at=now, keyring=keyring
        )
        AuditCheckpoint.objects.create(
            seq=head.seq,
            entry_hash=head.entry_hash,
            checkpoint_time=now,
            key_version=document["key_version"],
            signature=document["signature"],
            document=json.dumps(document, sort_keys=True, ensure_ascii=False),
        )
        audit_record(
            action="audit.checkpoint_created",
            actor=actor,
            actor_username="" if actor else "system",
            object_type="audit.checkpoint",
            object_id=head.seq,
            details={"seq": head.seq, "entry_hash": head.entry_hash},
        )
    return Checkpoint(
        seq=head.seq,
        entry_hash=head.entry_hash,
        checkpoint_time=document["checkpoint_time"],
        key_version=document["key_version"],
        document=document,
    )


def checkpoint_post(
    checkpoint: Checkpoint, url: str, *, timeout: float | None = None
) -> str | None:
    """POST the document to a witness. Returns None on success, else the problem (never raises).

    The outcome is recorded in the chain either way; a failed post is reported, not fatal.
    """
    problem: str | None
    if not url.startswith(("https://", "http://")):
        problem = "the witness address must start with https:// or http://"
    else:
        request = urllib.request.Request(  # noqa: S310 - scheme checked above
            url,
            data=checkpoint.json.encode("utf-8"),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(  # noqa: S310 - scheme checked above
                request, timeout=timeout or settings.JOINTCASE_AUDIT_WITNESS_TIMEOUT
            ) as response:
                status = response.status
            problem = None if 200 <= status < 300 else f"the witness answered HTTP {status}"
        except urllib.error.HTTPError as error:
            problem = f"the witness answered HTTP {error.code}"
        except (urllib.error.URLError, OSError, ValueError) as error:
            problem = f"the witness could not be reached: {getattr(error, 'reason', error)}"
    audit_record(
        action="audit.checkpoint_posted",
        actor_username="system",
        outcome=Outcome.FAILURE if problem else Outcome.SUCCESS,
        object_type="audit.checkpoint",
        object_id=checkpoint.seq,
        recipient=url[:200],
        reason=problem or "",
    )
    return problem


def checkpoints_stored(
    public_keys: dict[int, Ed25519PublicKey],
) -> list[Checkpoint | CheckpointInvalid]:
    """Every checkpoint kept in the database, parsed and checked (invalid ones returned as errors)."""
    results: list[Checkpoint | CheckpointInvalid] = []
    for row_id, text in AuditCheckpoint.objects.order_by("seq", "id").values_list("id", "document"):
        try:
            results.append(
                checkpoint_parse(json.loads(text), public_keys, source=f"database #{row_id}")
            )
        except (ValueError, CheckpointInvalid) as error:
            results.append(CheckpointInvalid(f"database checkpoint #{row_id}: {error}"))
    return results
