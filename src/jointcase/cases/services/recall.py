"""Recalls to custody and re-release.

See ``jointcase.cases.services`` for what every case service does."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from jointcase.access.cases import (
    acts_on,
    case_write_refusal,
)
from jointcase.cases.models import (
    NOTIFIABLE_COHORTS,
    Case,
    Recall,
    RecallType,
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
from jointcase.cases.signals import case_facts_changed
from jointcase.lib.edits import choice_check

if TYPE_CHECKING:
    from jointcase.accounts.models import User


@acts_on(case_write_refusal, _case, "case.recall_record")
@transaction.atomic
def recall_record(
    *,
    actor: User,
    case: Case,
    recalled_on: dt.date,
    reason: str,
    type: str = RecallType.STANDARD,
    returned_to_custody_on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Recall:
    """Record a recall. Terrorist offenders (TACT, TACT-connected) get standard recall only."""
    choice_check(type, RecallType, "type", "Choose a recall type from the list")
    errors: dict[str, str] = {}
    if not (reason or "").strip():
        errors["reason"] = "Enter the reason for recall"
    if type == RecallType.FIXED_TERM and case.cohort in NOTIFIABLE_COHORTS:
        errors["type"] = (
            "Terrorist and terrorism-connected offenders can only have a standard recall"
        )
    sentence = case.sentences.order_by("-sentence_date", "-pk").first()
    if sentence is None or sentence.released_on is None:
        errors["recalled_on"] = "Only someone released on licence can be recalled"
    elif recalled_on < sentence.released_on:
        errors["recalled_on"] = "The recall date must be on or after the release date"
    if recalled_on > timezone.localdate():
        errors.setdefault("recalled_on", "The recall date cannot be in the future")
    if returned_to_custody_on is not None and returned_to_custody_on < recalled_on:
        errors["returned_to_custody_on"] = "The return to custody must be on or after the recall"
    if errors:
        raise ValidationError(errors)
    recall = Recall.objects.create(
        case=case,
        recalled_on=recalled_on,
        reason=reason.strip(),
        type=type,
        returned_to_custody_on=returned_to_custody_on,
    )
    _touch(case)
    timeline_add(
        case=case,
        kind=TimelineKind.RECALL,
        actor=actor,
        title=f"{RecallType(type).label}",
        description=reason,
        occurred_at=_day_start(recalled_on),
    )
    _audit(
        "case.recall_record",
        actor,
        case,
        request,
        recall_id=recall.pk,
        changes={
            "recalled_on": [None, recalled_on.isoformat()],
            "type": [None, type],
        },
    )
    phase_reevaluate(case=case, actor=actor)
    return recall


@acts_on(case_write_refusal, _case_of("recall"), "case.recall_re_release")
@transaction.atomic
def recall_re_release(
    *, actor: User, recall: Recall, re_released_on: dt.date, request: HttpRequest | None = None
) -> Recall:
    if re_released_on < recall.recalled_on:
        raise ValidationError({"re_released_on": "Re-release must be on or after the recall date"})
    if re_released_on > timezone.localdate():
        raise ValidationError({"re_released_on": "The re-release date cannot be in the future"})
    recall.re_released_on = re_released_on
    recall.save(update_fields=["re_released_on"])
    _touch(recall.case)
    timeline_add(
        case=recall.case,
        kind=TimelineKind.RECALL,
        actor=actor,
        title="Re-released after recall",
        occurred_at=_day_start(re_released_on),
    )
    _audit(
        "case.recall_re_release",
        actor,
        recall.case,
        request,
        recall_id=recall.pk,
        changes={"re_released_on": [None, re_released_on.isoformat()]},
    )
    phase_reevaluate(case=recall.case, actor=actor)
    case_facts_changed.send(sender=Case, case=recall.case, fact="re_release")
    return recall
