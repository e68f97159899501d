"""Small helpers shared by the agency administration tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from jointcase.accounts.models import User
from jointcase.audit.models import AuditEntry


def date_fields(name: str, day: dt.date) -> dict[str, str]:
    """POST data for a GOV.UK date input."""
    return {
        f"{name}-day": str(day.day),
        f"{name}-month": str(day.month),
        f"{name}-year": str(day.year),
    }


def in_days(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def denials(action: str | None = None) -> list[AuditEntry]:
    entries = AuditEntry.objects.filter(outcome="DENY")
    if action:
        entries = entries.filter(action=action)
    return list(entries)


def actions() -> list[str]:
    return list(AuditEntry.objects.filter(outcome="SUCCESS").values_list("action", flat=True))


def nsd_colleague(agency_admin: User, username: str = "nsd.colleague") -> User:
    """Another user of the administrator's own agency, in no team."""
    from tests.factories import UserFactory

    return UserFactory(username=username, agency=agency_admin.agency)  # type: ignore[no-any-return]
