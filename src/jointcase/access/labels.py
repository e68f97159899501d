"""Security labels: classifications, their order, and what a label's releasability means
(docs/design.md "Labels").

The vocabulary and its order live here; who may read a label is decided in
``jointcase.access.material``. Nothing else ranks classifications: pages and packs take
the highest of several with ``classification_max``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from jointcase.agencies.models import Agency


class Classification(models.TextChoices):
    """Government Security Classifications, lowest first.

    OFFICIAL-SENSITIVE is a marking on OFFICIAL that enforces need-to-know; it is ordered
    between OFFICIAL and SECRET.
    """

    OFFICIAL = "OFFICIAL", "OFFICIAL"
    OFFICIAL_SENSITIVE = "OFFICIAL-SENSITIVE", "OFFICIAL-SENSITIVE"
    SECRET = "SECRET", "SECRET"
    TOP_SECRET = "TOP SECRET", "TOP SECRET"


CLASSIFICATION_RANK: dict[str, int] = {
    Classification.OFFICIAL: 0,
    Classification.OFFICIAL_SENSITIVE: 1,
    Classification.SECRET: 2,
    Classification.TOP_SECRET: 3,
}


def classification_below(level: str, than: str) -> bool:
    """Whether ``level`` is a lower classification than ``than`` (an unknown one never is):
    a label may be raised, never lowered, except by whoever writes a sanitised derivative."""
    if level not in CLASSIFICATION_RANK or than not in CLASSIFICATION_RANK:
        return False
    return CLASSIFICATION_RANK[level] < CLASSIFICATION_RANK[than]


def classification_max(*levels: str) -> str:
    """The highest of ``levels`` (OFFICIAL when none are given)."""
    return max(levels, key=CLASSIFICATION_RANK.__getitem__, default=Classification.OFFICIAL)


def releasable_with_originator(releasable: list[Agency], originator: Agency) -> list[Agency]:
    """The agencies a label is releasable to, with its originator added: the originator always
    holds its own material. An empty list stays empty (every agency on the case)."""
    if releasable and originator.pk not in {agency.pk for agency in releasable}:
        return [*releasable, originator]
    return releasable
