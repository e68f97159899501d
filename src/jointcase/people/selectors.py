"""Reads of person records, already scoped by ``jointcase.access.policy``."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from jointcase.access.policy import person_decision, person_filter
from jointcase.audit.models import AuditEntry, Outcome
from jointcase.audit.services import audit_record
from jointcase.people.models import Person

if TYPE_CHECKING:
    from jointcase.accounts.models import User

NOT_FOUND = "Person not found"


def person_list_for(*, user: User, now: dt.datetime | None = None) -> QuerySet[Person]:
    return Person.objects.filter(person_filter(user, now=now))


def person_get_for(
    *,
    user: User,
    person_id: int | str,
    request: HttpRequest | None = None,
    action: str = "person.read",
) -> Person:
    """The person, if ``user`` may see them; Http404 otherwise (missing and forbidden alike).
    Writes the audit entry (ALLOW or DENY with the reason) in the same transaction."""
    try:
        pk = int(person_id)
    except (TypeError, ValueError):
        pk = 0
    with transaction.atomic():
        person = Person.objects.filter(pk=pk).first() if pk > 0 else None
        if person is None:
            audit_record(
                action=action,
                actor=user,
                outcome=Outcome.DENY,
                object_type="person",
                object_id=str(person_id)[:64],
                reason="not_found",
                request=request,
            )
            allowed = False
        else:
            decision = person_decision(user, person)
            audit_record(
                action=action,
                actor=user,
                outcome=Outcome.ALLOW if decision.allowed else Outcome.DENY,
                object_type="person",
                object_id=person.pk,
                reason=decision.reason,
                request=request,
            )
            allowed = decision.allowed
    if not allowed or person is None:
        raise Http404(NOT_FOUND)
    return person


def person_history_for(*, person: Person) -> QuerySet[AuditEntry]:
    """Who changed what and when on the record and its parts, newest first."""
    return (
        AuditEntry.objects.filter(object_type="person", object_id=str(person.pk))
        .exclude(action="person.read")
        .order_by("-seq")
    )
