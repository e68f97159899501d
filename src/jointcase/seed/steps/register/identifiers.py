"""Identifiers with real formats but generated from the case number through bijections (unique
without lookups), and plausible misspellings for aliases.
"""

from __future__ import annotations

from typing import Any

from jointcase.people.validators import pnc_id_make


def bijection(index: int, size: int, multiplier: int, offset: int) -> int:
    """A permutation of range(size) (``multiplier`` coprime with ``size``): unique values."""
    return (index * multiplier + offset) % size


def crn_for(index: int) -> str:
    value = bijection(index, 26 * 1_000_000, 7_368_787, 104_729)
    return f"{chr(65 + value // 1_000_000)}{value % 1_000_000:06d}"


def prison_number_for(index: int) -> str:
    value = bijection(index, 26 * 10_000 * 676, 9_999_991, 31_337)
    first, rest = divmod(value, 10_000 * 676)
    digits, letters = divmod(rest, 676)
    return f"{chr(65 + first)}{digits:04d}{chr(65 + letters // 26)}{chr(65 + letters % 26)}"


def pnc_for(index: int, year: int) -> str:
    return pnc_id_make(year, bijection(index, 10_000_000, 7_654_321, 2_718_281))


def misspell(word: str, rng: Any) -> str:
    """A plausible typing or transcription error: doubled, dropped or swapped letters."""
    if len(word) < 4:
        return word + word[-1]
    position = rng.randint(1, len(word) - 2)
    kind = rng.randint(0, 3)
    if kind == 0:
        return word[:position] + word[position] + word[position:]
    if kind == 1:
        return word[:position] + word[position + 1 :]
    if kind == 2:
        return word[:position] + word[position + 1] + word[position] + word[position + 2 :]
    vowels = "aeiou"
    if word[position] in vowels:
        return (
            word[:position]
            + rng.choice([v for v in vowels if v != word[position]])
            + word[position + 1 :]
        )
    return word[:position] + word[position] + word[position:]
