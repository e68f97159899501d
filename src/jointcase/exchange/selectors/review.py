"""Reads of the linkage review: the queue, one record's linkage with its candidates, and what
a reviewer may see of each candidate person (docs/exchange.md "Linkage review").

Scoped by ``jointcase.access.exchange`` (a record of a source the reader may not review is
answered as missing, with a DENY entry). A candidate person is shown only when the people
app's own rule lets the reviewer see them (``access.policy.person_filter``, each shown person
read through ``people.selectors.person_get_for``, so audited as every person read is);
otherwise the page says only that the register holds a record it manages.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from jointcase.access.acting import permission_require
from jointcase.access.exchange import NOT_FOUND, review_record_filter, review_record_refusal
from jointcase.access.policy import AnyUser, person_filter
from jointcase.accounts.models import User
from jointcase.audit.services import audit_record
from jointcase.exchange.models import (
    LinkCandidate,
    LinkMethod,
    RecordLinkage,
    ReviewDecision,
    SourceRecord,
)
from jointcase.people.models import Person
from jointcase.people.selectors import person_get_for

#: The comparisons of the model, as reviewers read them, in the order the pair page shows.
COMPARISONS = {
    "given_name": "Given name",
    "surname": "Surname",
    "date_of_birth": "Date of birth",
    "address": "Address",
    "pnc_id": "PNC ID",
    "crn": "CRN",
    "prison_number": "Prison number",
}

#: The levels of a comparison (Splink's labels) in plain English.
LEVELS = {
    "exact": "Same",
    "missing": "Not known on one side",
    "disagree": "Different",
    "nickname or variant": "A variant of the same name",
    "swapped": "Given name and surname swapped",
    "day and month swapped": "Day and month swapped",
    "year one out": "Year one out",
    "one digit": "One digit different",
    "same postcode": "Same postcode",
    "same postcode sector": "Same postcode sector",
    "same town": "Same town",
}


def level_label(level: str) -> str:
    if level.startswith("similar"):
        return "Similar"
    return LEVELS.get(level, level.capitalize())


def level_agrees(level: str) -> bool:
    return level not in ("disagree", "missing")


def _key(value: uuid.UUID | str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404(NOT_FOUND) from None


def reviews_for(user: AnyUser, *, show: str = "review") -> QuerySet[RecordLinkage]:
    """Records of the sources ``user`` may review: awaiting review (oldest decision first),
    or ``show="linked"``: linked ones (newest first, to unlink a wrong link)."""
    linkages = RecordLinkage.objects.filter(
        record__in=SourceRecord.objects.filter(review_record_filter(user))
    ).select_related("record")
    if show == "linked":
        return linkages.filter(method__in=[LinkMethod.AUTOMATIC, LinkMethod.REVIEWER]).order_by(
            "-decided_at", "-pk"
        )
    return linkages.filter(method=LinkMethod.AWAITING_REVIEW).order_by("decided_at", "pk")


def linkage_get_for(
    user: User, linkage_id: uuid.UUID | str, *, request: HttpRequest | None = None
) -> RecordLinkage:
    """One record's linkage, if ``user`` may review its source; 404 alike for missing and
    forbidden (the latter audited). Reading it is audited (the record, never its content)."""
    linkage = (
        RecordLinkage.objects.select_related("record", "batch")
        .defer("batch__content")
        .filter(public_id=_key(linkage_id))
        .first()
    )
    if linkage is None:
        raise Http404(NOT_FOUND)
    permission_require(
        actor=user,
        refusal=review_record_refusal(user, linkage.record.source),
        action="exchange.review_read",
        object_type="source_record",
        object_id=str(linkage.public_id),
        request=request,
    )
    with transaction.atomic():
        audit_record(
            action="exchange.review_read",
            actor=user,
            object_type="source_record",
            object_id=str(linkage.public_id),
            details={
                "source": linkage.record.source,
                "source_record_id": linkage.record.source_record_id,
            },
            request=request,
        )
    return linkage


@dataclass
class PersonView:
    """What a reviewer may see of a register person: everything, or only that one exists."""

    visible: bool
    person: Person | None = None
    names: list[str] = field(default_factory=list)
    date_of_birth: Any = None
    addresses: list[str] = field(default_factory=list)
    identifiers: dict[str, str] = field(default_factory=dict)


def person_view_for(user: User, person_id: int, *, request: HttpRequest | None) -> PersonView:
    """A candidate (or linked) person as ``user`` may see them."""
    if not Person.objects.filter(person_filter(user), pk=person_id).exists():
        return PersonView(visible=False)
    public_id = Person.objects.filter(pk=person_id).values_list("public_id", flat=True).get()
    person = person_get_for(user=user, person_id=public_id, request=request)
    identifiers: dict[str, str] = {}
    for type_, value in person.identifiers.values_list("type", "value"):
        key = {"PNC_ID": "pnc_id", "CRN": "crn", "PRISON_NUMBER": "prison_number"}.get(type_)
        if key:
            identifiers.setdefault(key, value)
    return PersonView(
        visible=True,
        person=person,
        names=[f"{n.given_names} {n.family_name}".strip() for n in person.names.all()],
        date_of_birth=person.date_of_birth,
        addresses=[str(a) for a in person.addresses.order_by("valid_to", "-pk")],
        identifiers=identifiers,
    )


def candidates_of(linkage: RecordLinkage) -> list[LinkCandidate]:
    return list(linkage.candidates.order_by("rank", "pk"))


def decisions_of(linkage: RecordLinkage) -> QuerySet[ReviewDecision]:
    return ReviewDecision.objects.filter(record_id=linkage.record_id).select_related("decided_by")


#: The columns of ``jointcase link export`` (docs/exchange.md "Export").
EXPORT_COLUMNS = (
    "source",
    "source_record_id",
    "person_id",
    "resolved_as",
    "match_probability",
    "possible_twin",
    "decided_at",
)

_EXPORT_HOW = {
    LinkMethod.AUTOMATIC: "linked automatically",
    LinkMethod.REVIEWER: "linked by a reviewer",
    LinkMethod.NEW: "new",
    LinkMethod.REVIEWER_NEW: "new after review",
    LinkMethod.AWAITING_REVIEW: "awaiting review",
}


def export_count() -> int:
    return SourceRecord.objects.count()


def export_rows(chunk: int = 5000) -> Any:
    """Every imported source record (a system read for the operator's export): the register
    person it resolved to (public id) and how, in source and record id order."""
    records = (
        SourceRecord.objects.order_by("source", "source_record_id")
        .values_list(
            "source",
            "source_record_id",
            "person__public_id",
            "resolution",
            "linkage__method",
            "linkage__match_probability",
            "linkage__possible_twin",
            "linkage__decided_at",
        )
        .iterator(chunk_size=chunk)
    )
    for source, record_id, person, resolution, method, probability, twin, at in records:
        how = _EXPORT_HOW.get(LinkMethod(method), "") if method else "awaiting linkage"
        if resolution == "awaiting_linkage":
            how = "awaiting linkage"
        yield {
            "source": source,
            "source_record_id": record_id,
            "person_id": str(person) if person and how != "awaiting review" else "",
            "resolved_as": how,
            "match_probability": "" if probability is None else f"{probability:.6f}",
            "possible_twin": "yes" if twin else "no",
            "decided_at": at.isoformat() if at else "",
        }
