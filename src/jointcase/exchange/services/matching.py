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
from django.db.models import Count, Max

from jointcase.exchange.linkage.model import Candidate, RegisterMatcher
from jointcase.exchange.linkage.register import register_frame
from jointcase.exchange.records import PERSON_FIELDS
from jointcase.people.models import Address, Identifier, Person, PersonName

#: The record id the incoming record is given (it is matched alone).
ASKED = "asked"

_lock = threading.Lock()
_cached: dict[str, Any] = {"version": None, "matcher": None}


def register_version() -> tuple[Any, ...]:
    """What changes whenever the register's matchable content does: per table, the count, the
    largest id (a row replaced by another) and, for persons, the last update."""
    person = Person.objects.aggregate(n=Count("pk"), top=Max("pk"), changed=Max("updated_at"))
    parts: list[Any] = [person["n"], person["top"], person["changed"]]
    for model in (PersonName, Address, Identifier):
        found = model.objects.aggregate(n=Count("pk"), top=Max("pk"))
        parts += [found["n"], found["top"]]
    return tuple(parts)


def register_matcher() -> RegisterMatcher | None:
    """The process's matcher for the register as it is now (None for an empty register)."""
    version = register_version()
    with _lock:
        if _cached["version"] != version:
            frame = register_frame()
            _cached["matcher"] = RegisterMatcher(frame) if not frame.empty else None
            _cached["version"] = version
        matcher: RegisterMatcher | None = _cached["matcher"]
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
