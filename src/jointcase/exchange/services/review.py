"""Reviewers' decisions on imported records (docs/exchange.md "Linkage review").

- **Link** a record under review to one of its candidates: the record is linked, by a
  reviewer, to that person.
- **Keep apart** a record and a candidate: the candidate is set aside; the record stays in
  review with its other candidates, or, when none is left, becomes a new person (created by
  the reviewer, through the people services).
- **Unlink** a linked record (linked automatically or by a reviewer): the pair is kept apart
  from then on, and the record goes where a keep-apart sends it (review with its other
  candidates, else a new person). Neither side loses anything: linking never copied the
  record into the person, so the person keeps every detail it had and the record keeps its
  own, now with a person of its own.

Every decision is a ``ReviewDecision`` (who, when, why) that no later linkage run overrides
(``services.linking.standing_decisions``), and an audit entry. Each refusal is decided by
``jointcase.access.exchange.review_record_refusal`` (a record of a source the reviewer may
not review is answered as missing, with a DENY entry).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from jointcase.access.acting import permission_require
from jointcase.access.exchange import review_record_refusal
from jointcase.accounts.models import User
from jointcase.audit.services import audit_record
from jointcase.exchange.models import (
    LinkCandidate,
    LinkMethod,
    RecordLinkage,
    Resolution,
    ReviewAction,
    ReviewDecision,
    SourceRecord,
)
from jointcase.exchange.services.linking import record_fields
from jointcase.people.services import people_create_from_records

REASON_MAX = 500


def _reason_clean(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter the reason for your decision"})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": f"The reason must be {REASON_MAX} characters or fewer"})
    return reason


def _permit(actor: User, linkage: RecordLinkage, action: str, request: HttpRequest | None) -> None:
    permission_require(
        actor=actor,
        refusal=review_record_refusal(actor, linkage.record.source),
        action=action,
        object_type="source_record",
        object_id=str(linkage.public_id),
        request=request,
    )


def _locked(linkage: RecordLinkage) -> tuple[RecordLinkage, SourceRecord]:
    record = SourceRecord.objects.select_for_update().get(pk=linkage.record_id)
    fresh = RecordLinkage.objects.select_for_update().get(pk=linkage.pk)
    fresh.record = record
    return fresh, record


def _candidate(linkage: RecordLinkage, candidate_id: int | str) -> LinkCandidate:
    try:
        return linkage.candidates.get(pk=int(candidate_id))
    except (ValueError, TypeError, LinkCandidate.DoesNotExist):
        raise ValidationError(
            {"candidate": "Choose one of the people this record may be"}
        ) from None


def _audit(
    action: str,
    actor: User,
    linkage: RecordLinkage,
    reason: str,
    request: HttpRequest | None,
    **details: object,
) -> None:
    audit_record(
        action=action,
        actor=actor,
        object_type="source_record",
        object_id=str(linkage.public_id),
        reason=reason,
        details={
            "source": linkage.record.source,
            "source_record_id": linkage.record.source_record_id,
            **details,
        },
        request=request,
    )


def _decide_on_candidate(
    *,
    actor: User,
    linkage: RecordLinkage,
    candidate_id: int | str,
    reason: str,
    action: ReviewAction,
) -> tuple[RecordLinkage, SourceRecord, LinkCandidate]:
    """The steps every decision on a candidate shares, inside the caller's transaction (the
    caller has already checked the reviewer and the reason): the record still awaiting review,
    locked; one of its candidates; the decision stored. The caller applies and audits it."""
    linkage, record = _locked(linkage)
    if record.resolution != Resolution.REVIEW:
        raise ValidationError({"candidate": "This record is no longer awaiting review"})
    candidate = _candidate(linkage, candidate_id)
    ReviewDecision.objects.create(
        record=record,
        person_id=candidate.person_id,
        action=action,
        reason=reason,
        match_probability=candidate.match_probability,
        decided_by=actor,
    )
    return linkage, record, candidate


def review_link(
    *,
    actor: User,
    linkage: RecordLinkage,
    candidate_id: int | str,
    reason: str,
    request: HttpRequest | None = None,
) -> RecordLinkage:
    """Link a record under review to one of its candidates."""
    _permit(actor, linkage, "exchange.review_link", request)
    reason = _reason_clean(reason)
    with transaction.atomic():
        linkage, record, candidate = _decide_on_candidate(
            actor=actor,
            linkage=linkage,
            candidate_id=candidate_id,
            reason=reason,
            action=ReviewAction.LINK,
        )
        record.resolution = Resolution.LINKED
        record.person_id = candidate.person_id
        record.save(update_fields=["resolution", "person"])
        linkage.method = LinkMethod.REVIEWER
        linkage.match_probability = candidate.match_probability
        linkage.decided_at = timezone.now()
        linkage.save(update_fields=["method", "match_probability", "decided_at"])
        _audit(
            "exchange.review_link",
            actor,
            linkage,
            reason,
            request,
            person=candidate.person_id,
            match_probability=f"{candidate.match_probability:.6f}",
        )
    return linkage


def _set_apart(
    actor: User, linkage: RecordLinkage, record: SourceRecord, person_id: int
) -> RecordLinkage:
    """After a keep-apart or an unlink: review with the candidates left, else a new person."""
    LinkCandidate.objects.filter(linkage=linkage, person_id=person_id).delete()
    left = list(linkage.candidates.order_by("rank", "pk"))
    linkage.decided_at = timezone.now()
    if left:
        record.resolution = Resolution.REVIEW
        record.person = None
        linkage.method = LinkMethod.AWAITING_REVIEW
        linkage.match_probability = max(c.match_probability for c in left)
        linkage.possible_twin = any(c.possible_twin for c in left)
    else:
        (person,) = people_create_from_records(actor=actor, records=[record_fields(record)])
        record.resolution = Resolution.NEW_PERSON
        record.person = person
        linkage.method = LinkMethod.REVIEWER_NEW
        linkage.match_probability = None
    record.save(update_fields=["resolution", "person"])
    linkage.save(update_fields=["method", "match_probability", "possible_twin", "decided_at"])
    return linkage


def review_keep_apart(
    *,
    actor: User,
    linkage: RecordLinkage,
    candidate_id: int | str,
    reason: str,
    request: HttpRequest | None = None,
) -> RecordLinkage:
    """Keep a record under review apart from one of its candidates."""
    _permit(actor, linkage, "exchange.review_keep_apart", request)
    reason = _reason_clean(reason)
    with transaction.atomic():
        linkage, record, candidate = _decide_on_candidate(
            actor=actor,
            linkage=linkage,
            candidate_id=candidate_id,
            reason=reason,
            action=ReviewAction.KEEP_APART,
        )
        linkage = _set_apart(actor, linkage, record, candidate.person_id)
        _audit(
            "exchange.review_keep_apart",
            actor,
            linkage,
            reason,
            request,
            person=candidate.person_id,
            outcome=linkage.method,
            new_person=record.person_id,
        )
    return linkage


def record_unlink(
    *,
    actor: User,
    linkage: RecordLinkage,
    reason: str,
    request: HttpRequest | None = None,
) -> RecordLinkage:
    """Unlink a record linked (automatically or by a reviewer) to a person."""
    _permit(actor, linkage, "exchange.review_unlink", request)
    reason = _reason_clean(reason)
    with transaction.atomic():
        linkage, record = _locked(linkage)
        if record.resolution != Resolution.LINKED or record.person_id is None:
            raise ValidationError({"reason": "This record is not linked to a person"})
        person_id = record.person_id
        ReviewDecision.objects.create(
            record=record,
            person_id=person_id,
            action=ReviewAction.UNLINK,
            reason=reason,
            match_probability=linkage.match_probability,
            decided_by=actor,
        )
        linkage = _set_apart(actor, linkage, record, person_id)
        _audit(
            "exchange.review_unlink",
            actor,
            linkage,
            reason,
            request,
            person=person_id,
            outcome=linkage.method,
            new_person=record.person_id,
        )
    return linkage
