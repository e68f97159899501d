"""Reads of person records, already scoped by ``jointcase.access.policy``."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import HttpRequest

from jointcase.access.policy import person_decision, person_filter
from jointcase.audit.models import AuditEntry
from jointcase.audit.reads import audited_read, uuid_key
from jointcase.audit.selectors import changes_of
from jointcase.people.models import Person

if TYPE_CHECKING:
    from jointcase.accounts.models import User

NOT_FOUND = "Person not found"


def person_list_for(*, user: User, now: dt.datetime | None = None) -> QuerySet[Person]:
    return Person.objects.filter(person_filter(user, now=now))


def person_get_for(
    *,
    user: User,
    person_id: uuid.UUID | str,
    request: HttpRequest | None = None,
    action: str = "person.read",
) -> Person:
    """The person named by their public id (``Person.public_id``), if ``user`` may see them;
    Http404 otherwise (missing, malformed and forbidden alike).
    Writes the audit entry (ALLOW or DENY with the reason) in the same transaction."""
    return audited_read(
        user=user,
        raw_id=person_id,
        key=uuid_key,
        load=lambda public_id: Person.objects.filter(public_id=public_id).first(),
        decide=lambda person: person_decision(user, person),
        action=action,
        object_type="person",
        not_found=NOT_FOUND,
        request=request,
    )


def person_history_for(*, person: Person) -> QuerySet[AuditEntry]:
    """Who changed what and when on the record and its parts, newest first."""
    return changes_of("person", person.pk)
