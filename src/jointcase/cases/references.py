"""Case references as people type them: "JC-000001", "jc-1", "JC 000001"."""

from __future__ import annotations

import re

CASE_REFERENCE = re.compile(r"^JC[-\s]?(\d{1,9})$", re.IGNORECASE)

#: What a page says when a filter's case reference is not one.
CASE_REFERENCE_FORMAT = "Enter a case reference like JC-000001"


def case_reference_normal(text: str) -> str | None:
    """ "jc-1" -> "JC-000001"; None for anything that is not a case reference."""
    match = CASE_REFERENCE.match(text.strip())
    return f"JC-{int(match.group(1)):06d}" if match else None
