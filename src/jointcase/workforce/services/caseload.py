"""Recording a person's capacity: contracted hours and the reduction for other duties, from a
date (``access.workforce.capacity_set_refusal``: their manager, never themselves). Their stored
caseload figure is recomputed with the record, in its transaction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from jointcase.access.acting import permission_require
from jointcase.access.workforce import capacity_set_refusal
from jointcase.accounts.models import User
from jointcase.audit.services import audit_record
from jointcase.workforce.figures import figures_refresh
from jointcase.workforce.models import CapacityRecord
from jointcase.workforce.weights import weights_current


def capacity_set(
    *,
    actor: User,
    subject: User,
    hours_fraction: Decimal,
    other_duties_reduction: Decimal,
    other_duties: str = "",
    effective_from: dt.date | None = None,
    request: HttpRequest | None = None,
) -> CapacityRecord:
    permission_require(
        actor=actor,
        refusal=capacity_set_refusal(actor, subject),
        action="workforce.capacity_set",
        object_type="user",
        object_id=subject.pk,
        request=request,
    )
    limit = weights_current().max_other_duties_reduction
    errors: dict[str, str] = {}
    if not Decimal("0.05") <= hours_fraction <= 1:
        errors["hours_fraction"] = "Contracted hours must be between 5% and 100% of full time"
    if not 0 <= other_duties_reduction <= limit:
        errors["other_duties_reduction"] = (
            f"The reduction for other duties must be between 0% and {int(limit * 100)}%"
        )
    if other_duties_reduction > 0 and not other_duties.strip():
        errors["other_duties"] = "Say what the other duties are"
    start = effective_from or timezone.localdate()
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        record = CapacityRecord.objects.create(
            user=subject,
            hours_fraction=hours_fraction,
            other_duties_reduction=other_duties_reduction,
            other_duties=other_duties.strip(),
            effective_from=start,
            recorded_by=actor,
        )
        audit_record(
            action="workforce.capacity_set",
            actor=actor,
            object_type="user",
            object_id=subject.pk,
            details={
                "hours_fraction": str(hours_fraction),
                "other_duties_reduction": str(other_duties_reduction),
                "effective_from": start.isoformat(),
            },
            request=request,
        )
        figures_refresh([subject.pk])
    return record
