"""Licences and their conditions.

See ``jointcase.cases.services`` for what every case service does."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from jointcase.access.cases import (
    acts_on,
    case_write_refusal,
)
from jointcase.cases.conditions import catalogue, condition_parameters_clean
from jointcase.cases.models import (
    Case,
    Licence,
    LicenceCondition,
    ReviewFrequency,
    Sentence,
    TimelineKind,
)
from jointcase.cases.services._common import (
    _audit,
    _case,
    _case_of,
    _day_start,
    _touch,
    timeline_add,
)
from jointcase.cases.services.phases import phase_reevaluate
from jointcase.lib.edits import choice_check

if TYPE_CHECKING:
    from jointcase.accounts.models import User


@acts_on(case_write_refusal, _case, "case.licence_add")
@transaction.atomic
def licence_add(
    *,
    actor: User,
    case: Case,
    starts_on: dt.date,
    expires_on: dt.date,
    sentence: Sentence | None = None,
    request: HttpRequest | None = None,
) -> Licence:
    errors: dict[str, str] = {}
    if expires_on < starts_on:
        errors["expires_on"] = "The licence expiry date must be after the release date"
    if sentence is not None:
        if sentence.case_id != case.pk:
            errors["sentence"] = "Choose a sentence of this case"
        elif starts_on < sentence.sentence_date:
            errors["starts_on"] = "The licence cannot start before the sentence date"
    if errors:
        raise ValidationError(errors)
    licence = Licence.objects.create(
        case=case, sentence=sentence, starts_on=starts_on, expires_on=expires_on
    )
    _touch(case)
    timeline_add(
        case=case,
        kind=TimelineKind.LICENCE,
        actor=actor,
        title="Licence issued",
        description=f"{starts_on:%d %B %Y} to {expires_on:%d %B %Y}",
        occurred_at=_day_start(starts_on) if starts_on <= timezone.localdate() else None,
    )
    _audit(
        "case.licence_add",
        actor,
        case,
        request,
        licence_id=licence.pk,
        changes={
            "starts_on": [None, starts_on.isoformat()],
            "expires_on": [None, expires_on.isoformat()],
        },
    )
    phase_reevaluate(case=case, actor=actor)
    return licence


@acts_on(case_write_refusal, _case_of("licence"), "case.licence_condition_add")
@transaction.atomic
def licence_condition_add(
    *,
    actor: User,
    licence: Licence,
    code: str,
    parameters: dict[str, Any] | None = None,
    review_frequency: str | None = None,
    added_on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> LicenceCondition:
    """Add a condition from the catalogue; parameters are validated against its schema."""
    cleaned = condition_parameters_clean(code, parameters)
    spec = catalogue()[code]
    frequency = review_frequency or spec.review_frequency
    choice_check(
        frequency, ReviewFrequency, "review_frequency", "Choose a review frequency from the list"
    )
    condition = LicenceCondition.objects.create(
        licence=licence,
        code=code,
        parameters=cleaned,
        review_frequency=frequency,
        added_on=added_on or timezone.localdate(),
    )
    _touch(licence.case)
    timeline_add(
        case=licence.case,
        kind=TimelineKind.LICENCE,
        actor=actor,
        title=f"Licence condition added: {spec.title}",
    )
    _audit(
        "case.licence_condition_add",
        actor,
        licence.case,
        request,
        condition_id=condition.pk,
        changes={
            "condition": [None, code],
            "parameters": [None, cleaned],
            "review_frequency": [None, frequency],
        },
    )
    return condition


@acts_on(case_write_refusal, _case_of("condition", "licence"), "case.licence_condition_remove")
@transaction.atomic
def licence_condition_remove(
    *,
    actor: User,
    condition: LicenceCondition,
    removed_on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> LicenceCondition:
    day = removed_on or timezone.localdate()
    if day < condition.added_on:
        raise ValidationError({"removed_on": "The condition cannot end before it was added"})
    condition.removed_on = day
    condition.save(update_fields=["removed_on"])
    case = condition.licence.case
    _touch(case)
    timeline_add(
        case=case,
        kind=TimelineKind.LICENCE,
        actor=actor,
        title=f"Licence condition removed: {condition}",
    )
    _audit(
        "case.licence_condition_remove",
        actor,
        case,
        request,
        condition_id=condition.pk,
        changes={"removed_on": [None, day.isoformat()]},
    )
    return condition
