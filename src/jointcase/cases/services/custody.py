"""Custody placements of a case.

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
from jointcase.agencies.models import Agency, AgencyKind
from jointcase.cases.models import (
    Case,
    CustodyPlacement,
    SecurityCategory,
    TimelineKind,
)
from jointcase.cases.services._common import (
    _audit,
    _case,
    _touch,
    timeline_add,
)
from jointcase.cases.services.phases import phase_reevaluate
from jointcase.lib.edits import choice_check

if TYPE_CHECKING:
    from jointcase.accounts.models import User


@acts_on(case_write_refusal, _case, "case.placement_add")
@transaction.atomic
def placement_add(
    *,
    actor: User,
    case: Case,
    establishment: Agency,
    security_category: str,
    in_separation_centre: bool = False,
    valid_from: dt.date | None = None,
    request: HttpRequest | None = None,
) -> CustodyPlacement:
    """Record a custody placement; it ends the current one."""
    if establishment.kind != AgencyKind.PRISON:
        raise ValidationError({"establishment": "Choose a prison"})
    choice_check(
        security_category,
        SecurityCategory,
        "security_category",
        "Choose a security category from the list",
    )
    if in_separation_centre and not establishment.holds_separation_centre:
        raise ValidationError(
            {"in_separation_centre": f"{establishment.name} has no separation centre"}
        )
    start = valid_from or timezone.localdate()
    current = case.placements.filter(valid_to__isnull=True).first()
    if current is not None:
        if start < current.valid_from:
            raise ValidationError(
                {"valid_from": "The new placement must start after the current one"}
            )
        current.valid_to = max(current.valid_from, start - dt.timedelta(days=1))
        current.save(update_fields=["valid_to"])
    placement = CustodyPlacement.objects.create(
        case=case,
        establishment=establishment,
        security_category=security_category,
        in_separation_centre=in_separation_centre,
        valid_from=start,
    )
    _touch(case)
    timeline_add(
        case=case,
        kind=TimelineKind.CUSTODY,
        actor=actor,
        agency=establishment,
        title=f"Placed at {establishment.name}"
        + (" (separation centre)" if in_separation_centre else ""),
        description=SecurityCategory(security_category).label,
    )
    _audit(
        "case.placement_add",
        actor,
        case,
        request,
        placement_id=placement.pk,
        changes={
            "establishment": [current.establishment.code if current else None, establishment.code],
            "security_category": [
                current.security_category if current else None,
                security_category,
            ],
            "in_separation_centre": [
                current.in_separation_centre if current else None,
                in_separation_centre,
            ],
        },
    )
    phase_reevaluate(case=case, actor=actor)
    return placement
