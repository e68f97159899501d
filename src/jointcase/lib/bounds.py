"""Integer bounds for ids and numbers that reach the database.

Python integers are unbounded; SQLite and PostgreSQL integers are 64-bit at most, and a larger
value in a query is an ``OverflowError`` (a 500). Ids are positive, so every id outside
``1..ID_MAX`` is "not found" and every other integer outside the 64-bit range is bad input.
"""

from __future__ import annotations

from collections.abc import Mapping

#: The largest 64-bit signed integer: the largest id either database can hold.
ID_MAX = 2**63 - 1
#: The smallest 64-bit signed integer.
INT_MIN = -(2**63)

RANGE_MESSAGE = "Enter a whole number between {minimum} and {maximum}"


def is_valid_id(value: int) -> bool:
    """True when ``value`` could be the id of a stored object."""
    return 1 <= value <= ID_MAX


def fits_database(value: int) -> bool:
    """True when ``value`` fits a 64-bit signed integer column."""
    return INT_MIN <= value <= ID_MAX


def query_int(
    params: Mapping[str, str],
    name: str,
    *,
    default: int | None = None,
    minimum: int = 1,
    maximum: int = ID_MAX,
) -> int | None:
    """An integer query parameter, or ``default`` when it is missing, not a whole number or
    outside ``minimum..maximum`` (a page's filter falls back; it never crashes)."""
    raw = str(params.get(name, "") or "").strip()
    if not raw or len(raw) > 20:
        return default
    try:
        value = int(raw, 10)
    except ValueError:
        return default
    return value if minimum <= value <= maximum else default
