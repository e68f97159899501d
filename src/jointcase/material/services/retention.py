"""How long material is kept: the retention date, changing it, destroying an item, and the
retention run that destroys what is due.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from tqdm import tqdm

from jointcase.access.material_acts import (
    destroy_refusal,
    retention_refusal,
)
from jointcase.audit.models import Outcome
from jointcase.audit.services import audit_record
from jointcase.material.keys import data_key_destroy
from jointcase.material.models import (
    MaterialItem,
)
from jointcase.material.services.common import (
    item_act_require,
    refuse,
)

if TYPE_CHECKING:
    from jointcase.accounts.models import User


def retention_years() -> int:
    return int(getattr(settings, "JOINTCASE_MATERIAL_RETENTION_YEARS", 7))


#: The latest retention date accepted (a typing slip of a century is refused, not stored).
RETENTION_MAX_YEARS = 100


def retention_default(today: dt.date | None = None) -> dt.date:
    """``today`` plus ``JOINTCASE_MATERIAL_RETENTION_YEARS`` (29 February becomes the 28th)."""
    day = today or timezone.localdate()
    years = retention_years()
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def retention_clean(
    retain_until: dt.date | None, errors: dict[str, list[str]], *, required: bool = False
) -> dt.date:
    """A retention date from input: after today and within ``RETENTION_MAX_YEARS``."""
    today = timezone.localdate()
    if retain_until is None:
        if required:
            errors.setdefault("retain_until", []).append("Enter the date to keep the item until")
        return retention_default(today)
    if not isinstance(retain_until, dt.date) or isinstance(retain_until, dt.datetime):
        errors.setdefault("retain_until", []).append("Enter the date as YYYY-MM-DD")
        return retention_default(today)
    if retain_until <= today:
        errors.setdefault("retain_until", []).append("The retention date must be in the future")
    elif retain_until.year > today.year + RETENTION_MAX_YEARS:
        errors.setdefault("retain_until", []).append(
            f"The retention date must be within {RETENTION_MAX_YEARS} years"
        )
    return retain_until


# --- Retention -----------------------------------------------------------------------------


def material_retention_change(
    *,
    actor: User,
    item: MaterialItem,
    retain_until: dt.date | None,
    reason: str,
    request: HttpRequest | None = None,
) -> MaterialItem:
    """The originator agency changes how long an item is kept, with a reason (audited with the
    old and new dates)."""
    item_act_require(
        actor=actor,
        item=item,
        action="material.retention_change",
        refusal=retention_refusal,
        request=request,
    )
    errors: dict[str, list[str]] = {}
    new_date = retention_clean(retain_until, errors, required=True)
    if not (reason or "").strip():
        errors.setdefault("reason", []).append("Enter why the retention date is changing")
    if not errors and new_date == item.retain_until:
        errors.setdefault("retain_until", []).append("The retention date is unchanged")
    if errors:
        raise refuse(
            action="material.retention_change",
            actor=actor,
            errors=errors,
            object_id=str(item.pk),
            request=request,
        )
    with transaction.atomic():
        old = item.retain_until
        changed = MaterialItem.objects.filter(pk=item.pk, destroyed_at__isnull=True).update(
            retain_until=new_date
        )
        if not changed:
            raise ValidationError({"retain_until": "This item's content has been destroyed"})
        item.retain_until = new_date
        audit_record(
            action="material.retention_changed",
            actor=actor,
            outcome=Outcome.SUCCESS,
            object_type="material",
            object_id=str(item.pk),
            reason=reason.strip(),
            details={"old": old.isoformat() if old else None, "new": new_date.isoformat()},
            request=request,
        )
    return item


# --- Destroying ----------------------------------------------------------------------------


def material_destroy(
    *, actor: User | None, item: MaterialItem, reason: str, request: HttpRequest | None = None
) -> MaterialItem:
    """Destroy the item's content (its body's and files' data keys): crypto-shredding.
    By a user of the originator agency, or the retention job (``actor=None``)."""
    if actor is not None:
        item_act_require(
            actor=actor,
            item=item,
            action="material.destroy",
            refusal=destroy_refusal,
            request=request,
        )
    if not (reason or "").strip():
        raise ValidationError({"reason": "Enter why the item is destroyed"})
    with transaction.atomic():
        keys = [f.data_key for f in item.files.select_related("data_key")]
        if item.data_key is not None:
            keys.append(item.data_key)
        for key in keys:
            data_key_destroy(actor=actor, data_key=key, reason=reason.strip())
        item.destroyed_at = timezone.now()
        item.save(update_fields=["destroyed_at"])
        audit_record(
            action="material.destroyed",
            actor=actor,
            actor_username="" if actor is not None else "retention",
            outcome=Outcome.SUCCESS,
            object_type="material",
            object_id=str(item.pk),
            reason=reason.strip(),
            details={"keys": len(keys)},
            request=request,
        )
    return item


@dataclass(frozen=True)
class RetentionResult:
    """What a retention run found past its date and what it destroyed (``dry_run``: none)."""

    due: int
    destroyed: int
    item_ids: tuple[str, ...]


def retention_due(today: dt.date | None = None) -> QuerySet[MaterialItem]:
    """Items whose retention date has passed (kept through the day itself), not destroyed."""
    day = today or timezone.localdate()
    return MaterialItem.objects.filter(destroyed_at__isnull=True, retain_until__lt=day)


def material_retention_run(
    *,
    today: dt.date | None = None,
    dry_run: bool = False,
    progress: bool = False,
    batch_size: int = 200,
) -> RetentionResult:
    """Destroy the data keys of every item past its retention date (``material_destroy`` with
    no actor: the audit entry names the retention job). Each item is locked and re-checked in
    its own transaction, so a date extended meanwhile is honoured and a killed run resumes
    where it stopped. ``dry_run`` only counts and lists."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    day = today or timezone.localdate()
    due = retention_due(day)
    total = due.count()
    if dry_run:
        listed = tuple(str(pk) for pk in due.order_by("id").values_list("pk", flat=True)[:10_000])
        return RetentionResult(due=total, destroyed=0, item_ids=listed)
    destroyed: list[str] = []
    last_id = None
    with tqdm(total=total, disable=not progress, unit="item", desc="Retention") as bar:
        while True:
            batch = retention_due(day).order_by("id")
            if last_id is not None:
                batch = batch.filter(id__gt=last_id)
            ids = list(batch.values_list("pk", flat=True)[:batch_size])
            if not ids:
                break
            for pk in ids:
                with transaction.atomic():
                    item = (
                        retention_due(day)
                        .select_for_update(of=("self",))
                        .select_related("data_key", "originator")
                        .filter(pk=pk)
                        .first()
                    )
                    if item is not None:
                        material_destroy(
                            actor=None,
                            item=item,
                            reason=f"Retention ended ({item.retain_until:%Y-%m-%d})",
                        )
                        destroyed.append(str(pk))
                bar.update(1)
            last_id = ids[-1]
    return RetentionResult(due=total, destroyed=len(destroyed), item_ids=tuple(destroyed))
