"""Break-glass: opening a case's material outside need-to-know for a short time, and the
seniors' review of it.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from jointcase.access.acting import audited_denial, permission_require
from jointcase.access.material_acts import (
    breakglass_open_refusal,
    breakglass_review_refusal,
    is_senior,
)
from jointcase.audit.models import Outcome
from jointcase.audit.services import audit_record
from jointcase.cases.models import Case, CaseRole, CaseTeamMember, TimelineKind
from jointcase.cases.services import timeline_add
from jointcase.material.models import (
    BreakGlass,
    BreakGlassOutcome,
)
from jointcase.material.services.common import (
    deny,
    refuse,
)
from jointcase.notifications.services import notify

if TYPE_CHECKING:
    from jointcase.accounts.models import User


def breakglass_minutes() -> int:
    return int(getattr(settings, "JOINTCASE_BREAKGLASS_MINUTES", 30))


# --- Break-glass ---------------------------------------------------------------------------


def breakglass_open(
    *, actor: User, case: Case, reason: str, request: HttpRequest | None = None
) -> BreakGlass:
    """Open a case's material outside need-to-know for a short time, with a written reason.
    Never beyond clearance, caveats or an exclusion. Alerts the actor's line manager and the
    case lead (no protected content in the alert) and lands in the review queue."""
    if refusal := breakglass_open_refusal(actor, case):
        audited_denial(
            actor=actor,
            action="breakglass.refused",
            reason=refusal.reason,
            object_type="case",
            object_id=case.pk,
            request=request,
        )
        raise ValidationError({"reason": refusal.message})
    errors: dict[str, list[str]] = {}
    if len((reason or "").strip()) < 10:
        errors.setdefault("reason", []).append(
            "Enter why you need emergency access (at least 10 characters)"
        )
    if errors:
        raise refuse(
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
        # notice names neither the case, its material nor the opener (docs/design.md "No leaks").
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
        timeline_add(
            case=case,
            kind=TimelineKind.BREAK_GLASS,
            title="Emergency access to the case's material opened",
            actor=actor,
        )
    return glass


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
        raise deny(
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
        raise refuse(
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
