"""Data-key lifecycle: rotation of the wrapping keys, and destruction (crypto-shredding).

``jointcase keys rotate`` (the ``keys`` command delegates here) re-wraps every live data key
under the newest key-encryption key of its classification. Only the 60-byte wrapped keys
change; item bodies are never re-encrypted.

Rotation is resumable: a run is recorded as a ``KeyRotation`` with its target versions, keys
are re-wrapped in batches ordered by id, each batch in its own transaction, and keys already
at their target are skipped. If the command is killed, running it again resumes the
unfinished run (without adding yet another key version) and re-wraps only what is left.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from tqdm import tqdm

from jointcase.audit.models import Outcome
from jointcase.audit.services import audit_record
from jointcase.keyring import CLASSIFICATIONS, KeyringCorrupt
from jointcase.material.crypto import SealError, data_key_rewrap, keyring_current
from jointcase.material.models import DataKey, KeyRotation

if TYPE_CHECKING:
    from jointcase.accounts.models import User
    from jointcase.keyring import Keyring

CONSOLE = "console"


@dataclass
class RotationResult:
    rotation_id: int
    #: {classification: the KEK version every live data key now uses}.
    target_versions: dict[str, int]
    #: Keys re-wrapped by this run (a resumed run counts only its own).
    rewrapped: int
    #: Live keys that were already at their target when this run finished.
    already_current: int
    #: True when this run finished a rotation that an earlier, interrupted run started.
    resumed: bool
    batches: int = 0
    #: Ids of keys that did not unwrap (tampered): left as they were, run stays unfinished.
    failed: list[str] = field(default_factory=list)
    added_versions: dict[str, int] = field(default_factory=dict)


def _classifications(keyring: Keyring) -> list[str]:
    """Every classification the keyring holds a KEK for (all four after ``keys init``)."""
    held = []
    for classification in CLASSIFICATIONS:
        try:
            keyring.kek_versions(classification)
        except (KeyError, KeyringCorrupt):
            continue
        held.append(classification)
    return held


def _stale(target_versions: dict[str, int]) -> Q:
    """Live data keys below their classification's target version."""
    if not target_versions:
        return Q(pk__in=[])
    return reduce(
        or_,
        (
            Q(kek_classification=classification, kek_version__lt=version)
            for classification, version in target_versions.items()
        ),
    ) & Q(destroyed_at__isnull=True)


@transaction.atomic
def _rotation_start(*, keyring: Keyring, new_version: bool) -> tuple[KeyRotation, dict[str, int]]:
    added: dict[str, int] = {}
    classifications = _classifications(keyring)
    if new_version:
        for classification in classifications:
            added[classification] = keyring.kek_add_version(classification)
    targets = {c: keyring.kek(c)[0] for c in classifications}
    rotation = KeyRotation.objects.create(started_at=timezone.now(), target_versions=targets)
    audit_record(
        action="keys.rotation_started",
        actor_username=CONSOLE,
        object_type="key_rotation",
        object_id=rotation.pk,
        details={"target_versions": targets, "added_versions": added},
    )
    return rotation, added


def keys_rotate(
    *, new_version: bool = True, batch_size: int = 500, progress: bool = True
) -> RotationResult:
    """Re-wrap every live data key under the newest KEK version of its classification.

    With ``new_version`` (the default) a new KEK version is first added for every
    classification, unless an unfinished rotation exists: that one is resumed instead.
    Safe to kill at any point and run again.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    keyring = keyring_current()
    unfinished = KeyRotation.objects.filter(finished_at__isnull=True)
    rotation = unfinished.order_by("started_at", "id").first()
    resumed = rotation is not None
    added: dict[str, int] = {}
    if rotation is None:
        rotation, added = _rotation_start(keyring=keyring, new_version=new_version)
    targets = {str(c): int(v) for c, v in rotation.target_versions.items()}
    stale = _stale(targets)

    rewrapped = 0
    batches = 0
    failed: list[str] = []
    last_id = None
    with tqdm(
        total=DataKey.objects.filter(stale).count(),
        disable=not progress,
        unit="key",
        desc="Re-wrapping data keys",
    ) as bar:
        while True:
            batch, done = _rewrap_batch(
                rotation, targets, stale, last_id, batch_size, keyring, failed
            )
            if not batch:
                break
            last_id = batch[-1].id
            rewrapped += done
            batches += 1
            bar.update(len(batch))
    already_current = _rotation_finish(rotation, targets, rewrapped, resumed, batches, failed)
    return RotationResult(
        rotation_id=rotation.pk,
        target_versions=targets,
        rewrapped=rewrapped,
        already_current=already_current,
        resumed=resumed,
        batches=batches,
        failed=failed,
        added_versions=added,
    )


@transaction.atomic
def _rewrap_batch(
    rotation: KeyRotation,
    targets: dict[str, int],
    stale: Q,
    last_id: uuid.UUID | None,
    batch_size: int,
    keyring: Keyring,
    failed: list[str],
) -> tuple[list[DataKey], int]:
    """Re-wrap the next ``batch_size`` stale keys after ``last_id``, locked, in one
    transaction (a killed run loses at most this batch); keys that do not unwrap are added to
    ``failed`` and left as they were. Returns the batch (empty when none is left) and how many
    of it were re-wrapped."""
    pending = DataKey.objects.filter(stale)
    if last_id is not None:
        pending = pending.filter(id__gt=last_id)
    batch = list(pending.select_for_update().order_by("id")[:batch_size])
    if not batch:
        return batch, 0
    done = []
    for data_key in batch:
        try:
            data_key_rewrap(data_key, version=targets[data_key.kek_classification], keyring=keyring)
        except SealError:
            failed.append(str(data_key.id))
        else:
            done.append(data_key)
    DataKey.objects.bulk_update(done, ["wrapped_key", "kek_version", "rewrapped_at"])
    KeyRotation.objects.filter(pk=rotation.pk).update(rewrapped=F("rewrapped") + len(done))
    return batch, len(done)


@transaction.atomic
def _rotation_finish(
    rotation: KeyRotation,
    targets: dict[str, int],
    rewrapped: int,
    resumed: bool,
    batches: int,
    failed: list[str],
) -> int:
    """Close the rotation unless a key failed, and audit the run; returns how many live keys
    were already at their target."""
    live = DataKey.objects.filter(destroyed_at__isnull=True).count()
    already_current = live - rewrapped - len(failed)
    if not failed:
        KeyRotation.objects.filter(pk=rotation.pk).update(finished_at=timezone.now())
    rotation.refresh_from_db()
    audit_record(
        action="keys.rotated",
        actor_username=CONSOLE,
        outcome=Outcome.FAILURE if failed else Outcome.SUCCESS,
        reason=(
            f"{len(failed)} data keys did not unwrap (altered outside JointCase); "
            "the rotation stays unfinished"
            if failed
            else ""
        ),
        object_type="key_rotation",
        object_id=rotation.pk,
        details={
            "target_versions": targets,
            "rewrapped": rewrapped,
            "rewrapped_in_rotation": rotation.rewrapped,
            "already_current": already_current,
            "resumed": resumed,
            "batches": batches,
            "failed": len(failed),
            "failed_ids": failed[:100],
        },
    )
    return already_current


@transaction.atomic
def data_key_destroy(*, actor: User | None, data_key: DataKey, reason: str) -> bool:
    """Destroy a data key for good (item deleted, or its retention ended): crypto-shredding.

    The wrapped key is overwritten with nothing, so no keyring, old or new, can decrypt the
    item again. Returns False (and records nothing) when the key was already destroyed.
    ``actor`` is None for the retention job. Copies of the row in database backups still hold
    the wrapped key, protected by its KEK version; retiring old KEK versions after a rotation
    makes those copies useless too.
    """
    if not reason.strip():
        raise ValueError("destroying a data key needs a reason")
    locked = DataKey.objects.select_for_update().get(pk=data_key.pk)
    if locked.destroyed_at is not None:
        data_key.wrapped_key, data_key.destroyed_at = b"", locked.destroyed_at
        return False
    locked.wrapped_key = b""
    locked.destroyed_at = timezone.now()
    locked.save(update_fields=["wrapped_key", "destroyed_at"])
    data_key.wrapped_key, data_key.destroyed_at = b"", locked.destroyed_at
    audit_record(
        action="keys.data_key_destroyed",
        actor=actor,
        actor_username="" if actor is not None else "retention",
        outcome=Outcome.SUCCESS,
        object_type="data_key",
        object_id=str(locked.pk),
        reason=reason,
        details={"classification": locked.kek_classification},
    )
    return True
