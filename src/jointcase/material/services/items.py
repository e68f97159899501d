"""Adding material: items (content or references) and their files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from jointcase.access.acting import permission_require
from jointcase.access.labels import CLASSIFICATION_RANK
from jointcase.access.material import (
    above_system_high,
    material_case_access,
    system_high,
)
from jointcase.access.material_acts import (
    add_refusal,
    file_refusal,
)
from jointcase.agencies.models import Agency
from jointcase.audit.models import Outcome
from jointcase.audit.services import audit_record
from jointcase.cases.models import Case, TimelineKind
from jointcase.cases.services import timeline_add
from jointcase.material.crypto import item_label, label_from, seal
from jointcase.material.models import (
    ItemKind,
    MaterialFile,
    MaterialItem,
)
from jointcase.material.services.common import (
    deny,
    item_act_require,
    refuse,
)
from jointcase.material.services.labels import LabelInput, label_clean
from jointcase.material.services.retention import retention_clean
from jointcase.material.uploads import UploadRefused, UploadTooLarge, upload_check

if TYPE_CHECKING:
    from jointcase.accounts.models import User


def upload_read(upload: Any) -> tuple[Any, bytes]:
    checked = upload_check(content=upload)
    if isinstance(upload, (bytes, bytearray, memoryview)):
        return checked, bytes(upload)
    upload.seek(0)
    return checked, upload.read()


# --- Adding material -----------------------------------------------------------------------


@dataclass(frozen=True)
class FileInput:
    """An upload as bytes (the API) or a Django ``UploadedFile`` (the pages)."""

    content: Any
    name: str = ""


def _title_clean(*, actor: User, title: str, kind: str, errors: dict[str, list[str]]) -> str:
    """The originator (the actor's agency), the title and the kind of a new item."""
    if actor.agency_id is None:
        errors.setdefault("originator", []).append("Only a member of an agency can add material")
    title = (title or "").strip()
    if not title:
        errors.setdefault("title", []).append("Enter a title")
    elif len(title) > 200:
        errors.setdefault("title", []).append("Title must be 200 characters or fewer")
    if kind not in ItemKind.values:
        errors.setdefault("kind", []).append("Select the kind of material")
    return title


def _reference_clean(
    *,
    kind: str,
    classification: str,
    held_by: str,
    has_content: bool,
    errors: dict[str, list[str]],
) -> tuple[str, str]:
    """A reference to material held elsewhere: (the marking it carries here, the marking of
    the material it points at). Above the system high it is marked at the system high."""
    if kind != ItemKind.REFERENCE or classification not in CLASSIFICATION_RANK:
        return classification, ""
    referenced = classification
    if above_system_high(classification):
        classification = system_high()
    if not held_by.strip():
        errors.setdefault("held_by", []).append("Enter who holds the material")
    if has_content:
        errors.setdefault("body", []).append(
            "A reference records where material is held: it has no content or files"
        )
    return classification, referenced


def uploads_read(files: Sequence[Any], errors: dict[str, list[str]]) -> list[tuple[Any, bytes]]:
    """Check and read every upload; each refusal goes into ``errors["file"]``."""
    checked = []
    for upload in files:
        try:
            checked.append(upload_read(upload))
        except UploadRefused as refusal:
            errors.setdefault("file", []).append(refusal.message)
    return checked


def _label_details(label: LabelInput, *, originator: Agency, orcon: bool) -> dict[str, Any]:
    return {
        "classification": label.classification,
        "caveats": sorted(c.code for c in label.caveats),
        "releasable_to": sorted(a.code for a in label.releasable_to),
        "originator": originator.code,
        "orcon": orcon,
    }


@transaction.atomic
def item_store_audited(
    *,
    actor: User,
    action: str,
    item: MaterialItem,
    label: LabelInput,
    body: str | None,
    files: list[tuple[Any, bytes]],
    details: dict[str, Any],
    request: HttpRequest | None,
) -> MaterialItem:
    """Store a checked new item or tearline (``item_store``: body and files sealed under its
    own label) and its SUCCESS audit entry with ``details``, in one transaction."""
    item_store(item, label, originator=item.originator, orcon=item.orcon, body=body, files=files)
    audit_record(
        action=action,
        actor=actor,
        outcome=Outcome.SUCCESS,
        object_type="material",
        object_id=str(item.pk),
        details=details,
        request=request,
    )
    return item


def _add_permit(*, actor: User, case: Case, request: HttpRequest | None) -> None:
    """The actor sees the case's material (else the same 404 as a missing case) and may write
    on it (else a 403), each refusal with its DENY entry."""
    access = material_case_access(actor, case)
    if not access.allowed:
        raise deny(
            action="material.create",
            actor=actor,
            object_id=f"case:{case.pk}",
            reason=access.reason,
            request=request,
        )
    permission_require(
        actor=actor,
        refusal=add_refusal(actor, case),
        action="material.create",
        object_type="material",
        object_id=f"case:{case.pk}",
        request=request,
    )


def _content_clean(
    *, kind: str, body: str, files: Sequence[Any], errors: dict[str, list[str]]
) -> list[tuple[Any, bytes]]:
    """The item's content for its kind: a document needs a file, a note or report some
    content; every upload is checked and read."""
    if kind == ItemKind.DOCUMENT and not files:
        errors.setdefault("file", []).append("Select a file to upload")
    if kind in (ItemKind.NOTE, ItemKind.INTELLIGENCE_REPORT) and not body.strip() and not files:
        errors.setdefault("body", []).append("Enter the content")
    return uploads_read(files, errors)


@dataclass(frozen=True)
class _Addition:
    """An item's input once every field has been checked: what ``material_add`` writes."""

    title: str
    label: LabelInput
    originator: Agency
    referenced: str
    retain_until: dt.date
    files: list[tuple[Any, bytes]]


def _addition_clean(
    *,
    actor: User,
    case: Case,
    kind: str,
    title: str,
    classification: str,
    caveats: Iterable[str],
    releasable_to: Iterable[str],
    body: str,
    held_by: str,
    files: Sequence[Any],
    retain_until: dt.date | None,
    request: HttpRequest | None,
) -> _Addition:
    """Every field checked before anything is written; any error refuses the whole item."""
    errors: dict[str, list[str]] = {}
    title = _title_clean(actor=actor, title=title, kind=kind, errors=errors)
    classification, referenced = _reference_clean(
        kind=kind,
        classification=classification,
        held_by=held_by,
        has_content=bool(body.strip() or files),
        errors=errors,
    )
    originator = actor.agency if actor.agency_id else None
    label = label_clean(
        actor=actor,
        classification=classification,
        caveats=caveats,
        releasable_to=releasable_to,
        originator=originator or Agency(pk=0),
        errors=errors,
    )
    retain_until = retention_clean(retain_until, errors)
    checked_files = _content_clean(kind=kind, body=body, files=files, errors=errors)
    if errors:
        raise refuse(
            action="material.create",
            actor=actor,
            errors=errors,
            object_id=f"case:{case.pk}",
            request=request,
        )
    assert originator is not None
    return _Addition(title, label, originator, referenced, retain_until, checked_files)


def material_add(
    *,
    actor: User,
    case: Case,
    kind: str,
    title: str,
    classification: str,
    caveats: Iterable[str] = (),
    releasable_to: Iterable[str] = (),
    orcon: bool = False,
    handling_instructions: str = "",
    review_date: dt.date | None = None,
    body: str = "",
    held_by: str = "",
    files: Sequence[Any] = (),
    retain_until: dt.date | None = None,
    request: HttpRequest | None = None,
) -> MaterialItem:
    """Add an item to ``case``. The originator is the actor's agency (never from input).

    ``retain_until`` defaults to ``retention_default()``; after it the retention job destroys
    the item's data keys.

    Above the system high only a ``REFERENCE`` may be recorded: the reference itself is
    marked at the system high and points at material held elsewhere (``held_by``).
    """
    _add_permit(actor=actor, case=case, request=request)
    addition = _addition_clean(
        actor=actor,
        case=case,
        kind=kind,
        title=title,
        classification=classification,
        caveats=caveats,
        releasable_to=releasable_to,
        body=body,
        held_by=held_by,
        files=files,
        retain_until=retain_until,
        request=request,
    )
    orcon = bool(orcon)
    with transaction.atomic():
        item = _item_create(
            actor=actor,
            case=case,
            kind=kind,
            addition=addition,
            orcon=orcon,
            handling_instructions=handling_instructions,
            review_date=review_date,
            held_by=held_by,
            body=body,
            request=request,
        )
        timeline_add(
            case=case,
            kind=TimelineKind.MATERIAL,
            title=str(ItemKind(kind).label),
            actor=actor,
            material_item=item,
        )
    return item


def _item_create(
    *,
    actor: User,
    case: Case,
    kind: str,
    addition: _Addition,
    orcon: bool,
    handling_instructions: str,
    review_date: dt.date | None,
    held_by: str,
    body: str,
    request: HttpRequest | None,
) -> MaterialItem:
    """The item row, its sealed content and files, and its audit entry."""
    label, originator = addition.label, addition.originator
    retain_until = addition.retain_until
    return item_store_audited(
        actor=actor,
        action="material.created",
        item=MaterialItem(
            case=case,
            kind=kind,
            title=addition.title,
            classification=label.classification,
            originator=originator,
            orcon=orcon,
            handling_instructions=handling_instructions.strip(),
            review_date=review_date,
            referenced_classification=addition.referenced,
            held_by=held_by.strip(),
            author=actor,
            created_at=timezone.now(),
            retain_until=retain_until,
        ),
        label=label,
        body=None if kind == ItemKind.REFERENCE else body,
        files=addition.files,
        details={
            "case": case.pk,
            "kind": kind,
            "label": _label_details(label, originator=originator, orcon=orcon),
            "files": len(addition.files),
            "retain_until": retain_until.isoformat() if retain_until else None,
        },
        request=request,
    )


def item_store(
    item: MaterialItem,
    label: LabelInput,
    *,
    originator: Agency,
    orcon: bool,
    body: str | None,
    files: Sequence[tuple[Any, bytes]],
) -> None:
    """Insert a new item with its label's sets, its body (None for a reference) and files each
    sealed under the label (inside the caller's transaction)."""
    sealing_label = label_from(
        classification=label.classification,
        originator=originator.code,
        caveats=[c.code for c in label.caveats],
        releasable_to=[a.code for a in label.releasable_to],
        orcon=orcon,
    )
    if body is not None:
        sealed = seal(plaintext=body.encode("utf-8"), object_id=str(item.id), label=sealing_label)
        sealed.data_key.save(force_insert=True)
        item.data_key = sealed.data_key
        item.body_ciphertext = sealed.ciphertext
    item.save(force_insert=True)
    item.caveats.set(label.caveats)
    item.releasable_to.set(label.releasable_to)
    for checked, content in files:
        _file_store(item=item, checked=checked, content=content, label=sealing_label)


def _file_store(*, item: MaterialItem, checked: Any, content: bytes, label: Any) -> MaterialFile:
    material_file = MaterialFile(
        item=item,
        safe_name=checked.safe_name,
        mime=checked.mime_type,
        size=checked.size,
        created_at=timezone.now(),
    )
    sealed = seal(plaintext=content, object_id=str(material_file.id), label=label)
    sealed.data_key.save(force_insert=True)
    material_file.data_key = sealed.data_key
    material_file.ciphertext = sealed.ciphertext
    material_file.save(force_insert=True)
    return material_file


class FileTooLarge(ValidationError):
    """The upload is over ``JOINTCASE_UPLOAD_MAX_BYTES`` (the API answers 413)."""


def material_file_add(
    *, actor: User, item: MaterialItem, upload: Any, request: HttpRequest | None = None
) -> MaterialFile:
    """Add a file to an item, sniffed and size-checked like every upload, sealed under the
    item's label with its own data key."""
    item_act_require(
        actor=actor, item=item, action="material.file_add", refusal=file_refusal, request=request
    )
    try:
        checked, content = upload_read(upload)
    except UploadRefused as refusal:
        error = refuse(
            action="material.file_add",
            actor=actor,
            errors={"file": [refusal.message]},
            object_id=str(item.pk),
            request=request,
        )
        if isinstance(refusal, UploadTooLarge):
            raise FileTooLarge(error.error_dict) from refusal
        raise error from refusal
    with transaction.atomic():
        # Locked so a label change or an approval cannot slip between the check and the seal.
        locked = (
            MaterialItem.objects.select_for_update(of=("self",))
            .select_related("originator")
            .get(pk=item.pk)
        )
        if file_refusal(actor, locked) is not None:
            raise ValidationError({"file": "This item changed meanwhile: reload and try again"})
        material_file = _file_store(
            item=locked, checked=checked, content=content, label=item_label(locked)
        )
        audit_record(
            action="material.file_added",
            actor=actor,
            outcome=Outcome.SUCCESS,
            object_type="material",
            object_id=str(item.pk),
            details={
                "file": str(material_file.pk),
                "size": material_file.size,
                "mime": material_file.mime,
            },
            request=request,
        )
    return material_file
