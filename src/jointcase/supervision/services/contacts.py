"""Planning and recording supervision contacts.

Each service asks ``jointcase.access.supervision`` itself (never trusting its caller), checks
every field and raises them together as one ``ValidationError`` (nothing written), then writes
the contact, its sealed notes, the case timeline entry (kind, date, outcome; never the notes)
and the audit entry in one transaction. A recorded contact stores the case's standing again
(``supervision.standing_store``) and, when it brings the case back to its standard, resolves
the open shortfall, in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from jointcase.access.acting import permission_require
from jointcase.access.labels import CLASSIFICATION_RANK, Classification, classification_below
from jointcase.access.material import LabelFields, above_system_high, system_high
from jointcase.access.supervision import (
    contact_change_refusal,
    contact_label_refusal,
    contact_write_refusal,
)
from jointcase.accounts.models import User
from jointcase.agencies.models import Agency, Caveat
from jointcase.audit.services import audit_record
from jointcase.cases.models import Case, TimelineEvent, TimelineKind
from jointcase.lib.edits import ConcurrentEdit, StateConflict
from jointcase.material.crypto import Sealed, keyring_current, label_from, open_sealed, seal
from jointcase.material.keys import data_key_destroy
from jointcase.supervision.models import (
    Contact,
    ContactKind,
    ContactOutcome,
    ContactShortfall,
    Enforcement,
)
from jointcase.supervision.standards import Standing
from jointcase.supervision.standing import standings_bulk
from jointcase.supervision.standing_store import standings_store

NOTES_MAX = 10_000
REASON_MAX = 2_000
#: How far ahead a contact may be planned.
PLAN_HORIZON_DAYS = 366


@dataclass(frozen=True)
class NotesLabel:
    """The label of a contact's notes (default OFFICIAL-SENSITIVE, like minutes)."""

    classification: str = Classification.OFFICIAL_SENSITIVE
    caveats: tuple[Caveat, ...] = field(default_factory=tuple)
    releasable_to: tuple[Agency, ...] = field(default_factory=tuple)


def contact_object_id(contact: Contact) -> str:
    return f"contact-{contact.pk}"


def contact_label(contact: Contact) -> Any:
    """The sealing label of ``contact``'s notes (caveats and agencies by code)."""
    return label_from(
        classification=contact.classification,
        originator=contact.originator.code,
        caveats=[c.code for c in contact.caveats.all()],
        releasable_to=[a.code for a in contact.releasable_to.all()],
    )


def _label_errors(actor: User, label: NotesLabel, errors: dict[str, str]) -> None:
    if label.classification not in CLASSIFICATION_RANK:
        errors["classification"] = "Choose the classification of the notes"
        return
    if above_system_high(label.classification):
        errors["classification"] = (
            f"This system holds nothing above {system_high()}: record a reference to the "
            "notes held elsewhere instead"
        )
        return
    refusal = contact_label_refusal(
        actor,
        LabelFields(
            classification=label.classification,
            caveat_ids=frozenset(c.pk for c in label.caveats),
            releasable_ids=frozenset(a.pk for a in label.releasable_to),
            originator_id=actor.agency_id,
        ),
    )
    if refusal is not None:
        errors["classification"] = refusal.message


def _text_errors(notes: str, errors: dict[str, str]) -> None:
    if len(notes) > NOTES_MAX:
        errors["notes"] = f"Notes must be {NOTES_MAX:,} characters or fewer"


def _outcome_errors(
    *,
    occurred_at: dt.datetime | None,
    outcome: str,
    enforcement: str,
    enforcement_reason: str,
    now: dt.datetime,
    errors: dict[str, str],
) -> None:
    if occurred_at is None:
        errors["occurred_at"] = "Enter the date of the contact"
    if outcome not in ContactOutcome.values:
        errors["outcome"] = "Choose the outcome of the contact"
    elif occurred_at is not None and occurred_at > now:
        errors["occurred_at"] = (
            "A contact cannot be recorded before it happens: the date must be today or earlier"
        )
    if enforcement not in Enforcement.values:
        errors["enforcement"] = "Choose the enforcement action from the list"
    elif enforcement != Enforcement.NONE and not enforcement_reason.strip():
        errors["enforcement_reason"] = "Enter the reason for the enforcement action"
    elif len(enforcement_reason) > REASON_MAX:
        errors["enforcement_reason"] = f"The reason must be {REASON_MAX:,} characters or fewer"
    if outcome == ContactOutcome.ACCEPTABLE_ABSENCE and enforcement in (
        Enforcement.BREACH,
        Enforcement.RECALL_REQUEST,
    ):
        errors["enforcement"] = "An acceptable absence cannot lead to a breach or recall request"


def _kind_errors(kind: str, errors: dict[str, str]) -> None:
    if kind not in ContactKind.values:
        errors["kind"] = "Choose the kind of contact"


def _seal_notes(contact: Contact, notes: str) -> None:
    """Seal ``notes`` under the contact's label (the row must be saved, its label set)."""
    if not notes.strip():
        return
    sealed = seal(
        plaintext=notes.encode("utf-8"),
        object_id=contact_object_id(contact),
        label=contact_label(contact),
    )
    sealed.data_key.save()
    contact.data_key = sealed.data_key
    contact.notes_ciphertext = bytes(sealed.ciphertext)
    contact.save(update_fields=["data_key", "notes_ciphertext"])


def _timeline(contact: Contact, actor: User, title: str, *, at: dt.datetime | None = None) -> None:
    TimelineEvent.objects.create(
        case_id=contact.case_id,
        occurred_at=at or contact.occurred_at or contact.planned_for or timezone.now(),
        agency_id=contact.agency_id,
        kind=TimelineKind.CONTACT,
        title=title[:200],
        actor=actor,
    )


def contact_title(contact: Contact) -> str:
    """What the timeline says of a contact: kind and outcome, never the notes."""
    kind = ContactKind(contact.kind).label
    if contact.outcome:
        title = f"{kind}: {ContactOutcome(contact.outcome).label.lower()}"
        if contact.enforcement != Enforcement.NONE:
            title += f" ({Enforcement(contact.enforcement).label.lower()})"
        return title
    if contact.cancelled_at is not None:
        return f"{kind} cancelled"
    return f"{kind} planned"


def shortfalls_resolve(
    case_ids: Iterable[int],
    *,
    now: dt.datetime | None = None,
    standings: Mapping[int, Standing] | None = None,
) -> int:
    """Resolve the open shortfalls of the cases among ``case_ids`` that keep their standard
    again (``standings``: theirs at ``now``, already computed, as the nightly run has just
    stored them; else computed here). Returns how many were resolved."""
    now = now or timezone.now()
    ids = set(case_ids)
    if standings is None:
        open_ids = set(
            ContactShortfall.objects.filter(
                case_id__in=list(ids), resolved_at__isnull=True
            ).values_list("case_id", flat=True)
        )
        if not open_ids:
            return 0
        standings = standings_bulk(sorted(open_ids), now=now)
    back = [pk for pk, standing in standings.items() if pk in ids and not standing.below]
    return ContactShortfall.objects.filter(case_id__in=back, resolved_at__isnull=True).update(
        resolved_at=now
    )


def _practitioner_of(actor: User, practitioner: User | None) -> User:
    return practitioner or actor


def _audit(
    action: str, actor: User, contact: Contact, request: HttpRequest | None, **details: Any
) -> None:
    audit_record(
        action=action,
        actor=actor,
        object_type="contact",
        object_id=contact.pk,
        details={"case": contact.case_id, "kind": contact.kind, **details},
        request=request,
    )


def _new_contact(actor: User, case: Case, kind: str, label: NotesLabel, **fields: Any) -> Contact:
    contact = Contact.objects.create(
        case=case,
        kind=kind,
        agency_id=int(actor.agency_id or 0),
        originator_id=int(actor.agency_id or 0),
        classification=label.classification,
        recorded_by=actor,
        **fields,
    )
    contact.caveats.set(label.caveats)
    contact.releasable_to.set(label.releasable_to)
    return contact


def _write_require(actor: User, case: Case, action: str, request: HttpRequest | None) -> None:
    permission_require(
        actor=actor,
        refusal=contact_write_refusal(actor, case),
        action=action,
        object_type="case",
        object_id=case.pk,
        request=request,
    )


def contact_plan(
    *,
    actor: User,
    case: Case,
    kind: str,
    planned_for: dt.datetime | None,
    notes: str = "",
    label: NotesLabel | None = None,
    practitioner: User | None = None,
    request: HttpRequest | None = None,
) -> Contact:
    """Plan an appointment with the person on ``case``, held by ``practitioner`` (the actor
    unless given)."""
    _write_require(actor, case, "contact.plan", request)
    with transaction.atomic():
        label = label or NotesLabel()
        now = timezone.now()
        errors: dict[str, str] = {}
        _kind_errors(kind, errors)
        if planned_for is None:
            errors["planned_for"] = "Enter the date of the appointment"
        elif timezone.localdate(planned_for) < timezone.localdate(now):
            errors["planned_for"] = "An appointment must be planned for today or later"
        elif planned_for > now + dt.timedelta(days=PLAN_HORIZON_DAYS):
            errors["planned_for"] = "Plan appointments up to a year ahead"
        _text_errors(notes, errors)
        _label_errors(actor, label, errors)
        if errors:
            raise ValidationError(errors)
        contact = _new_contact(
            actor,
            case,
            kind,
            label,
            practitioner=_practitioner_of(actor, practitioner),
            planned_for=planned_for,
        )
        _seal_notes(contact, notes)
        _timeline(contact, actor, contact_title(contact))
        _audit("contact.plan", actor, contact, request, planned_for=str(planned_for))
        return contact


def contact_record(
    *,
    actor: User,
    case: Case,
    kind: str,
    occurred_at: dt.datetime | None,
    outcome: str,
    enforcement: str = Enforcement.NONE,
    enforcement_reason: str = "",
    notes: str = "",
    label: NotesLabel | None = None,
    request: HttpRequest | None = None,
) -> Contact:
    """Record a contact that was not planned (an unannounced home visit, a call)."""
    _write_require(actor, case, "contact.record", request)
    with transaction.atomic():
        label = label or NotesLabel()
        now = timezone.now()
        errors: dict[str, str] = {}
        _kind_errors(kind, errors)
        _outcome_errors(
            occurred_at=occurred_at,
            outcome=outcome,
            enforcement=enforcement,
            enforcement_reason=enforcement_reason,
            now=now,
            errors=errors,
        )
        _text_errors(notes, errors)
        _label_errors(actor, label, errors)
        if errors:
            raise ValidationError(errors)
        contact = _new_contact(
            actor,
            case,
            kind,
            label,
            practitioner=actor,
            occurred_at=occurred_at,
            outcome=outcome,
            enforcement=enforcement,
            enforcement_reason=enforcement_reason.strip(),
        )
        _seal_notes(contact, notes)
        _timeline(contact, actor, contact_title(contact))
        _audit("contact.record", actor, contact, request, outcome=outcome, enforcement=enforcement)
        standings_store([case.pk], now=now)
        shortfalls_resolve([case.pk], now=now)
        return contact


CANCEL_REASON_MAX = 1000


def contact_cancel(
    *,
    actor: User,
    contact: Contact,
    expected_version: int,
    reason: str,
    request: HttpRequest | None = None,
) -> Contact:
    """Call off a planned appointment before it takes place, with the reason. It stays on the
    case's record (and timeline) as cancelled, counts for nothing against the standard and waits
    for no outcome. A stale ``expected_version`` raises ``ConcurrentEdit`` and writes nothing."""
    permission_require(
        actor=actor,
        refusal=contact_change_refusal(actor, contact),
        action="contact.cancel",
        object_type="contact",
        object_id=contact.pk,
        request=request,
    )
    with transaction.atomic():
        current = Contact.objects.select_for_update().get(pk=contact.pk)
        if current.version != expected_version:
            raise ConcurrentEdit()
        errors: dict[str, str] = {}
        reason = reason.strip()
        if current.cancelled_at is not None:
            raise StateConflict({"reason": "This appointment has already been cancelled"})
        if current.outcome:
            raise StateConflict(
                {"reason": "This contact has been recorded: it can no longer be cancelled"}
            )
        if not reason:
            errors["reason"] = "Enter why the appointment is cancelled"
        elif len(reason) > CANCEL_REASON_MAX:
            errors["reason"] = f"The reason must be {CANCEL_REASON_MAX:,} characters or fewer"
        if errors:
            raise ValidationError(errors)
        now = timezone.now()
        updated = Contact.objects.filter(pk=current.pk, version=expected_version).update(
            cancelled_at=now,
            cancel_reason=reason,
            cancelled_by=actor,
            updated_at=now,
            version=F("version") + 1,
        )
        if updated != 1:
            raise ConcurrentEdit()
        current.refresh_from_db()
        _timeline(current, actor, contact_title(current), at=now)
        _audit("contact.cancel", actor, current, request)
        return current


def _notes_open(contact: Contact) -> str:
    if contact.data_key is None or contact.notes_ciphertext is None:
        return ""
    return open_sealed(
        sealed=Sealed(data_key=contact.data_key, ciphertext=bytes(contact.notes_ciphertext)),
        object_id=contact_object_id(contact),
        label=contact_label(contact),
        keyring=keyring_current(),
    ).decode("utf-8")


def _outcome_lock(contact: Contact, expected_version: int) -> Contact:
    """The contact, locked, still at the version the user saw and still awaiting its outcome."""
    # Locked alone: PostgreSQL locks no nullable side of an outer join (the data key).
    current = Contact.objects.select_for_update().get(pk=contact.pk)
    if current.version != expected_version:
        raise ConcurrentEdit()
    if current.cancelled_at is not None:
        raise StateConflict({"outcome": "This appointment was cancelled"})
    if current.outcome:
        raise StateConflict({"outcome": "This contact has already been recorded"})
    return current


def _outcome_clean(
    *,
    actor: User,
    current: Contact,
    occurred_at: dt.datetime | None,
    outcome: str,
    enforcement: str,
    enforcement_reason: str,
    notes: str,
    label: NotesLabel | None,
) -> tuple[NotesLabel, NotesLabel]:
    """The notes' new label and the one they had, once every field is checked: the label
    may rise, never fall."""
    errors: dict[str, str] = {}
    _outcome_errors(
        occurred_at=occurred_at,
        outcome=outcome,
        enforcement=enforcement,
        enforcement_reason=enforcement_reason,
        now=timezone.now(),
        errors=errors,
    )
    _text_errors(notes, errors)
    previous = NotesLabel(
        classification=current.classification,
        caveats=tuple(current.caveats.all()),
        releasable_to=tuple(current.releasable_to.all()),
    )
    label = label or previous
    if classification_below(label.classification, previous.classification):
        errors["classification"] = (
            f"The notes are already {previous.classification}: a classification cannot be lowered"
        )
    _label_errors(actor, label, errors)
    if errors:
        raise ValidationError(errors)
    return label, previous


def _notes_reseal(
    actor: User, current: Contact, text: str, *, previous: NotesLabel, label: NotesLabel
) -> None:
    """The notes sealed again under their new label (caveats only ever added), and the old
    data key destroyed."""
    old_key = current.data_key
    current.caveats.set(set(previous.caveats) | set(label.caveats))
    current.releasable_to.set(label.releasable_to)
    current.data_key = None
    current.notes_ciphertext = None
    current.save(update_fields=["data_key", "notes_ciphertext"])
    _seal_notes(current, text)
    if old_key is not None:
        data_key_destroy(actor=actor, data_key=old_key, reason="contact notes resealed")


def contact_outcome_record(
    *,
    actor: User,
    contact: Contact,
    expected_version: int,
    occurred_at: dt.datetime | None,
    outcome: str,
    enforcement: str = Enforcement.NONE,
    enforcement_reason: str = "",
    notes: str = "",
    label: NotesLabel | None = None,
    request: HttpRequest | None = None,
) -> Contact:
    """Record what happened at a planned contact. A stale ``expected_version`` (someone
    recorded it first) raises ``ConcurrentEdit`` and writes nothing. Notes added here join the
    planning notes, sealed under a label never lower than the one they had."""
    permission_require(
        actor=actor,
        refusal=contact_change_refusal(actor, contact),
        action="contact.outcome",
        object_type="contact",
        object_id=contact.pk,
        request=request,
    )
    with transaction.atomic():
        current = _outcome_lock(contact, expected_version)
        label, previous = _outcome_clean(
            actor=actor,
            current=current,
            occurred_at=occurred_at,
            outcome=outcome,
            enforcement=enforcement,
            enforcement_reason=enforcement_reason,
            notes=notes,
            label=label,
        )
        text = notes.strip()
        relabel = label != previous or bool(text)
        if relabel:
            earlier = _notes_open(current)
            text = "\n\n".join(part for part in (earlier, text) if part)
        updated = Contact.objects.filter(pk=current.pk, version=expected_version).update(
            occurred_at=occurred_at,
            outcome=outcome,
            enforcement=enforcement,
            enforcement_reason=enforcement_reason.strip(),
            classification=label.classification,
            recorded_by=actor,
            updated_at=timezone.now(),
            version=F("version") + 1,
        )
        if updated != 1:
            raise ConcurrentEdit()
        current.refresh_from_db()
        if relabel:
            _notes_reseal(actor, current, text, previous=previous, label=label)
        _timeline(current, actor, contact_title(current))
        _audit(
            "contact.outcome",
            actor,
            current,
            request,
            outcome=outcome,
            enforcement=enforcement,
            version=current.version,
        )
        standings_store([current.case_id])
        shortfalls_resolve([current.case_id])
        return current
