"""Audit reports for auditors. Every selector refuses anyone without the AUDITOR role."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from jointcase.access.roles import is_auditor
from jointcase.agencies.models import Agency
from jointcase.audit.models import AuditCheckpoint, AuditEntry, ChainHead, Outcome
from jointcase.cases.models import Case
from jointcase.material.models import MaterialItem
from jointcase.people.models import Person

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


def audit_case_by_reference(reference: str) -> Any:
    """The case with this reference, or None: the auditor's search names a case by it."""

    return Case.objects.select_related("person").filter(reference=reference).first()


def audit_people_by_identifier(value: str) -> list[Any]:
    """The people holding an identifier with this value (CRN, prison number, PNC ID or an
    agency's reference; letter case ignored), at most two: enough to tell one from many."""

    return list(Person.objects.filter(identifiers__value__iexact=value).distinct()[:2])


def audit_search(
    *,
    user: Any,
    case: Any = None,
    person: Any = None,
    username: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEntry]:
    """The auditor's search, newest first: entries about the case (its record and its
    material), about the person (their record and their cases'), by the user, in the period
    (both dates included, local time); every filter given must match."""
    _require_auditor(user)
    entries = AuditEntry.objects.all()
    if case is not None:
        entries = entries.filter(_about_cases([case.pk]))
    if person is not None:
        case_ids = list(person.cases.values_list("pk", flat=True))
        entries = entries.filter(
            Q(object_type="person", object_id=str(person.pk)) | _about_cases(case_ids)
        )
    if username:
        entries = entries.filter(actor_username=username)
    if date_from is not None:
        start = timezone.make_aware(dt.datetime.combine(date_from, dt.time.min))
        entries = entries.filter(occurred_at__gte=start)
    if date_to is not None:
        end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min)
        entries = entries.filter(occurred_at__lt=timezone.make_aware(end))
    return entries.order_by("-seq")


def _about_cases(case_ids: list[int]) -> Q:

    items = MaterialItem.objects.filter(case_id__in=case_ids).values_list("pk", flat=True)
    return Q(object_type="case", object_id__in=[str(pk) for pk in case_ids]) | Q(
        object_type="material", object_id__in=[str(pk) for pk in items]
    )


def audit_record_names(entries: list[AuditEntry]) -> dict[tuple[str, str], str]:
    """What the records of these entries are called: a case by its reference, a person by
    their name (one query each, for a page of entries)."""

    wanted: dict[str, set[int]] = {"case": set(), "person": set()}
    for entry in entries:
        if entry.object_type in wanted and entry.object_id.isdigit():
            wanted[entry.object_type].add(int(entry.object_id))
    names: dict[tuple[str, str], str] = {}
    for pk, reference in Case.objects.filter(pk__in=wanted["case"]).values_list("pk", "reference"):
        names[("case", str(pk))] = reference
    for pk, name in Person.objects.filter(pk__in=wanted["person"]).values_list(
        "pk", "display_name"
    ):
        names[("person", str(pk))] = name
    return names


def audit_agency_names(entries: list[AuditEntry]) -> dict[str, str]:
    """The names of the agencies (by code) the actors of these entries belonged to."""

    codes = {entry.actor_agency for entry in entries if entry.actor_agency}
    return dict(Agency.objects.filter(code__in=codes).values_list("code", "name"))


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
