"""Live matching of one person record against the whole register (docs/exchange.md
"Real-time matching"), for the person form, ``POST /api/v1/persons/matches`` and "Known to
you?".

One ``RegisterMatcher`` per process, kept with the version of the register it was built from:
the number of persons, names, addresses and identifiers with the largest id and last change of
each. Reading the version costs four small aggregate queries; the matcher (the register read,
put in normal form and loaded into DuckDB, a few seconds for 100,000 people) is rebuilt only
when the version has changed, by the first request that sees the change. Matching holds a lock:
one DuckDB connection serves one match at a time.

Security: a system read of the register for matching only. The candidates carry public ids
and probabilities; what a user is shown of them is decided by ``jointcase.access.known``.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

import pandas as pd
from django.db import models
from django.db.models import Count, Max

from jointcase.exchange.linkage.model import Candidate, RegisterMatcher
from jointcase.exchange.linkage.register import register_frame
from jointcase.exchange.records import PERSON_FIELDS
from jointcase.people.models import Address, Identifier, Person, PersonName

#: The record id the incoming record is given (it is matched alone).
ASKED = "asked"

_lock = threading.Lock()
_cached: dict[str, Any] = {"version": None, "matcher": None}

#: The parts of the register a match reads, each with the field naming its person.
_PARTS: tuple[tuple[type[models.Model], str], ...] = (
    (Person, "pk"),
    (PersonName, "person_id"),
    (Address, "person_id"),
    (Identifier, "person_id"),
)

#: Past this many people changed, and this share of the register, a matcher is built afresh
#: rather than updated (a national import, say).
REBUILD_PEOPLE = 1000
REBUILD_SHARE = 0.2


def register_version() -> tuple[Any, ...]:
    """What changes whenever the register's matchable content does: per table, the count, the
    largest id (a row replaced by another) and, for persons, the last update."""
    person = Person.objects.aggregate(n=Count("pk"), top=Max("pk"), changed=Max("updated_at"))
    parts: list[Any] = [person["n"], person["top"], person["changed"]]
    for model in (PersonName, Address, Identifier):
        found = model.objects.aggregate(n=Count("pk"), top=Max("pk"))
        parts += [found["n"], found["top"]]
    return tuple(parts)


def _changed_people(old: tuple[Any, ...], new: tuple[Any, ...]) -> set[int] | None:
    """The people (primary keys) whose matchable content changed between two versions: new
    persons, persons updated since, and owners of new names, addresses and identifiers. None
    when that cannot be told from the rows that are there (a row was deleted, or one with a
    lower id than the newest arrived late): the matcher is then built afresh."""
    changed: set[int] = set()
    for index, (model, owner) in enumerate(_PARTS):
        position = 0 if index == 0 else 1 + 2 * index
        old_count, old_top = old[position], old[position + 1]
        arrived = list(
            model._default_manager.filter(pk__gt=old_top or 0).values_list(owner, flat=True)
        )
        if new[position] != old_count + len(arrived):
            return None
        changed.update(arrived)
    if old[2] is not None:
        changed.update(Person.objects.filter(updated_at__gte=old[2]).values_list("pk", flat=True))
    return changed


def _matcher_update(matcher: RegisterMatcher, changed: set[int]) -> bool:
    """Bring ``matcher`` up to date with the ``changed`` people; False when so many changed
    that a matcher built afresh is the quicker way."""
    if len(changed) > max(REBUILD_PEOPLE, REBUILD_SHARE * len(matcher.register)):
        return False
    public = [
        str(public_id)
        for public_id in Person.objects.filter(pk__in=list(changed)).values_list(
            "public_id", flat=True
        )
    ]
    matcher.update(register_frame(changed), public)
    return True


def register_matcher() -> RegisterMatcher | None:
    """The process's matcher for the register as it is now (None for an empty register).

    After a change to the register the matcher held is updated with the people who changed
    (a new person is matchable at once, in a fraction of the time a full build takes); it is
    built afresh the first time, after a deletion, or when much of the register changed."""
    version = register_version()
    with _lock:
        old, matcher = _cached["version"], _cached["matcher"]
        if old == version:
            return matcher
        changed = _changed_people(old, version) if matcher is not None and old else None
        if matcher is None or changed is None or not _matcher_update(matcher, changed):
            frame = register_frame()
            matcher = RegisterMatcher(frame) if not frame.empty else None
        _cached["matcher"] = matcher
        _cached["version"] = version
        return matcher


def matcher_forget() -> None:
    """Drop the process's matcher (tests; a changed model file)."""
    with _lock:
        _cached["version"] = None
        _cached["matcher"] = None


def record_frame(record: Mapping[str, str]) -> pd.DataFrame:
    """One record in the import format (missing fields empty) as the matcher's input."""
    row = {name: str(record.get(name) or "") for name in PERSON_FIELDS}
    row["source_record_id"] = ASKED
    return pd.DataFrame([row], columns=list(PERSON_FIELDS))


def record_matches(record: Mapping[str, str], *, threshold: float | None = None) -> list[Candidate]:
    """The register persons ``record`` may be, at or above ``threshold`` (by default the lower
    linkage threshold, ``JOINTCASE_LINK_LOWER``), most likely first."""
    matcher = register_matcher()
    if matcher is None:
        return []
    frame = record_frame(record)
    with _lock:
        found = matcher.match(frame, threshold=threshold)
    return sorted(found, key=lambda candidate: candidate.match_weight, reverse=True)
