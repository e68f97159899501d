"""An item's label: checking a label from input and changing an item's label (resealing its
body and files under the new one).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from jointcase.access.acting import permission_require
from jointcase.access.labels import (
    CLASSIFICATION_RANK,
    Classification,
    releasable_with_originator,
)
from jointcase.access.material import (
    LabelFields,
    above_system_high,
    label_fields_of,
    label_widening,
    system_high,
)
from jointcase.access.material_acts import (
    in_originating_agency,
    lowering_refusal,
    relabel_refusal,
    writer_label_errors,
)
from jointcase.agencies.models import Agency, Caveat
from jointcase.audit.models import Outcome
from jointcase.audit.services import audit_record
from jointcase.material.crypto import Label, Sealed, item_label, label_from, reseal
from jointcase.material.keys import data_key_destroy
from jointcase.material.models import (
    LabelChange,
    MaterialItem,
)
from jointcase.material.services.common import (
    ABOVE_SYSTEM_HIGH,
    item_act_require,
    refuse,
)

if TYPE_CHECKING:
    from jointcase.accounts.models import User


@dataclass(frozen=True)
class LabelInput:
    classification: str
    caveats: list[Caveat]
    releasable_to: list[Agency]


def label_clean(
    *,
    actor: User,
    classification: str,
    caveats: Iterable[str],
    releasable_to: Iterable[str],
    originator: Agency,
    errors: dict[str, list[str]],
    allow_above_system_high: bool = False,
) -> LabelInput:
    """Check a label from input (codes); problems go into ``errors`` by field."""
    if classification not in CLASSIFICATION_RANK:
        errors.setdefault("classification", []).append("Select a classification")
    elif not allow_above_system_high and above_system_high(classification):
        errors.setdefault("classification", []).append(
            ABOVE_SYSTEM_HIGH.format(level=system_high())
        )
    codes = sorted({str(code).strip() for code in caveats if str(code).strip()})
    found = {c.code: c for c in Caveat.objects.filter(code__in=codes, is_active=True)}
    unknown = [code for code in codes if code not in found]
    if unknown:
        errors.setdefault("caveats", []).append(f"Unknown caveat: {', '.join(unknown)}")
    # The writer's own reach (``access``): only for a classification not already refused.
    reach = writer_label_errors(
        actor,
        classification=None if "classification" in errors else classification,
        caveats=found.values(),
    )
    for field, messages in reach.items():
        errors.setdefault(field, []).extend(messages)
    agency_codes = sorted({str(code).strip() for code in releasable_to if str(code).strip()})
    agencies = {a.code: a for a in Agency.objects.filter(code__in=agency_codes, is_active=True)}
    unknown_agencies = [code for code in agency_codes if code not in agencies]
    if unknown_agencies:
        errors.setdefault("releasable_to", []).append(
            f"Unknown agency: {', '.join(unknown_agencies)}"
        )
    releasable = releasable_with_originator(list(agencies.values()), originator)
    return LabelInput(classification, list(found.values()), releasable)


def label_snapshot(item: MaterialItem) -> dict[str, Any]:
    return {
        "classification": item.classification,
        "caveats": sorted(c.code for c in item.caveats.all()),
        "releasable_to": sorted(a.code for a in item.releasable_to.all()),
        "originator": item.originator.code,
        "orcon": item.orcon,
    }


# --- Labels --------------------------------------------------------------------------------


def _resealed(sealed: Sealed, object_id: object, old_label: Label, new_label: Label) -> Sealed:
    """``sealed`` re-encrypted under ``new_label``, its new data key stored (the caller
    destroys the old one once the body and every file are resealed)."""
    new_sealed = reseal(
        sealed=sealed, object_id=str(object_id), old_label=old_label, new_label=new_label
    )
    new_sealed.data_key.save(force_insert=True)
    return new_sealed


def label_store(
    *, actor: User, item: MaterialItem, new: LabelInput, orcon: bool, reason: str
) -> dict[str, Any]:
    """Store a new label: reseal body and files under it, destroy the old keys, record it."""
    old_snapshot = label_snapshot(item)
    old_label = item_label(item)
    new_label = label_from(
        classification=new.classification,
        originator=item.originator.code,
        caveats=[c.code for c in new.caveats],
        releasable_to=[a.code for a in new.releasable_to],
        orcon=orcon,
    )
    old_keys = []
    if item.data_key_id is not None and item.body_ciphertext is not None:
        assert item.data_key is not None
        old_keys.append(item.data_key)
        body = _resealed(Sealed(item.data_key, item.body_ciphertext), item.pk, old_label, new_label)
        item.data_key = body.data_key
        item.body_ciphertext = body.ciphertext
    for material_file in item.files.select_related("data_key"):
        old_keys.append(material_file.data_key)
        stored = _resealed(
            Sealed(material_file.data_key, material_file.ciphertext),
            material_file.pk,
            old_label,
            new_label,
        )
        material_file.data_key = stored.data_key
        material_file.ciphertext = stored.ciphertext
        material_file.save(update_fields=["data_key", "ciphertext"])
    item.classification = new.classification
    item.orcon = orcon
    item.version += 1
    item.save(update_fields=["classification", "orcon", "version", "data_key", "body_ciphertext"])
    item.caveats.set(new.caveats)
    item.releasable_to.set(new.releasable_to)
    for key in old_keys:
        data_key_destroy(actor=actor, data_key=key, reason="label changed")
    new_snapshot = label_snapshot(item)
    LabelChange.objects.create(
        item=item,
        changed_by=actor,
        reason=reason,
        changed_at=timezone.now(),
        old_label=old_snapshot,
        new_label=new_snapshot,
    )
    return {"old": old_snapshot, "new": new_snapshot}


def _widening_require(
    *,
    actor: User,
    item: MaterialItem,
    new: LabelInput,
    orcon: bool,
    request: HttpRequest | None,
) -> None:
    """A change that could let someone new read is the originator agency's alone (``access``):
    refused with a DENY entry for anyone else."""
    if in_originating_agency(actor, item.originator_id):
        return
    widening = label_widening(
        label_fields_of(item),
        LabelFields(
            classification=new.classification,
            caveat_ids=frozenset(c.pk for c in new.caveats),
            releasable_ids=frozenset(a.pk for a in new.releasable_to),
            originator_id=item.originator_id,
            orcon=orcon,
        ),
        item.case_id,
    )
    permission_require(
        actor=actor,
        refusal=lowering_refusal(actor, item, widening=widening is not None),
        action="material.label_change",
        object_type="material",
        object_id=str(item.pk),
        request=request,
    )


def _label_change_clean(
    *,
    actor: User,
    item: MaterialItem,
    classification: str,
    caveats: Iterable[str],
    releasable_to: Iterable[str],
    reason: str,
    expected_version: int | None,
    errors: dict[str, list[str]],
) -> LabelInput:
    """The proposed label from input, with the reason and the version it was read at."""
    if not (reason or "").strip():
        errors.setdefault("reason", []).append("Enter why the label is changing")
    if expected_version is not None and expected_version != item.version:
        errors.setdefault("version", []).append(
            "Someone else changed this item's label: reload the page and try again"
        )
    new = label_clean(
        actor=actor,
        classification=classification,
        caveats=caveats,
        releasable_to=releasable_to,
        originator=item.originator,
        errors=errors,
    )
    if item.is_reference and classification != item.classification:
        errors.setdefault("classification", []).append(
            "A reference keeps its marking: record a new reference instead"
        )
    return new


def material_label_change(
    *,
    actor: User,
    item: MaterialItem,
    classification: str,
    caveats: Iterable[str],
    releasable_to: Iterable[str],
    orcon: bool,
    reason: str,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> MaterialItem:
    """Change an item's label. Anyone on the case with access may narrow it (raise the
    classification, add caveats, narrow releasability, set ORCON); any change that could let
    someone read who could not before (``access.material.label_widening``) is the originator
    agency's alone, as is any change to an ORCON item's label (that is the consent)."""
    item_act_require(
        actor=actor,
        item=item,
        action="material.label_change",
        refusal=relabel_refusal,
        request=request,
    )
    errors: dict[str, list[str]] = {}
    new = _label_change_clean(
        actor=actor,
        item=item,
        classification=classification,
        caveats=caveats,
        releasable_to=releasable_to,
        reason=reason,
        expected_version=expected_version,
        errors=errors,
    )
    old = label_snapshot(item)
    proposed = {
        "classification": new.classification,
        "caveats": sorted(c.code for c in new.caveats),
        "releasable_to": sorted(a.code for a in new.releasable_to),
        "orcon": bool(orcon),
    }
    if not errors:
        _widening_require(actor=actor, item=item, new=new, orcon=bool(orcon), request=request)
    if not errors and all(old[key] == proposed[key] for key in proposed):
        errors.setdefault("classification", []).append("The label is unchanged")
    if errors:
        raise refuse(
            action="material.label_change",
            actor=actor,
            errors=errors,
            object_id=str(item.pk),
            request=request,
        )
    with transaction.atomic():
        locked = (
            MaterialItem.objects.select_for_update(of=("self",))
            .select_related("originator", "data_key")
            .get(pk=item.pk)
        )
        if expected_version is not None and locked.version != expected_version:
            raise ValidationError(
                {"version": "Someone else changed this item's label: reload the page and try again"}
            )
        change = label_store(
            actor=actor, item=locked, new=new, orcon=bool(orcon), reason=reason.strip()
        )
        audit_record(
            action="material.label_changed",
            actor=actor,
            outcome=Outcome.SUCCESS,
            object_type="material",
            object_id=str(item.pk),
            reason=reason.strip(),
            details=change,
            request=request,
        )
    return locked


def classification_choices() -> list[str]:
    return [level for level in Classification.values]
