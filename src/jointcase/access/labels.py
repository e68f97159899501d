"""Security labels: classifications and their order (docs/design.md "Labels").

Only the vocabulary lives here; decisions are made in ``jointcase.access.policy``.
"""

from __future__ import annotations

from django.db import models


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


def classification_max(*levels: str) -> str:
    """The highest of ``levels`` (OFFICIAL when none are given)."""
    return max(levels, key=CLASSIFICATION_RANK.__getitem__, default=Classification.OFFICIAL)
