"""MAPPA registration of a case.

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
    Case,
    MappaCategory,
    MappaRegistration,
    TimelineKind,
)
from jointcase.cases.services._common import (
    _audit,
    _case,
    _touch,
    timeline_add,
)
from jointcase.cases.signals import case_facts_changed
from jointcase.lib.edits import choice_check, jsonable

if TYPE_CHECKING:
    from jointcase.accounts.models import User


@acts_on(case_write_refusal, _case, "case.mappa_register")
@transaction.atomic
def mappa_register(
    *,
    actor: User,
    case: Case,
    category: str,
    level: int,
    review_date: dt.date,
    valid_from: dt.date | None = None,
    request: HttpRequest | None = None,
) -> MappaRegistration:
    """Record a MAPPA registration (category, level, review date); it ends the current one."""
    choice_check(category, MappaCategory, "category", "Choose a MAPPA category from the list")
    try:
        level = int(level)
    except (TypeError, ValueError):
        level = 0
    if level not in (1, 2, 3):
        raise ValidationError({"level": "Choose MAPPA level 1, 2 or 3"})
    start = valid_from or timezone.localdate()
    if review_date < start:
        raise ValidationError(
            {"review_date": "The review date must be on or after the registration date"}
        )
    current = case.mappa_registrations.filter(valid_to__isnull=True).first()
    if current is not None:
        if start < current.valid_from:
            raise ValidationError(
                {"valid_from": "The new registration must start after the current one"}
            )
        current.valid_to = max(current.valid_from, start - dt.timedelta(days=1))
        current.save(update_fields=["valid_to"])
    registration = MappaRegistration.objects.create(
        case=case, category=category, level=level, review_date=review_date, valid_from=start
    )
    _touch(case)
    timeline_add(
        case=case,
        kind=TimelineKind.MAPPA,
        actor=actor,
        title=f"MAPPA category {category[1]} level {level}",
        description=f"Review by {review_date:%d %B %Y}",
    )
    _audit(
        "case.mappa_register",
        actor,
        case,
        request,
        registration_id=registration.pk,
        changes={
            "mappa": [
                f"{current.category}/L{current.level}" if current else None,
                f"{category}/L{level}",
            ],
            "review_date": [
                jsonable(current.review_date) if current else None,
                review_date.isoformat(),
            ],
        },
    )
    case_facts_changed.send(sender=Case, case=case, fact="mappa")
    return registration
