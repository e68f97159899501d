"""Whether cases keep their contact standard: the facts each standard depends on, read in bulk
(a fixed handful of queries for any number of cases, never one per case), then the pure rule of
``supervision.standards``.

These reads are the system's (the nightly run; or a page that already scoped its cases to the
reader): they take case ids the caller may use, and return no case content beyond dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db.models import Max, Q
from django.utils import timezone

from jointcase.cases.models import Case, MappaRegistration, Recall, Sentence
from jointcase.risk.models.assessments import ROSH_RANK, AssessmentStatus, RoshRating
from jointcase.supervision.models import Contact, ContactOutcome
from jointcase.supervision.standards import (
    StandardFacts,
    StandardSet,
    Standing,
    standards_current,
    standing_of,
)


def current_rosh_bulk(case_ids: Sequence[int]) -> dict[int, str]:
    """The overall RoSH of each case: the highest level in the RoSH matrix of its latest
    completed assessment (as ``risk.selectors.assessments.rosh_matrix`` takes it), in one
    query over the completed assessments' cells."""
    latest: dict[int, int] = {}
    highest: dict[int, str] = {}
    for case_id, assessment_id, level in (
        RoshRating.objects.filter(
            assessment__case_id__in=case_ids, assessment__status=AssessmentStatus.COMPLETED
        )
        .order_by("assessment__case_id", "-assessment__completed_at", "-assessment_id")
        .values_list("assessment__case_id", "assessment_id", "level")
    ):
        if latest.setdefault(case_id, assessment_id) != assessment_id:
            continue  # an older assessment's cell
        if case_id not in highest or ROSH_RANK[level] > ROSH_RANK[highest[case_id]]:
            highest[case_id] = level
    return highest


def current_mappa_bulk(case_ids: Sequence[int], today: dt.date) -> dict[int, int]:
    """The MAPPA level of each case's current registration (the latest started)."""
    levels: dict[int, int] = {}
    for case_id, level in (
        MappaRegistration.objects.filter(case_id__in=case_ids, valid_from__lte=today)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .order_by("case_id", "-valid_from", "-pk")
        .values_list("case_id", "level")
    ):
        levels.setdefault(case_id, level)
    return levels


def released_on_bulk(case_ids: Sequence[int], today: dt.date) -> dict[int, dt.date]:
    """The latest release that has happened: the latest sentence's release, or a re-release
    after recall when later (weeks since release count from it)."""
    released: dict[int, dt.date] = {}
    seen: set[int] = set()
    for case_id, day in (
        Sentence.objects.filter(case_id__in=case_ids)
        .order_by("case_id", "-sentence_date", "-pk")
        .values_list("case_id", "released_on")
    ):
        if case_id in seen:
            continue
        seen.add(case_id)
        if day is not None and day <= today:
            released[case_id] = day
    for case_id, day in Recall.objects.filter(
        case_id__in=case_ids, re_released_on__isnull=False, re_released_on__lte=today
    ).values_list("case_id", "re_released_on"):
        if day is not None and (case_id not in released or day > released[case_id]):
            released[case_id] = day
    return released


def last_contacts_bulk(case_ids: Sequence[int], now: dt.datetime) -> dict[int, dict[str, dt.date]]:
    """The day of the latest attended contact of each kind, per case (one grouped query)."""
    last: dict[int, dict[str, dt.date]] = {}
    rows = (
        Contact.objects.filter(
            case_id__in=case_ids,
            outcome=ContactOutcome.ATTENDED,
            occurred_at__lte=now,
            cancelled_at__isnull=True,
        )
        .values("case_id", "kind")
        .annotate(latest=Max("occurred_at"))
        .order_by()
    )
    for row in rows:
        latest = row["latest"]
        day = timezone.localdate(latest) if isinstance(latest, dt.datetime) else latest
        last.setdefault(row["case_id"], {})[row["kind"]] = day
    return last


def standard_facts_bulk(
    case_ids: Sequence[int],
    today: dt.date,
    *,
    known: dict[int, tuple[str, dt.date]] | None = None,
) -> dict[int, StandardFacts]:
    """The facts of each case's standard; ``known``: each case's (phase, opened_at) when the
    caller has already read them (one query fewer)."""
    ids = list(case_ids)
    rosh = current_rosh_bulk(ids)
    mappa = current_mappa_bulk(ids, today)
    released = released_on_bulk(ids, today)
    cases = known
    if cases is None:
        cases = {
            pk: (phase, opened_at)
            for pk, phase, opened_at in Case.objects.filter(pk__in=ids).values_list(
                "pk", "phase", "opened_at"
            )
        }
    wanted = set(ids)
    return {
        pk: StandardFacts(
            phase=phase,
            rosh=rosh.get(pk),
            mappa_level=mappa.get(pk),
            released_on=released.get(pk),
            opened_at=opened_at,
        )
        for pk, (phase, opened_at) in cases.items()
        if pk in wanted
    }


def standings_bulk(
    case_ids: Sequence[int],
    *,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
    standards: StandardSet | None = None,
    known: dict[int, tuple[str, dt.date]] | None = None,
) -> dict[int, Standing]:
    """The standing of each case on ``today`` (at most seven queries, whatever the number of
    cases); ``known`` as for ``standard_facts_bulk``."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    standards = standards or standards_current()
    ids = list(case_ids)
    if not ids:
        return {}
    facts = standard_facts_bulk(ids, today, known=known)
    last = last_contacts_bulk(ids, now)
    return {
        pk: standing_of(standards.for_case(case_facts, today), case_facts, last.get(pk, {}), today)
        for pk, case_facts in facts.items()
    }
