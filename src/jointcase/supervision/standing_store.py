"""Stored contact standings (``CaseStanding``): each case's standing computed once and read by
the lists, instead of derived from the facts on every request.

The staleness rule. A stored standing is read as the case's standing on a day ``today`` (at
an instant ``now``) only when all of these hold, and the case's standing is computed live
(``supervision.standing``) otherwise:

- it was computed under the standards file in force (``standards_digest``);
- it was computed on or before ``today`` and at or before ``now``;
- ``today`` is before its ``stale_on``: the first day after it was computed that a fact may
  change by the calendar alone (the latest sentence's release or a re-release taking effect, a
  MAPPA registration starting or ending, the weeks since release crossing a boundary of the
  file's ``weeks_since_release``, an attended contact dated later coming due).

Whether the case is below its standard is never stored: it is the stored due date against
``today``, so a standing stored before midnight reads right after it, with no run in between.

Everything else a standing depends on changes only through a service, and each stores the
standings it changes in its own transaction (the case row locked first, so two changes of one
case store the later facts): a contact recorded or its outcome recorded (the contact
services); a phase change (``cases.signals.case_phase_changed``); a sentence, recall, re-release
or MAPPA registration (``cases.signals.case_facts_changed``); a risk assessment countersigned
(``risk.signals.assessment_completed``). A planned or cancelled appointment counts for nothing.
The nightly run stores every case's standing again (``standings_store_all``), so a fact
written by any other route (an import, a fix in the database) is read right from the next
night, and a case with no stored standing (just opened) is read live until then.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from jointcase.cases.models import Case
from jointcase.supervision.models import CaseStanding
from jointcase.supervision.standards import Standard, StandardSet, Standing, standards_current
from jointcase.supervision.standing import (
    CHANGE_FIELDS,
    LAST_MAPPA_TO,
    NEXT_CONTACT,
    NEXT_MAPPA_FROM,
    NEXT_RE_RELEASE,
    SENTENCE_RELEASE,
    change_annotations,
    released_of,
    standing_annotations,
    standing_fields,
    standing_from,
    standings_bulk,
)

#: Cases computed and written per statement by the nightly run.
BATCH = 2000
#: The stored fields a reader needs (``stored_standing``), as read through a ``Case`` row
#: (``contact_standing__<field>``).
STORED_FIELDS = (
    "standard_code",
    "standards_digest",
    "last_contact_on",
    "due_on",
    "stale_on",
    "computed_on",
    "computed_at",
)
_UPDATED = [*STORED_FIELDS, "every_days"]


#: Per standards set in force (by identity: hashing a set's rules on every read costs more
#: than the read), its digest, its standards by code and its weeks boundaries.
_KNOWN: dict[int, tuple[StandardSet, str, dict[str, Standard], list[int]]] = {}


def _known(standards: StandardSet) -> tuple[StandardSet, str, dict[str, Standard], list[int]]:
    known = _KNOWN.get(id(standards))
    if known is None or known[0] is not standards:
        bounds = {b for s in standards.standards for b in (s.weeks_from, s.weeks_until)}
        known = (
            standards,
            _digest_of(standards),
            {s.code: s for s in standards.standards},
            sorted(b for b in bounds if b is not None),
        )
        _KNOWN[id(standards)] = known
    return known


def _digest_of(standards: StandardSet) -> str:
    parts = [f"{standards.version}"]
    for s in standards.standards:
        parts.append(
            "|".join(
                [
                    s.code,
                    ",".join(sorted(s.phases)),
                    ",".join(sorted(s.rosh)),
                    ",".join(str(level) for level in sorted(s.mappa_levels)),
                    f"{s.weeks_from}-{s.weeks_until}",
                    str(s.every_days),
                    ",".join(sorted(s.kinds)),
                ]
            )
        )
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def standards_digest(standards: StandardSet | None = None) -> str:
    """A fingerprint of the standards' rules (not their wording): a stored standing made
    under other rules is never read."""
    return _known(standards or standards_current())[1]


def stale_on_of(row: dict[str, Any], *, today: dt.date, standards: StandardSet) -> dt.date | None:
    """The first day after ``today`` on which a date-bound fact of ``row`` (a row of
    ``standing_annotations`` and ``change_annotations``) may change the standing."""
    days: list[dt.date] = []
    release = row[SENTENCE_RELEASE]
    if release is not None and release > today:
        days.append(release)
    for name in (NEXT_RE_RELEASE, NEXT_MAPPA_FROM):
        if row[name] is not None:
            days.append(row[name])
    if row[LAST_MAPPA_TO] is not None:
        days.append(row[LAST_MAPPA_TO] + dt.timedelta(days=1))
    if row[NEXT_CONTACT] is not None:
        days.append(timezone.localdate(row[NEXT_CONTACT]))
    released = released_of(row, today)
    if released is not None:
        weeks = (today - released).days // 7
        bounds = _known(standards)[3]
        index = bisect.bisect_right(bounds, weeks)
        if index < len(bounds):
            days.append(released + dt.timedelta(weeks=bounds[index]))
    return min(days) if days else None


def _computed(
    cases: QuerySet[Case], *, today: dt.date, now: dt.datetime, standards: StandardSet
) -> dict[int, tuple[Standing, dt.date | None]]:
    """Each case's standing and ``stale_on``, in one query."""
    rows = (
        cases.order_by()
        .annotate(**standing_annotations(today, now, standards), **change_annotations(today, now))
        .values("pk", "phase", "opened_at", *standing_fields(standards), *CHANGE_FIELDS)
    )
    return {
        row["pk"]: (
            standing_from(row, today=today, standards=standards),
            stale_on_of(row, today=today, standards=standards),
        )
        for row in rows
    }


def _write(
    computed: dict[int, tuple[Standing, dt.date | None]],
    *,
    today: dt.date,
    now: dt.datetime,
    digest: str,
) -> None:
    rows = [
        CaseStanding(
            case_id=pk,
            standard_code=standing.standard.code if standing.standard else "",
            standards_digest=digest,
            every_days=standing.standard.every_days if standing.standard else None,
            last_contact_on=standing.last_contact_on,
            due_on=standing.due_on,
            stale_on=stale_on,
            computed_on=today,
            computed_at=now,
        )
        for pk, (standing, stale_on) in computed.items()
    ]
    CaseStanding.objects.bulk_create(
        rows,
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["case"],
        update_fields=_UPDATED,
    )


def standings_store(
    case_ids: Iterable[int],
    *,
    now: dt.datetime | None = None,
    today: dt.date | None = None,
    standards: StandardSet | None = None,
) -> dict[int, Standing]:
    """Compute and store the standing of each case of ``case_ids`` (the services that change
    a fact call this in their transaction). The cases' rows are locked first, in id order, so
    a concurrent change of the same case waits and then stores the facts it committed with."""
    ids = sorted(set(case_ids))
    if not ids:
        return {}
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    standards = standards or standards_current()
    with transaction.atomic():
        list(Case.objects.select_for_update().filter(pk__in=ids).order_by("pk").values("pk"))
        computed = _computed(
            Case.objects.filter(pk__in=ids), today=today, now=now, standards=standards
        )
        _write(computed, today=today, now=now, digest=standards_digest(standards))
    return {pk: standing for pk, (standing, _) in computed.items()}


def standings_store_batch(
    case_ids: Sequence[int], *, now: dt.datetime, today: dt.date, standards: StandardSet
) -> dict[int, Standing]:
    """The nightly run's batch: compute and store without locking (one statement to read,
    one to write; a change committed meanwhile stores its own standing again)."""
    computed = _computed(
        Case.objects.filter(pk__in=list(case_ids)), today=today, now=now, standards=standards
    )
    _write(computed, today=today, now=now, digest=standards_digest(standards))
    return {pk: standing for pk, (standing, _) in computed.items()}


def standings_store_all(
    *, now: dt.datetime | None = None, today: dt.date | None = None, batch: int = BATCH
) -> int:
    """Store every case's standing (the seed; the nightly run does the same batch by batch
    as it alerts). Returns how many were stored."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    standards = standards_current()
    ids = list(Case.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        with transaction.atomic():
            standings_store_batch(
                ids[start : start + batch], now=now, today=today, standards=standards
            )
    return len(ids)


def stored_standing(
    row: dict[str, Any],
    *,
    today: dt.date,
    now: dt.datetime,
    standards: StandardSet,
    prefix: str = "",
) -> Standing | None:
    """The standing a stored row gives on ``today`` (its fields ``STORED_FIELDS``, named with
    ``prefix``), or None when the staleness rule says to compute it live."""
    digest = row[f"{prefix}standards_digest"]
    if digest is None or digest != standards_digest(standards):
        return None
    computed_on, computed_at = row[f"{prefix}computed_on"], row[f"{prefix}computed_at"]
    if computed_on > today or computed_at > now:
        return None
    stale_on = row[f"{prefix}stale_on"]
    if stale_on is not None and today >= stale_on:
        return None
    code = row[f"{prefix}standard_code"]
    if not code:
        return Standing(None, None, None, False)
    standard = _known(standards)[2].get(code)
    if standard is None:
        return None
    due_on = row[f"{prefix}due_on"]
    return Standing(standard, row[f"{prefix}last_contact_on"], due_on, due_on < today)


def standings_from_rows(
    rows: Iterable[tuple[int, dict[str, Any] | None]],
    *,
    now: dt.datetime,
    standards: StandardSet,
    prefix: str = "",
) -> dict[int, Standing]:
    """The standing of each case of ``rows`` (pairs of a case id and a row holding its stored
    fields, named with ``prefix``; None where nothing is stored) now: the stored one where the
    staleness rule allows, computed live for the rest (in one query)."""
    today = timezone.localdate(now)
    found: dict[int, Standing] = {}
    live: list[int] = []
    for case_id, row in rows:
        standing = (
            stored_standing(row, today=today, now=now, standards=standards, prefix=prefix)
            if row is not None
            else None
        )
        if standing is None:
            live.append(case_id)
        else:
            found[case_id] = standing
    if live:
        found.update(standings_bulk(live, today=today, now=now, standards=standards))
    return found


def standings_read(
    case_ids: Sequence[int],
    *,
    now: dt.datetime | None = None,
    standards: StandardSet | None = None,
) -> dict[int, Standing]:
    """The standing of each case of ``case_ids`` now: the stored one where the staleness rule
    allows, computed live for the rest (in one query)."""
    ids = list(case_ids)
    if not ids:
        return {}
    stored = {
        row["case_id"]: row
        for row in CaseStanding.objects.filter(case_id__in=ids).values("case_id", *STORED_FIELDS)
    }
    return standings_from_rows(
        ((pk, stored.get(pk)) for pk in ids),
        now=now or timezone.now(),
        standards=standards or standards_current(),
    )
