"""Writes of prison training: a course completion recorded by an establishment's prison CT
lead, and an answer to the staff confidence survey.

Each asks ``jointcase.access.training`` first (never trusting the caller), validates every
field before writing (a refused input writes nothing but its DENY audit entry, with the field
names only), and writes the record and its audit entry in one transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jointcase.access.acting import audited_denial, permission_require
from jointcase.access.training import (
    completion_record_decision,
    completion_record_filter,
    completion_record_refusal,
    survey_refusal,
)
from jointcase.accounts.models import User
from jointcase.audit.services import audit_record
from jointcase.lib.text import forbidden_characters_message, has_forbidden_characters
from jointcase.workforce.courses import courses_current
from jointcase.workforce.models import ConfidenceResponse, TrainingCompletion
from jointcase.workforce.models.training import CONFIDENCE_MAX, CONFIDENCE_MIN

if TYPE_CHECKING:
    from django.http import HttpRequest

EVIDENCE_LIMIT = 2000
#: Completions older than this are typing slips (no course is valid for 10 years).
EARLIEST_COMPLETION = dt.date(2000, 1, 1)
STAFF_REFUSED = "Choose a member of staff of your establishment"


def _refuse_invalid(
    *, actor: User, action: str, errors: dict[str, str], request: HttpRequest | None
) -> None:
    """Audit the refused input (field names only, never the values) and raise it."""
    if not errors:
        return
    audited_denial(
        actor=actor,
        action=action,
        reason="invalid_input",
        object_type="training",
        object_id="new",
        request=request,
        details={"fields": sorted(errors)},
    )
    raise ValidationError(errors)


def _staff_for(actor: User, staff: User | str | None) -> User | None:
    """The member of staff named (a user or a username), if ``actor`` may record for them."""
    if staff is None or staff == "":
        return None
    username = staff.username if isinstance(staff, User) else str(staff)
    found = User.objects.filter(completion_record_filter(actor), username=username).first()
    if found is None or not completion_record_decision(actor, found).allowed:
        return None
    return found


def completion_record(
    *,
    actor: User,
    staff: User | str | None,
    course_code: str,
    completed_on: dt.date | None,
    evidence_note: str = "",
    request: HttpRequest | None = None,
) -> TrainingCompletion:
    """Record that ``staff`` completed ``course_code`` on ``completed_on``.

    Only the prison CT lead of the establishment ``staff`` belongs to records it; the course
    must be one the catalogue requires of them there; the date must not be in the future.
    ``expires_on`` is derived from the course's validity, never given."""
    permission_require(
        actor=actor,
        refusal=completion_record_refusal(actor),
        action="training.record",
        object_type="training",
        object_id="new",
        request=request,
    )
    catalogue = courses_current()
    today = timezone.localdate()
    errors: dict[str, str] = {}
    member = _staff_for(actor, staff)
    if member is None:
        errors["staff"] = STAFF_REFUSED
    course = catalogue.courses.get(course_code or "")
    if course is None:
        errors["course"] = "Choose a course from the list"
    elif member is not None:
        agency = member.agency
        required = catalogue.required_for(
            set(member.role_codes),
            separation_centre=bool(agency and agency.holds_separation_centre),
        )
        if course.code not in required:
            errors["course"] = "This course is not required of this member of staff"
    if completed_on is None:
        errors["completed_on"] = "Enter the date the course was completed"
    elif completed_on > today:
        errors["completed_on"] = "The date completed must be today or in the past"
    elif completed_on < EARLIEST_COMPLETION:
        errors["completed_on"] = "The date completed must be in 2000 or later"
    note = (evidence_note or "").strip()
    if has_forbidden_characters(note):
        errors["evidence_note"] = forbidden_characters_message("Evidence")
    elif len(note) > EVIDENCE_LIMIT:
        errors["evidence_note"] = f"Evidence must be {EVIDENCE_LIMIT} characters or fewer"
    _refuse_invalid(actor=actor, action="training.record", errors=errors, request=request)
    assert member is not None
    assert course is not None
    assert completed_on is not None
    with transaction.atomic():
        completion = TrainingCompletion.objects.create(
            staff=member,
            course_code=course.code,
            completed_on=completed_on,
            expires_on=course.expires_on(completed_on),
            courses_version=catalogue.version,
            evidence_note=note,
            recorded_by=actor,
        )
        audit_record(
            action="training.record",
            actor=actor,
            object_type="training",
            object_id=completion.pk,
            details={
                "staff": member.pk,
                "course": course.code,
                "completed_on": completed_on.isoformat(),
                "expires_on": completion.expires_on.isoformat(),
            },
            request=request,
        )
    return completion


def _score(value: Any, field: str, label: str, errors: dict[str, str]) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not CONFIDENCE_MIN <= value <= CONFIDENCE_MAX
    ):
        errors[field] = f"Choose how confident you are to {label}, from 1 to 5"
        return 0
    return value


def confidence_record(
    *,
    actor: User,
    recognise: int | None,
    challenge: int | None,
    request: HttpRequest | None = None,
) -> ConfidenceResponse:
    """Record ``actor``'s answer to the confidence survey at their establishment today."""
    permission_require(
        actor=actor,
        refusal=survey_refusal(actor),
        action="training.survey",
        object_type="survey",
        object_id="new",
        request=request,
    )
    errors: dict[str, str] = {}
    recognise_score = _score(recognise, "recognise", "recognise extremist behaviour", errors)
    challenge_score = _score(challenge, "challenge", "challenge extremist behaviour", errors)
    _refuse_invalid(actor=actor, action="training.survey", errors=errors, request=request)
    assert actor.agency_id is not None
    with transaction.atomic():
        response = ConfidenceResponse.objects.create(
            establishment_id=actor.agency_id,
            respondent=actor,
            answered_on=timezone.localdate(),
            recognise=recognise_score,
            challenge=challenge_score,
        )
        audit_record(
            action="training.survey",
            actor=actor,
            object_type="survey",
            object_id=response.pk,
            request=request,
        )
    return response
