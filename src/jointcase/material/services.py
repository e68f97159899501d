"""Writes on material: add, relabel, tearlines, share requests, break-glass, destroy.

Every service is keyword-only and audited. Bad input raises ``ValidationError`` keyed by field
and nothing is stored; the refusal itself is audited (outcome FAILURE) in its own transaction,
so it survives the refusal. An object the actor may not see raises ``Http404`` (and a DENY
entry), exactly like a missing one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from tqdm import tqdm

from jointcase.access.labels import CLASSIFICATION_RANK, Classification
from jointcase.access.material import (
    LabelFields,
    above_system_high,
    case_agencies,
    label_fields_of,
    label_widening,
    material_case_access,
    material_decision,
    material_write_access,
    system_high,
    within_reach,
)
from jointcase.accounts.models import Role
from jointcase.agencies.models import Agency, Caveat
from jointcase.audit.models import Outcome
from jointcase.audit.services import audit_record
from jointcase.cases.models import Case, CaseRole, CaseTeamMember
from jointcase.material.crypto import Sealed, label_from, reseal, seal
from jointcase.material.keys import data_key_destroy
from jointcase.material.models import (
    BreakGlass,
    BreakGlassOutcome,
    ItemKind,
    LabelChange,
    MaterialFile,
    MaterialGrant,
    MaterialItem,
    ShareKind,
    ShareRequest,
    ShareStatus,
    TearlineStatus,
)
from jointcase.material.uploads import UploadRefused, UploadTooLarge, upload_check
from jointcase.notifications.services import notify

if TYPE_CHECKING:
    from jointcase.accounts.models import User

NOT_FOUND = "Material not found"
ABOVE_SYSTEM_HIGH = (
    "This service may not hold material above {level}: record it as a reference to material "
    "held elsewhere"
)
#: Roles that may review break-glass access.
SENIOR_ROLES = (
    Role.NSD_SENIOR_LEAD,
    Role.CT_SUPERVISOR,
    Role.PRISON_CT_LEAD,
    Role.REGIONAL_CT_COORDINATOR,
)


def breakglass_minutes() -> int:
    return int(getattr(settings, "JOINTCASE_BREAKGLASS_MINUTES", 30))


def grant_days() -> int:
    return int(getattr(settings, "JOINTCASE_MATERIAL_GRANT_DAYS", 30))


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


# --- Helpers -------------------------------------------------------------------------------


def _refuse(
    *,
    action: str,
    actor: User,
    errors: dict[str, Any],
    object_type: str = "material",
    object_id: str | int = "",
    request: HttpRequest | None = None,
) -> ValidationError:
    """Audit a refusal (in its own transaction, so it stays) and return the error to raise."""
    error = ValidationError(errors)
    with transaction.atomic():
        audit_record(
            action=action,
            actor=actor,
            outcome=Outcome.FAILURE,
            object_type=object_type,
            object_id=object_id,
            reason="; ".join(
                f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()
            ),
            request=request,
        )
    return error


def _deny(
    *, action: str, actor: User, object_id: str | int, reason: str, request: HttpRequest | None
) -> Http404:
    with transaction.atomic():
        audit_record(
            action=action,
            actor=actor,
            outcome=Outcome.DENY,
            object_type="material",
            object_id=object_id,
            reason=reason,
            request=request,
        )
    return Http404(NOT_FOUND)


def _rank(level: str) -> int:
    return CLASSIFICATION_RANK.get(level, 99)


def _same_agency(user: User, agency_id: int | None) -> bool:
    return user.agency_id is not None and user.agency_id == agency_id


@dataclass(frozen=True)
class LabelInput:
    classification: str
    caveats: list[Caveat]
    releasable_to: list[Agency]


def _label_clean(
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
    elif within_reach(actor, classification=classification, caveat_ids=()).reason == "clearance":
        errors.setdefault("classification", []).append(
            "You cannot record material above your own clearance"
        )
    codes = sorted({str(code).strip() for code in caveats if str(code).strip()})
    found = {c.code: c for c in Caveat.objects.filter(code__in=codes, is_active=True)}
    unknown = [code for code in codes if code not in found]
    if unknown:
        errors.setdefault("caveats", []).append(f"Unknown caveat: {', '.join(unknown)}")
    not_held = [
        c.code
        for c in found.values()
        if within_reach(actor, classification=Classification.OFFICIAL, caveat_ids=[c.pk]).reason
        == "caveats"
    ]
    if not_held:
        errors.setdefault("caveats", []).append(
            f"You can only use caveats you hold: {', '.join(sorted(not_held))}"
        )
    agency_codes = sorted({str(code).strip() for code in releasable_to if str(code).strip()})
    agencies = {a.code: a for a in Agency.objects.filter(code__in=agency_codes, is_active=True)}
    unknown_agencies = [code for code in agency_codes if code not in agencies]
    if unknown_agencies:
        errors.setdefault("releasable_to", []).append(
            f"Unknown agency: {', '.join(unknown_agencies)}"
        )
    releasable = list(agencies.values())
    if releasable and originator.pk not in {a.pk for a in releasable}:
        releasable.append(originator)  # the originator always holds its own material
    return LabelInput(classification, list(found.values()), releasable)


def label_snapshot(item: MaterialItem) -> dict[str, Any]:
    return {
        "classification": item.classification,
        "caveats": sorted(c.code for c in item.caveats.all()),
        "releasable_to": sorted(a.code for a in item.releasable_to.all()),
        "originator": item.originator.code,
        "orcon": item.orcon,
    }


def _read_upload(upload: Any) -> tuple[Any, bytes]:
    checked = upload_check(content=upload)
    if isinstance(upload, (bytes, bytearray, memoryview)):
        return checked, bytes(upload)
    upload.seek(0)
    return checked, upload.read()


def _check_access(
    *, actor: User, item: MaterialItem, action: str, request: HttpRequest | None
) -> None:
    decision = material_decision(actor, item)
    if not decision.allowed:
        raise _deny(
            action=action,
            actor=actor,
            object_id=str(item.pk),
            reason=decision.reason,
            request=request,
        )


# --- View versus edit ----------------------------------------------------------------------
#
# Seeing an item does not let a reader edit it. Each ``*_refusal`` function answers whether
# ``user`` (who may see the object: check that first) may use one form or operation on it;
# the views ask before showing a form (GET) and the services again before writing, so a
# reader who may not is told why with a 403, never a 400 or a 200, and nothing changes
# (SECURITY-TESTS class 3). An object the user may not see stays a 404.


@dataclass(frozen=True)
class Refusal:
    """Why ``user`` may not do this: ``reason`` for the audit entry, ``message`` for them."""

    reason: str
    message: str


class NotPermitted(PermissionDenied):
    """The actor can see the object but may not do this to it: answer 403 with ``message``.

    Raised only after the DENY audit entry is written (``permission_require``)."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal
        self.message = refusal.message


#: Why a reader whose access is read-only (break-glass, an item grant) may not write.
READ_ONLY_MESSAGES = {
    "break_glass_read_only": "Break-glass access is read-only: you cannot change this case's "
    "material",
    "read_only": "Your access to this material is read-only: only the case team can change it",
}


def write_refusal(user: User, case: Case | int) -> Refusal | None:
    """Every write on a case's material needs the case relationship (``access``): never
    break-glass alone, never an item grant alone."""
    access = material_write_access(user, case)
    if access.allowed:
        return None
    return Refusal(
        access.reason, READ_ONLY_MESSAGES.get(access.reason, READ_ONLY_MESSAGES["read_only"])
    )


def add_refusal(user: User, case: Case) -> Refusal | None:
    """Adding material to a case (the case's material tab is open to the user: check that
    first) needs write access to it."""
    return write_refusal(user, case)


def share_refusal(user: User, item: MaterialItem) -> Refusal | None:
    """Asking for an item (its fuller version, or onward sharing) is a write on the case."""
    return write_refusal(user, item.case_id)


def _destroyed(item: MaterialItem) -> Refusal | None:
    if item.destroyed_at is not None:
        return Refusal("destroyed", "This item's content has been destroyed: it cannot be changed")
    return None


def relabel_refusal(user: User, item: MaterialItem) -> Refusal | None:
    """Anyone on the case who sees an item may narrow its label; nobody but the originator
    agency may change an originator-controlled item's label (the consent). Widening is
    checked against the proposed label (``material_label_change``)."""
    if refusal := _destroyed(item):
        return refusal
    if item.orcon and not _same_agency(user, item.originator_id):
        return Refusal(
            "orcon_not_originator",
            f"This item is originator controlled: only {item.originator.name} may change its "
            "label or its sharing",
        )
    return write_refusal(user, item.case_id)


def tearline_refusal(user: User, parent: MaterialItem) -> Refusal | None:
    if refusal := _destroyed(parent):
        return refusal
    if not _same_agency(user, parent.originator_id):
        return Refusal(
            "not_originator",
            f"Only {parent.originator.name}, the originator, may write a tearline of this item",
        )
    if parent.is_reference:
        return Refusal("reference", "A reference has no content to write a tearline of")
    if parent.parent_id is not None:
        return Refusal(
            "tearline_of_tearline",
            "This is already a tearline: write a tearline of the item it comes from",
        )
    return write_refusal(user, parent.case_id)


def approve_refusal(user: User, tearline: MaterialItem) -> Refusal | None:
    """Four eyes: a second person of the originating agency, never the author, once."""
    if tearline.parent_id is None:
        return Refusal("not_tearline", "This item is not a tearline: there is nothing to approve")
    if not _same_agency(user, tearline.originator_id):
        return Refusal(
            "not_originator",
            f"Only a second person of {tearline.originator.name} may approve this tearline",
        )
    if tearline.author_id == user.pk:
        return Refusal("own_tearline", "You wrote this tearline: a second person must approve it")
    if tearline.tearline_status != TearlineStatus.DRAFT:
        return Refusal("already_decided", "This tearline has already been decided")
    return write_refusal(user, tearline.case_id)


def destroy_refusal(user: User, item: MaterialItem) -> Refusal | None:
    if refusal := _destroyed(item):
        return refusal
    if not _same_agency(user, item.originator_id):
        return Refusal(
            "not_originator", f"Only {item.originator.name}, the originator, may destroy this item"
        )
    return write_refusal(user, item.case_id)


def retention_refusal(user: User, item: MaterialItem) -> Refusal | None:
    """Only the originator agency changes how long its material is kept."""
    if refusal := _destroyed(item):
        return refusal
    if not _same_agency(user, item.originator_id):
        return Refusal(
            "not_originator",
            f"Only {item.originator.name}, the originator, may change how long this item is kept",
        )
    return write_refusal(user, item.case_id)


def file_refusal(user: User, item: MaterialItem) -> Refusal | None:
    """Files are content: only the originator agency adds them, never to a reference or a
    destroyed item, and to a tearline only while it is a draft (so the second person approves
    the file with the text)."""
    if refusal := _destroyed(item):
        return refusal
    if not _same_agency(user, item.originator_id):
        return Refusal(
            "not_originator", f"Only {item.originator.name}, the originator, may add files to it"
        )
    if item.is_reference:
        return Refusal("reference", "A reference records where material is held: it has no files")
    if item.parent_id is not None and item.tearline_status != TearlineStatus.DRAFT:
        return Refusal(
            "tearline_decided",
            "This tearline has been decided: write a new tearline to add a sanitised file",
        )
    return write_refusal(user, item.case_id)


def decide_refusal(user: User, share_request: ShareRequest) -> Refusal | None:
    """Only the originator agency decides a share request, and only once."""
    item = share_request.item
    if not _same_agency(user, item.originator_id):
        return Refusal(
            "not_originator",
            f"Only {item.originator.name}, the originator, may decide this request",
        )
    if share_request.status != ShareStatus.PENDING:
        return Refusal("already_decided", "This request has already been decided")
    return write_refusal(user, item.case_id)


def grant_revoke_refusal(user: User, grant: MaterialGrant) -> Refusal | None:
    """The originator agency, or the person who approved the grant, revokes it while live."""
    item = grant.item
    if not (_same_agency(user, item.originator_id) or grant.granted_by_id == user.pk):
        return Refusal(
            "not_originator",
            f"Only {item.originator.name}, the originator, or the person who approved this "
            "access may revoke it",
        )
    if grant.expires_at <= timezone.now():
        return Refusal("grant_ended", "This access has already ended")
    return write_refusal(user, item.case_id)


def breakglass_review_refusal(user: User, break_glass: BreakGlass) -> Refusal | None:
    """A senior reviews someone else's break-glass access, once (seniority is checked first:
    to anyone else the queue does not exist)."""
    if break_glass.user_id == user.pk:
        return Refusal("own_breakglass", "You cannot review your own break-glass access")
    if break_glass.reviewed_at is not None:
        return Refusal("already_reviewed", "This access has already been reviewed")
    return None


def permission_require(
    *,
    actor: User,
    refusal: Refusal | None,
    action: str,
    object_type: str = "material",
    object_id: str | int,
    request: HttpRequest | None = None,
) -> None:
    """Raise ``NotPermitted`` (after a DENY audit entry with the reason) when refused."""
    if refusal is None:
        return
    with transaction.atomic():
        audit_record(
            action=action,
            actor=actor,
            outcome=Outcome.DENY,
            object_type=object_type,
            object_id=object_id,
            reason=refusal.reason,
            request=request,
        )
    raise NotPermitted(refusal)


# --- Adding material -----------------------------------------------------------------------


@dataclass(frozen=True)
class FileInput:
    """An upload as bytes (the API) or a Django ``UploadedFile`` (the pages)."""

    content: Any
    name: str = ""


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
    access = material_case_access(actor, case)
    if not access.allowed:
        raise _deny(
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
        object_id=f"case:{case.pk}",
        request=request,
    )
    errors: dict[str, list[str]] = {}
    if actor.agency_id is None:
        errors.setdefault("originator", []).append("Only a member of an agency can add material")
    title = (title or "").strip()
    if not title:
        errors.setdefault("title", []).append("Enter a title")
    elif len(title) > 200:
        errors.setdefault("title", []).append("Title must be 200 characters or fewer")
    if kind not in ItemKind.values:
        errors.setdefault("kind", []).append("Select the kind of material")
    is_reference = kind == ItemKind.REFERENCE
    referenced = ""
    if is_reference and classification in CLASSIFICATION_RANK:
        referenced = classification
        if above_system_high(classification):
            classification = system_high()
        if not held_by.strip():
            errors.setdefault("held_by", []).append("Enter who holds the material")
        if body.strip() or files:
            errors.setdefault("body", []).append(
                "A reference records where material is held: it has no content or files"
            )
    originator = actor.agency if actor.agency_id else None
    label = _label_clean(
        actor=actor,
        classification=classification,
        caveats=caveats,
        releasable_to=releasable_to,
        originator=originator or Agency(pk=0),
        errors=errors,
    )
    retain_until = retention_clean(retain_until, errors)
    if kind == ItemKind.DOCUMENT and not files:
        errors.setdefault("file", []).append("Select a file to upload")
    if kind in (ItemKind.NOTE, ItemKind.INTELLIGENCE_REPORT) and not body.strip() and not files:
        errors.setdefault("body", []).append("Enter the content")
    checked_files = []
    for upload in files:
        try:
            checked_files.append(_read_upload(upload))
        except UploadRefused as refusal:
            errors.setdefault("file", []).append(refusal.message)
    if errors:
        raise _refuse(
            action="material.create",
            actor=actor,
            errors=errors,
            object_id=f"case:{case.pk}",
            request=request,
        )
    assert originator is not None
    with transaction.atomic():
        now = timezone.now()
        item = MaterialItem(
            case=case,
            kind=kind,
            title=title,
            classification=label.classification,
            originator=originator,
            orcon=bool(orcon),
            handling_instructions=handling_instructions.strip(),
            review_date=review_date,
            referenced_classification=referenced,
            held_by=held_by.strip(),
            author=actor,
            created_at=now,
            retain_until=retain_until,
        )
        _item_store(
            item,
            label,
            originator=originator,
            orcon=bool(orcon),
            body=None if is_reference else body,
            files=checked_files,
        )
        audit_record(
            action="material.created",
            actor=actor,
            outcome=Outcome.SUCCESS,
            object_type="material",
            object_id=str(item.pk),
            details={
                "case": case.pk,
                "kind": kind,
                "label": {
                    "classification": label.classification,
                    "caveats": sorted(c.code for c in label.caveats),
                    "releasable_to": sorted(a.code for a in label.releasable_to),
                    "originator": originator.code,
                    "orcon": bool(orcon),
                },
                "files": len(checked_files),
                "retain_until": retain_until.isoformat(),
            },
            request=request,
        )
    return item


def _item_store(
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
    _check_access(actor=actor, item=item, action="material.file_add", request=request)
    permission_require(
        actor=actor,
        refusal=file_refusal(actor, item),
        action="material.file_add",
        object_id=str(item.pk),
        request=request,
    )
    try:
        checked, content = _read_upload(upload)
    except UploadRefused as refusal:
        error = _refuse(
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
            item=locked, checked=checked, content=content, label=locked.security_label()
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


# --- Labels --------------------------------------------------------------------------------


def _relabel(
    *, actor: User, item: MaterialItem, new: LabelInput, orcon: bool, reason: str
) -> dict[str, Any]:
    """Store a new label: reseal body and files under it, destroy the old keys, record it."""
    old_snapshot = label_snapshot(item)
    old_label = item.security_label()
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
        resealed = reseal(
            sealed=Sealed(item.data_key, item.body_ciphertext),
            object_id=str(item.pk),
            old_label=old_label,
            new_label=new_label,
        )
        resealed.data_key.save(force_insert=True)
        old_keys.append(item.data_key)
        item.data_key = resealed.data_key
        item.body_ciphertext = resealed.ciphertext
    for material_file in item.files.select_related("data_key"):
        resealed = reseal(
            sealed=Sealed(material_file.data_key, material_file.ciphertext),
            object_id=str(material_file.pk),
            old_label=old_label,
            new_label=new_label,
        )
        resealed.data_key.save(force_insert=True)
        old_keys.append(material_file.data_key)
        material_file.data_key = resealed.data_key
        material_file.ciphertext = resealed.ciphertext
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
    _check_access(actor=actor, item=item, action="material.label_change", request=request)
    permission_require(
        actor=actor,
        refusal=relabel_refusal(actor, item),
        action="material.label_change",
        object_id=str(item.pk),
        request=request,
    )
    errors: dict[str, list[str]] = {}
    if not (reason or "").strip():
        errors.setdefault("reason", []).append("Enter why the label is changing")
    if expected_version is not None and expected_version != item.version:
        errors.setdefault("version", []).append(
            "Someone else changed this item's label: reload the page and try again"
        )
    new = _label_clean(
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
    is_originator = _same_agency(actor, item.originator_id)
    old = label_snapshot(item)
    proposed = {
        "classification": new.classification,
        "caveats": sorted(c.code for c in new.caveats),
        "releasable_to": sorted(a.code for a in new.releasable_to),
        "orcon": bool(orcon),
    }
    if not errors and not is_originator:
        widening = label_widening(
            label_fields_of(item),
            LabelFields(
                classification=new.classification,
                caveat_ids=frozenset(c.pk for c in new.caveats),
                releasable_ids=frozenset(a.pk for a in new.releasable_to),
                originator_id=item.originator_id,
                orcon=bool(orcon),
            ),
            item.case_id,
        )
        if widening is not None:
            permission_require(
                actor=actor,
                refusal=Refusal(
                    "lowering_not_originator",
                    f"Only {item.originator.name}, the originator, may lower this label or "
                    "widen who it is released to",
                ),
                action="material.label_change",
                object_id=str(item.pk),
                request=request,
            )
    if not errors and all(old[key] == proposed[key] for key in proposed):
        errors.setdefault("classification", []).append("The label is unchanged")
    if errors:
        raise _refuse(
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
        change = _relabel(
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


# --- Tearlines -----------------------------------------------------------------------------


def tearline_create(
    *,
    actor: User,
    parent: MaterialItem,
    title: str,
    body: str,
    classification: str,
    caveats: Iterable[str] = (),
    releasable_to: Iterable[str] = (),
    orcon: bool = False,
    hide_fuller_version: bool = False,
    handling_instructions: str = "",
    files: Sequence[Any] = (),
    request: HttpRequest | None = None,
) -> MaterialItem:
    """A sanitised version of ``parent`` at a lower label, by a user of the originating agency.
    It stays a DRAFT (seen only by that agency) until a second person approves it. It may
    carry its own sanitised files (never the parent's), sealed under its own label."""
    _check_access(actor=actor, item=parent, action="material.tearline_create", request=request)
    permission_require(
        actor=actor,
        refusal=tearline_refusal(actor, parent),
        action="material.tearline_create",
        object_id=str(parent.pk),
        request=request,
    )
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    if not title:
        errors.setdefault("title", []).append("Enter a title")
    if not (body or "").strip():
        errors.setdefault("body", []).append("Enter the sanitised content")
    new = _label_clean(
        actor=actor,
        classification=classification,
        caveats=caveats,
        releasable_to=releasable_to,
        originator=parent.originator,
        errors=errors,
    )
    if "classification" not in errors and "caveats" not in errors:
        parent_caveats = {c.pk for c in parent.caveats.all()}
        new_caveats = {c.pk for c in new.caveats}
        lower = _rank(new.classification) < _rank(parent.classification) or (
            _rank(new.classification) == _rank(parent.classification)
            and new_caveats < parent_caveats
        )
        if not lower or not new_caveats <= parent_caveats:
            errors.setdefault("classification", []).append(
                "A tearline must carry a lower label than the item it comes from"
            )
    checked_files = []
    for upload in files:
        try:
            checked_files.append(_read_upload(upload))
        except UploadRefused as refusal:
            errors.setdefault("file", []).append(refusal.message)
    if errors:
        raise _refuse(
            action="material.tearline_create",
            actor=actor,
            errors=errors,
            object_id=str(parent.pk),
            request=request,
        )
    with transaction.atomic():
        item = MaterialItem(
            case=parent.case,
            kind=parent.kind,
            title=title,
            classification=new.classification,
            originator=parent.originator,
            orcon=bool(orcon),
            handling_instructions=handling_instructions.strip(),
            author=actor,
            created_at=timezone.now(),
            parent=parent,
            tearline_status=TearlineStatus.DRAFT,
            hide_fuller_version=bool(hide_fuller_version),
            retain_until=parent.retain_until or retention_default(),
        )
        _item_store(
            item,
            new,
            originator=parent.originator,
            orcon=bool(orcon),
            body=body,
            files=checked_files,
        )
        audit_record(
            action="material.tearline_created",
            actor=actor,
            outcome=Outcome.SUCCESS,
            object_type="material",
            object_id=str(item.pk),
            details={
                "parent": str(parent.pk),
                "classification": new.classification,
                "orcon_consent": "originator" if parent.orcon else "",
                "files": len(checked_files),
            },
            request=request,
        )
    return item


def tearline_approve(
    *,
    actor: User,
    tearline: MaterialItem,
    approve: bool = True,
    reason: str = "",
    request: HttpRequest | None = None,
) -> MaterialItem:
    """Four eyes: a second person of the originating agency (never the author) approves (or
    refuses) a draft tearline."""
    _check_access(actor=actor, item=tearline, action="material.tearline_approve", request=request)
    permission_require(
        actor=actor,
        refusal=approve_refusal(actor, tearline),
        action="material.tearline_approve",
        object_id=str(tearline.pk),
        request=request,
    )
    errors: dict[str, list[str]] = {}
    if not approve and not (reason or "").strip():
        errors.setdefault("reason", []).append("Enter why the tearline is refused")
    if errors:
        raise _refuse(
            action="material.tearline_approve",
            actor=actor,
            errors=errors,
            object_id=str(tearline.pk),
            request=request,
        )
    with transaction.atomic():
        updated = MaterialItem.objects.filter(
            pk=tearline.pk, tearline_status=TearlineStatus.DRAFT
        ).update(
            tearline_status=TearlineStatus.APPROVED if approve else TearlineStatus.REFUSED,
            approved_by=actor,
            approved_at=timezone.now(),
        )
        if not updated:
            raise ValidationError({"tearline": "This tearline has already been decided"})
        audit_record(
            action="material.tearline_approved" if approve else "material.tearline_refused",
            actor=actor,
            outcome=Outcome.SUCCESS,
            object_type="material",
            object_id=str(tearline.pk),
            reason=(reason or "").strip(),
            details={"parent": str(tearline.parent_id)},
            request=request,
        )
    tearline.refresh_from_db()
    return tearline


# --- Share requests ------------------------------------------------------------------------


def fuller_version_requestable(actor: User, item: MaterialItem) -> bool:
    """Whether ``actor`` may know ``item`` exists without seeing it: they see an approved
    tearline of it whose originator did not hide the fuller version."""
    from jointcase.access.material import material_visible_to

    return (
        material_visible_to(actor)
        .filter(
            parent_id=item.pk,
            tearline_status=TearlineStatus.APPROVED,
            hide_fuller_version=False,
        )
        .exists()
    )


def share_request_create(
    *,
    actor: User,
    item: MaterialItem,
    kind: str,
    reason: str,
    to_agency: Agency | None = None,
    request: HttpRequest | None = None,
) -> ShareRequest:
    """Ask the originator for access to an item (its fuller version), or to share it onward."""
    visible = material_decision(actor, item).allowed
    if not visible and not (kind == ShareKind.ACCESS and fuller_version_requestable(actor, item)):
        raise _deny(
            action="material.share_request",
            actor=actor,
            object_id=str(item.pk),
            reason="not_visible",
            request=request,
        )
    permission_require(
        actor=actor,
        refusal=share_refusal(actor, item),
        action="material.share_request",
        object_id=str(item.pk),
        request=request,
    )
    errors: dict[str, list[str]] = {}
    if kind not in ShareKind.values:
        errors.setdefault("kind", []).append("Select what you are asking for")
    if not (reason or "").strip():
        errors.setdefault("reason", []).append("Enter why you need it")
    if kind == ShareKind.ACCESS and visible:
        errors.setdefault("kind", []).append("You can already see this item")
    if kind == ShareKind.ONWARD_SHARE:
        if to_agency is None:
            errors.setdefault("to_agency", []).append("Select the agency to share it with")
        elif to_agency.pk in {a.pk for a in item.releasable_to.all()}:
            errors.setdefault("to_agency", []).append("The item is already released to that agency")
    pending = ShareRequest.objects.filter(
        item=item,
        requester=actor,
        kind=kind,
        status=ShareStatus.PENDING,
        to_agency=to_agency,
    ).exists()
    if pending:
        errors.setdefault("kind", []).append("You have already asked: the originator will decide")
    if errors:
        raise _refuse(
            action="material.share_request",
            actor=actor,
            errors=errors,
            object_id=str(item.pk),
            request=request,
        )
    with transaction.atomic():
        share = ShareRequest.objects.create(
            item=item,
            requester=actor,
            kind=kind,
            to_agency=to_agency,
            reason=reason.strip(),
            created_at=timezone.now(),
        )
        audit_record(
            action="material.share_requested",
            actor=actor,
            outcome=Outcome.SUCCESS,
            object_type="material",
            object_id=str(item.pk),
            reason=reason.strip(),
            details={
                "share_request": share.pk,
                "kind": kind,
                "to_agency": to_agency.code if to_agency else "",
            },
            request=request,
        )
    return share


def share_request_decide(
    *,
    actor: User,
    share_request: ShareRequest,
    approve: bool,
    reason: str,
    days: int | None = None,
    request: HttpRequest | None = None,
) -> ShareRequest:
    """The originator agency approves or refuses, with a reason. An approved ACCESS request
    becomes a time-limited grant to the requester alone (the label never changes); an
    approved ONWARD_SHARE (the recorded consent, required
    for ORCON items) adds the agency to the item's releasability."""
    item = MaterialItem.objects.select_related("originator", "data_key", "case").get(
        pk=share_request.item_id
    )
    _check_access(actor=actor, item=item, action="material.share_decide", request=request)
    share_request.item = item
    permission_require(
        actor=actor,
        refusal=decide_refusal(actor, share_request),
        action="material.share_decide",
        object_type="share_request",
        object_id=share_request.pk,
        request=request,
    )
    errors: dict[str, list[str]] = {}
    if not (reason or "").strip():
        errors.setdefault("reason", []).append("Enter the reason for your decision")
    length = days if days is not None else grant_days()
    if approve and not 1 <= length <= 365:
        errors.setdefault("days", []).append("Access must last between 1 and 365 days")
    requester = share_request.requester
    if approve and share_request.kind == ShareKind.ACCESS and not errors:
        reach = within_reach(
            requester,
            classification=item.classification,
            caveat_ids=[c.pk for c in item.caveats.all()],
        )
        if not reach.allowed:
            errors.setdefault("decision", []).append(
                f"{requester} is not cleared for this item (classification or caveats): "
                "it cannot be shared with them"
            )
    if errors:
        raise _refuse(
            action="material.share_decide",
            actor=actor,
            errors=errors,
            object_id=str(item.pk),
            request=request,
        )
    with transaction.atomic():
        now = timezone.now()
        details: dict[str, Any] = {"share_request": share_request.pk, "kind": share_request.kind}
        if approve and share_request.kind == ShareKind.ACCESS:
            grant = MaterialGrant.objects.create(
                item=item,
                user=share_request.requester,
                share_request=share_request,
                starts_at=now,
                expires_at=now + dt.timedelta(days=length),
                granted_by=actor,
            )
            details["grant_expires_at"] = grant.expires_at.isoformat()
            # The grant releases the item to the requester alone (``access.material``): the
            # label, and so every other reader, is unchanged.
        elif approve and share_request.kind == ShareKind.ONWARD_SHARE:
            assert share_request.to_agency is not None
            current = list(item.releasable_to.all())
            if not current:  # "every agency on the case" (now) made explicit before adding one
                on_case = case_agencies(item.case_id) | {item.originator_id}
                current = list(Agency.objects.filter(pk__in=on_case))
            new = LabelInput(
                item.classification,
                list(item.caveats.all()),
                [*current, share_request.to_agency],
            )
            details["label"] = _relabel(
                actor=actor,
                item=item,
                new=new,
                orcon=item.orcon,
                reason=f"Onward sharing approved: {reason.strip()}",
            )
            details["orcon_consent"] = item.orcon
        share_request.status = ShareStatus.APPROVED if approve else ShareStatus.REFUSED
        share_request.decided_by = actor
        share_request.decision_reason = reason.strip()
        share_request.decided_at = now
        share_request.save(update_fields=["status", "decided_by", "decision_reason", "decided_at"])
        notify(
            recipients=[share_request.requester],
            text=f"Your request about an item of material was {'approved' if approve else 'refused'}.",
            link="/material/requests/mine/",
        )
        audit_record(
            action="material.share_approved" if approve else "material.share_refused",
            actor=actor,
            outcome=Outcome.SUCCESS,
            object_type="material",
            object_id=str(item.pk),
            reason=reason.strip(),
            recipient=share_request.requester.get_username(),
            details=details,
            request=request,
        )
    return share_request


def grant_revoke(
    *,
    actor: User,
    grant: MaterialGrant,
    reason: str,
    request: HttpRequest | None = None,
) -> MaterialGrant:
    """End a live grant now, with a reason. The grant's window closes at this moment, so the
    grantee's very next request (page or API) is decided without it. The grantee is told
    (text and a link, never the item's title or content)."""
    item = MaterialItem.objects.select_related("originator", "data_key", "case").get(
        pk=grant.item_id
    )
    _check_access(actor=actor, item=item, action="material.grant_revoke", request=request)
    grant.item = item
    permission_require(
        actor=actor,
        refusal=grant_revoke_refusal(actor, grant),
        action="material.grant_revoke",
        object_type="material_grant",
        object_id=grant.pk,
        request=request,
    )
    if not (reason or "").strip():
        raise _refuse(
            action="material.grant_revoke",
            actor=actor,
            errors={"reason": ["Enter why the access is revoked"]},
            object_id=str(item.pk),
            request=request,
        )
    with transaction.atomic():
        now = timezone.now()
        was_until = grant.expires_at
        ended = MaterialGrant.objects.filter(pk=grant.pk, expires_at__gt=now).update(expires_at=now)
        if not ended:
            raise ValidationError({"reason": "This access has already ended"})
        grant.expires_at = now
        notify(
            recipients=[grant.user],
            text="Your access to an item of material has been revoked.",
            link="/material/requests/mine/",
        )
        audit_record(
            action="material.grant_revoked",
            actor=actor,
            outcome=Outcome.SUCCESS,
            object_type="material",
            object_id=str(item.pk),
            reason=reason.strip(),
            recipient=grant.user.get_username(),
            details={"grant": grant.pk, "was_until": was_until.isoformat()},
            request=request,
        )
    return grant


# --- Break-glass ---------------------------------------------------------------------------


#: The one refusal for a case that does not exist and one the user is excluded from.
BREAKGLASS_REFUSED = "Break-glass access cannot be opened for this case"


def breakglass_open(
    *, actor: User, case: Case, reason: str, request: HttpRequest | None = None
) -> BreakGlass:
    """Open a case's material outside need-to-know for a short time, with a written reason.
    Never beyond clearance, caveats or an exclusion. Alerts the actor's line manager and the
    case lead (no protected content in the alert) and lands in the review queue."""
    from jointcase.access.policy import DENY_CLAUSES, case_facts_for, moment

    facts = case_facts_for(actor, case.pk)
    if any(clause.holds(facts, moment()) for clause in DENY_CLAUSES):
        with transaction.atomic():
            audit_record(
                action="breakglass.refused",
                actor=actor,
                outcome=Outcome.DENY,
                object_type="case",
                object_id=case.pk,
                reason="excluded",
                request=request,
            )
        raise ValidationError({"reason": BREAKGLASS_REFUSED})
    errors: dict[str, list[str]] = {}
    if len((reason or "").strip()) < 10:
        errors.setdefault("reason", []).append(
            "Enter why you need emergency access (at least 10 characters)"
        )
    if errors:
        raise _refuse(
            action="breakglass.refused",
            actor=actor,
            errors=errors,
            object_type="case",
            object_id=case.pk,
            request=request,
        )
    with transaction.atomic():
        now = timezone.now()
        glass = BreakGlass.objects.create(
            user=actor,
            case=case,
            reason=reason.strip(),
            starts_at=now,
            expires_at=now + dt.timedelta(minutes=breakglass_minutes()),
        )
        leads = [
            member.user
            for member in CaseTeamMember.objects.filter(
                case=case, role=CaseRole.LEAD_NSD_PRACTITIONER, user__isnull=False
            ).select_related("user")
        ]
        recipients = [actor.line_manager, *leads]
        # A generic sentence and a link: the line manager is usually not on the case, so the
        # notice names neither the case, its material nor the opener (DESIGN.md "No leaks").
        sent = len(
            notify(
                recipients=[u for u in recipients if u is not None and u.pk != actor.pk],
                text="Someone opened break-glass access. It needs a review.",
                link="/material/break-glass/review/",
            )
        )
        audit_record(
            action="breakglass.opened",
            actor=actor,
            outcome=Outcome.SUCCESS,
            object_type="case",
            object_id=case.pk,
            reason=reason.strip(),
            details={
                "break_glass": glass.pk,
                "expires_at": glass.expires_at.isoformat(),
                "alerted": sent,
            },
            request=request,
        )
    return glass


def is_senior(user: User) -> bool:
    return user.is_active and user.has_role(*SENIOR_ROLES)


def breakglass_review(
    *,
    actor: User,
    break_glass: BreakGlass,
    outcome: str,
    notes: str,
    request: HttpRequest | None = None,
) -> BreakGlass:
    """A senior records the outcome of a break-glass access (never their own)."""
    if not is_senior(actor):
        raise _deny(
            action="breakglass.review",
            actor=actor,
            object_id=f"breakglass:{break_glass.pk}",
            reason="not_senior",
            request=request,
        )
    permission_require(
        actor=actor,
        refusal=breakglass_review_refusal(actor, break_glass),
        action="breakglass.review",
        object_type="breakglass",
        object_id=break_glass.pk,
        request=request,
    )
    errors: dict[str, list[str]] = {}
    if outcome not in BreakGlassOutcome.values:
        errors.setdefault("outcome", []).append("Select the outcome")
    if not (notes or "").strip():
        errors.setdefault("notes", []).append("Enter your review notes")
    if errors:
        raise _refuse(
            action="breakglass.review",
            actor=actor,
            errors=errors,
            object_type="case",
            object_id=break_glass.case_id,
            request=request,
        )
    with transaction.atomic():
        break_glass.outcome = outcome
        break_glass.review_notes = notes.strip()
        break_glass.reviewed_by = actor
        break_glass.reviewed_at = timezone.now()
        break_glass.save(update_fields=["outcome", "review_notes", "reviewed_by", "reviewed_at"])
        audit_record(
            action="breakglass.reviewed",
            actor=actor,
            outcome=Outcome.SUCCESS,
            object_type="case",
            object_id=break_glass.case_id,
            reason=notes.strip(),
            details={
                "break_glass": break_glass.pk,
                "outcome": outcome,
                "user": break_glass.user.get_username(),
            },
            request=request,
        )
    return break_glass


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
    _check_access(actor=actor, item=item, action="material.retention_change", request=request)
    permission_require(
        actor=actor,
        refusal=retention_refusal(actor, item),
        action="material.retention_change",
        object_id=str(item.pk),
        request=request,
    )
    errors: dict[str, list[str]] = {}
    new_date = retention_clean(retain_until, errors, required=True)
    if not (reason or "").strip():
        errors.setdefault("reason", []).append("Enter why the retention date is changing")
    if not errors and new_date == item.retain_until:
        errors.setdefault("retain_until", []).append("The retention date is unchanged")
    if errors:
        raise _refuse(
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
        _check_access(actor=actor, item=item, action="material.destroy", request=request)
        permission_require(
            actor=actor,
            refusal=destroy_refusal(actor, item),
            action="material.destroy",
            object_id=str(item.pk),
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


def classification_choices() -> list[str]:
    return [level for level in Classification.values]


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
