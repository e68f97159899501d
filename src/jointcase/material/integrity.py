"""Integrity of the label summary columns (operators run it; see docs/operations.md).

``MaterialItem.has_caveats`` and ``releasability_restricted`` summarise the label's sets so
the access filter can test a column instead of probing the join tables. The signal receivers
(``jointcase.material.signals``) and the seed keep them equal to the sets; a row changed
outside them (a manual SQL fix, a restore of one table) could disagree, and then the list
filter and the single-object decision would no longer say the same thing. This check finds
such rows (one query over the items, each side an ``EXISTS`` probe) and, with ``repair``,
re-derives the columns from the sets, which are the truth.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from jointcase.lib.models import through_of
from jointcase.material.models import MaterialItem
from jointcase.material.signals import SUMMARY_COLUMNS, summary_refresh

#: How many disagreeing item ids a report lists (the counts are always complete).
SAMPLE = 20


@dataclass(frozen=True)
class SummaryReport:
    """What the check found: disagreeing items per column (with a sample of their ids)."""

    checked: int
    mismatched: dict[str, int]
    sample: dict[str, list[uuid.UUID]] = field(default_factory=dict)
    repaired: bool = False

    @property
    def ok(self) -> bool:
        return not any(self.mismatched.values())

    def lines(self) -> list[str]:
        if self.ok:
            return [f"Label summary columns agree with the labels of {self.checked} items."]
        verb = "repaired" if self.repaired else "found"
        out = []
        for column, count in self.mismatched.items():
            if count:
                ids = ", ".join(str(pk) for pk in self.sample.get(column, []))
                out.append(f"{column}: {count} items disagree with their label ({verb}): {ids}")
        return out


def label_summary_mismatches(field_name: str) -> QuerySet[MaterialItem]:
    """Items whose summary column for ``field_name`` ("caveats" or "releasable_to") disagrees
    with the stored set."""
    column = SUMMARY_COLUMNS[field_name]
    through = through_of(MaterialItem, field_name)
    stored = Exists(through._default_manager.filter(materialitem_id=OuterRef("pk")))
    return MaterialItem.objects.filter(
        (Q(**{column: True}) & ~Q(stored)) | (Q(**{column: False}) & Q(stored))
    ).order_by()


def label_summary_check(*, repair: bool = False) -> SummaryReport:
    """Check every item's summary columns against its label's sets; ``repair`` re-derives the
    disagreeing ones (in one transaction)."""
    mismatched: dict[str, int] = {}
    sample: dict[str, list[uuid.UUID]] = {}
    with transaction.atomic():
        for field_name, column in SUMMARY_COLUMNS.items():
            ids = list(label_summary_mismatches(field_name).values_list("pk", flat=True))
            mismatched[column] = len(ids)
            sample[column] = sorted(ids, key=str)[:SAMPLE]
            if repair and ids:
                summary_refresh(field_name, ids)
    return SummaryReport(
        checked=MaterialItem.objects.count(),
        mismatched=mismatched,
        sample=sample,
        repaired=repair,
    )
