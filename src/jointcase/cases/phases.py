"""The phase of a case follows its dates and events (docs/domain.md "Sentence, dates and phases").

``phase_for`` is pure; ``case_facts`` reads the facts it needs from the database. The
pre-release window is a setting (``JOINTCASE_PRE_RELEASE_MONTHS``, default 6).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings

from jointcase.cases.dates import add_months
from jointcase.cases.models import (
    Case,
    CustodyPlacement,
    Licence,
    Phase,
    Recall,
    Sentence,
    SentenceType,
)


@dataclass(frozen=True)
class CaseFacts:
    """What the phase depends on. Dates are facts as recorded (None when not known yet)."""

    closed_at: dt.date | None = None
    #: The latest sentence: type, the release date to plan for and the actual release.
    sentence_type: str | None = None
    expected_release: dt.date | None = None
    released_on: dt.date | None = None
    #: The end of supervision: the current licence's expiry, else LED, else SED.
    licence_ends: dt.date | None = None
    #: The latest recall and its re-release.
    recalled_on: dt.date | None = None
    re_released_on: dt.date | None = None
    #: A current custody placement (remand, or a sentence not yet recorded).
    in_custody_placement: bool = False


def pre_release_months() -> int:
    return int(getattr(settings, "JOINTCASE_PRE_RELEASE_MONTHS", 6))


def phase_for(
    facts: CaseFacts, today: dt.date, pre_release_window_months: int | None = None
) -> str:
    """The phase on ``today``.

    CLOSED once closed; RECALLED from a recall until re-release; in custody, PRE_RELEASE from
    ``window`` months before the expected release (and after it, until actually released),
    CUSTODY before; after release (or without custody) LICENCE until the licence ends, then
    POST_LICENCE. A case with no sentence is in CUSTODY while placed in custody, otherwise
    POST_LICENCE (managed in the community by the police).
    """
    window = (
        pre_release_months() if pre_release_window_months is None else pre_release_window_months
    )
    if facts.closed_at is not None and facts.closed_at <= today:
        return Phase.CLOSED
    if (
        facts.recalled_on is not None
        and facts.recalled_on <= today
        and (facts.re_released_on is None or facts.re_released_on > today)
    ):
        return Phase.RECALLED
    if facts.sentence_type is None:
        return Phase.CUSTODY if facts.in_custody_placement else Phase.POST_LICENCE
    custodial = facts.sentence_type != SentenceType.COMMUNITY_ORDER
    released = facts.released_on is not None and facts.released_on <= today
    if custodial and not released:
        if facts.expected_release is not None and today >= add_months(
            facts.expected_release, -window
        ):
            return Phase.PRE_RELEASE
        return Phase.CUSTODY
    if facts.licence_ends is None or today <= facts.licence_ends:
        return Phase.LICENCE
    return Phase.POST_LICENCE


def case_facts(case: Case) -> CaseFacts:
    """The facts of ``case`` as recorded now (a handful of indexed queries)."""
    sentence = case.sentences.order_by("-sentence_date", "-pk").first()
    licence = case.licences.order_by("-starts_on", "-pk").first()
    recall = case.recalls.order_by("-recalled_on", "-pk").first()
    licence_ends = None
    if licence is not None:
        licence_ends = licence.expires_on
    elif sentence is not None:
        licence_ends = sentence.led or sentence.sed
    return CaseFacts(
        closed_at=case.closed_at,
        sentence_type=sentence.type if sentence else None,
        expected_release=(sentence.prrd or sentence.crd or sentence.ard or sentence.ped)
        if sentence
        else None,
        released_on=sentence.released_on if sentence else None,
        licence_ends=licence_ends,
        recalled_on=recall.recalled_on if recall else None,
        re_released_on=recall.re_released_on if recall else None,
        in_custody_placement=case.placements.filter(valid_to__isnull=True).exists(),
    )


def case_facts_bulk(case_ids: list[int]) -> dict[int, CaseFacts]:
    """``case_facts`` for many cases in four queries (the daily re-evaluation)."""
    sentences: dict[int, Sentence] = {}
    for a_sentence in Sentence.objects.filter(case_id__in=case_ids).order_by(
        "case_id", "-sentence_date", "-pk"
    ):
        sentences.setdefault(a_sentence.case_id, a_sentence)
    licences: dict[int, Licence] = {}
    for a_licence in Licence.objects.filter(case_id__in=case_ids).order_by(
        "case_id", "-starts_on", "-pk"
    ):
        licences.setdefault(a_licence.case_id, a_licence)
    recalls: dict[int, Recall] = {}
    for a_recall in Recall.objects.filter(case_id__in=case_ids).order_by(
        "case_id", "-recalled_on", "-pk"
    ):
        recalls.setdefault(a_recall.case_id, a_recall)
    placed = set(
        CustodyPlacement.objects.filter(case_id__in=case_ids, valid_to__isnull=True).values_list(
            "case_id", flat=True
        )
    )
    facts: dict[int, CaseFacts] = {}
    for case_id, closed_at in Case.objects.filter(pk__in=case_ids).values_list("pk", "closed_at"):
        sentence, licence, recall = (
            sentences.get(case_id),
            licences.get(case_id),
            recalls.get(case_id),
        )
        licence_ends: dt.date | None = None
        if licence is not None:
            licence_ends = licence.expires_on
        elif sentence is not None:
            licence_ends = sentence.led or sentence.sed
        facts[case_id] = CaseFacts(
            closed_at=closed_at,
            sentence_type=sentence.type if sentence else None,
            expected_release=(
                (sentence.prrd or sentence.crd or sentence.ard or sentence.ped)
                if sentence
                else None
            ),
            released_on=sentence.released_on if sentence else None,
            licence_ends=licence_ends,
            recalled_on=recall.recalled_on if recall else None,
            re_released_on=recall.re_released_on if recall else None,
            in_custody_placement=case_id in placed,
        )
    return facts
