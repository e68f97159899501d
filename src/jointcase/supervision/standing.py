"""Whether cases keep their contact standard: the facts each standard depends on, read in the
database as one query for any number of cases (each fact a correlated, indexed subquery on the
case row), then the pure rule of ``supervision.standards``.

One query rather than one per fact because the pages that list standings are dominated by
round trips, not by the database's work: on a busy machine each extra query costs more than
the index lookups it carries. The same expressions serve the nightly run, the case page and
the lists, so the rule is written once.

These reads are the system's (the nightly run; or a page that already scoped its cases to the
reader): they take case ids, or a queryset of cases, the caller may use, and return no case
content beyond dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db.models import Case as CaseWhen
from django.db.models import (
    CharField,
    DateField,
    DateTimeField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
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

#: The names of the annotations ``standing_annotations`` adds to a ``Case`` queryset.
ROSH, MAPPA, SENTENCE_RELEASE, RE_RELEASE = "st_rosh", "st_mappa", "st_released", "st_rereleased"
LAST = "st_last_{}"
#: The names of the annotations ``change_annotations`` adds: the next day a date-bound fact
#: may change (``supervision.standing_store``).
NEXT_RE_RELEASE, NEXT_MAPPA_FROM, LAST_MAPPA_TO, NEXT_CONTACT = (
    "st_next_rereleased",
    "st_next_mappa_from",
    "st_last_mappa_to",
    "st_next_contact",
)
CHANGE_FIELDS = (NEXT_RE_RELEASE, NEXT_MAPPA_FROM, LAST_MAPPA_TO, NEXT_CONTACT)


def current_rosh() -> Subquery:
    """The overall RoSH of the outer case: the highest level in the RoSH matrix of its latest
    completed assessment that has one (as ``risk.selectors.assessments.rosh_matrix`` takes it)."""
    rank = CaseWhen(
        *(When(level=level, then=Value(value)) for level, value in ROSH_RANK.items()),
        default=Value(-1),
        output_field=IntegerField(),
    )
    cells = (
        RoshRating.objects.filter(
            assessment__case_id=OuterRef("pk"), assessment__status=AssessmentStatus.COMPLETED
        )
        .annotate(rank=rank)
        .order_by("-assessment__completed_at", "-assessment_id", "-rank")
        .values("level")[:1]
    )
    return Subquery(cells, output_field=CharField())


def current_mappa(today: dt.date) -> Subquery:
    """The MAPPA level of the outer case's current registration (the latest started)."""
    registrations = (
        MappaRegistration.objects.filter(case_id=OuterRef("pk"), valid_from__lte=today)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .order_by("-valid_from", "-pk")
        .values("level")[:1]
    )
    return Subquery(registrations, output_field=IntegerField())


def _last_attended(kinds: frozenset[str], now: dt.datetime) -> Subquery:
    contacts = (
        Contact.objects.filter(
            case_id=OuterRef("pk"),
            outcome=ContactOutcome.ATTENDED,
            occurred_at__lte=now,
            cancelled_at__isnull=True,
            kind__in=sorted(kinds),
        )
        .order_by("-occurred_at")
        .values("occurred_at")[:1]
    )
    return Subquery(contacts, output_field=DateTimeField())


def _kind_sets(standards: StandardSet) -> list[frozenset[str]]:
    """The distinct sets of counting kinds in the file (a handful: one subquery each)."""
    return list(dict.fromkeys(standard.kinds for standard in standards.standards))


def standing_annotations(
    today: dt.date, now: dt.datetime, standards: StandardSet
) -> dict[str, Any]:
    """Everything a case's standing depends on, as annotations of a ``Case`` queryset: its
    RoSH, MAPPA level, latest sentence's release, latest re-release after recall, and the
    latest attended contact of each set of kinds a standard counts."""
    sentence = Sentence.objects.filter(case_id=OuterRef("pk")).order_by("-sentence_date", "-pk")
    recall = Recall.objects.filter(
        case_id=OuterRef("pk"), re_released_on__isnull=False, re_released_on__lte=today
    ).order_by("-re_released_on")
    annotations: dict[str, Any] = {
        ROSH: current_rosh(),
        MAPPA: current_mappa(today),
        SENTENCE_RELEASE: Subquery(sentence.values("released_on")[:1], output_field=DateField()),
        RE_RELEASE: Subquery(recall.values("re_released_on")[:1], output_field=DateField()),
    }
    for index, kinds in enumerate(_kind_sets(standards)):
        annotations[LAST.format(index)] = _last_attended(kinds, now)
    return annotations


def change_annotations(today: dt.date, now: dt.datetime) -> dict[str, Any]:
    """When the facts of ``standing_annotations`` may next change by the calendar alone, as
    annotations of a ``Case`` queryset: the first re-release after today, the first MAPPA
    registration starting after today, the first still in force ending (its last day), and
    the first attended contact dated after ``now``."""
    recall = Recall.objects.filter(case_id=OuterRef("pk"), re_released_on__gt=today)
    starts = MappaRegistration.objects.filter(case_id=OuterRef("pk"), valid_from__gt=today)
    ends = MappaRegistration.objects.filter(case_id=OuterRef("pk"), valid_to__gte=today)
    later = Contact.objects.filter(
        case_id=OuterRef("pk"),
        outcome=ContactOutcome.ATTENDED,
        occurred_at__gt=now,
        cancelled_at__isnull=True,
    )
    return {
        NEXT_RE_RELEASE: Subquery(
            recall.order_by("re_released_on").values("re_released_on")[:1],
            output_field=DateField(),
        ),
        NEXT_MAPPA_FROM: Subquery(
            starts.order_by("valid_from").values("valid_from")[:1], output_field=DateField()
        ),
        LAST_MAPPA_TO: Subquery(
            ends.order_by("valid_to").values("valid_to")[:1], output_field=DateField()
        ),
        NEXT_CONTACT: Subquery(
            later.order_by("occurred_at").values("occurred_at")[:1],
            output_field=DateTimeField(),
        ),
    }


def standing_fields(standards: StandardSet) -> list[str]:
    """The names to read with ``values``/``values_list`` after ``standing_annotations``,
    besides the case's ``phase`` and ``opened_at``."""
    kinds = [LAST.format(index) for index in range(len(_kind_sets(standards)))]
    return [ROSH, MAPPA, SENTENCE_RELEASE, RE_RELEASE, *kinds]


def released_of(row: dict[str, Any], today: dt.date) -> dt.date | None:
    """The latest release that has happened by ``today``: the latest sentence's, or a
    re-release after recall when later."""
    released = row[SENTENCE_RELEASE]
    if released is not None and released > today:
        released = None
    again = row[RE_RELEASE]
    if again is not None and (released is None or again > released):
        released = again
    return released


def standing_from(row: dict[str, Any], *, today: dt.date, standards: StandardSet) -> Standing:
    """The standing of one case from a row of ``standing_annotations`` (with its ``phase`` and
    ``opened_at``): weeks since release count from the latest release that has happened."""
    released = released_of(row, today)
    facts = StandardFacts(
        phase=row["phase"],
        rosh=row[ROSH],
        mappa_level=row[MAPPA],
        released_on=released,
        opened_at=row["opened_at"],
    )
    standard = standards.for_case(facts, today)
    last_by_kind: dict[str, dt.date] = {}
    if standard is not None:
        index = _kind_sets(standards).index(standard.kinds)
        latest = row[LAST.format(index)]
        if latest is not None:
            day = timezone.localdate(latest) if isinstance(latest, dt.datetime) else latest
            last_by_kind = dict.fromkeys(standard.kinds, day)
    return standing_of(standard, facts, last_by_kind, today)


def standings_of(
    cases: QuerySet[Case],
    *,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
    standards: StandardSet | None = None,
) -> dict[int, Standing]:
    """The standing of each case of ``cases`` on ``today``, in one query."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    standards = standards or standards_current()
    rows = cases.annotate(**standing_annotations(today, now, standards)).values(
        "pk", "phase", "opened_at", *standing_fields(standards)
    )
    return {row["pk"]: standing_from(row, today=today, standards=standards) for row in rows}


def standings_bulk(
    case_ids: Sequence[int],
    *,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
    standards: StandardSet | None = None,
) -> dict[int, Standing]:
    """The standing of each case of ``case_ids`` on ``today`` (one query, whatever the number
    of cases)."""
    ids = list(case_ids)
    if not ids:
        return {}
    return standings_of(
        Case.objects.filter(pk__in=ids).order_by(), today=today, now=now, standards=standards
    )


def current_rosh_bulk(case_ids: Sequence[int]) -> dict[int, str]:
    """The overall RoSH of each case that has one (``current_rosh``)."""
    rows = Case.objects.filter(pk__in=list(case_ids)).annotate(rosh=current_rosh())
    return {pk: level for pk, level in rows.values_list("pk", "rosh") if level is not None}


def current_mappa_bulk(case_ids: Sequence[int], today: dt.date) -> dict[int, int]:
    """The MAPPA level of each case's current registration (``current_mappa``)."""
    rows = Case.objects.filter(pk__in=list(case_ids)).annotate(level=current_mappa(today))
    return {pk: level for pk, level in rows.values_list("pk", "level") if level is not None}
