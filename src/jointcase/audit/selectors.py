"""Audit reports for auditors. Every selector refuses anyone without the AUDITOR role."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from jointcase.access.roles import is_auditor
from jointcase.audit.models import AuditCheckpoint, AuditEntry, ChainHead, Outcome

BREAK_GLASS_PREFIX = "breakglass."


def _require_auditor(user: Any) -> None:
    if not is_auditor(user):
        raise Http404


def audit_entries_for_object(
    *, user: Any, object_type: str, object_id: str
) -> QuerySet[AuditEntry]:
    """Who accessed a record: every entry about it, newest first."""
    _require_auditor(user)
    return AuditEntry.objects.filter(object_type=object_type, object_id=object_id).order_by("-seq")


def audit_entries_by_user(
    *, user: Any, username: str, date_from: dt.date, date_to: dt.date
) -> QuerySet[AuditEntry]:
    """Everything a user did between two dates (both included, local time), newest first."""
    _require_auditor(user)
    start = timezone.make_aware(dt.datetime.combine(date_from, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min))
    return AuditEntry.objects.filter(
        actor_username=username, occurred_at__gte=start, occurred_at__lt=end
    ).order_by("-seq")


def audit_breakglass_queue(*, user: Any) -> QuerySet[AuditEntry]:
    """Break-glass entries awaiting review, newest first."""
    _require_auditor(user)
    return AuditEntry.objects.filter(action__startswith=BREAK_GLASS_PREFIX).order_by("-seq")


def audit_chain_status(*, user: Any) -> dict[str, Any]:
    _require_auditor(user)
    head = ChainHead.objects.filter(id=1).first()
    latest = AuditCheckpoint.objects.order_by("-seq", "-id").first()
    return {
        "entries": head.seq if head else 0,
        "head_hash": head.entry_hash if head else "",
        "latest_checkpoint": latest,
    }


def changes_of(object_type: str, object_id: Any) -> QuerySet[AuditEntry]:
    """The writes recorded on one object, newest first: its history page's rows. Reads,
    denials and refused attempts are left out (the auditor's pages show those)."""
    return AuditEntry.objects.filter(
        object_type=object_type, object_id=str(object_id), outcome=Outcome.SUCCESS
    ).order_by("-seq")
