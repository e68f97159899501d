"""Parsing what was typed: name words, particles and dates."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from jointcase.people.search.keys import _word_keys, typo_variants
from jointcase.people.search.limits import MAX_KEY_LENGTH, MAX_QUERY_LENGTH, MAX_QUERY_TOKENS
from jointcase.people.search.names import name_tokens, normalise_identifier

#: Short words that prefix a surname and are often typed apart or together (O Brien, Al Masri).
PARTICLES = frozenset(
    {
        "o",
        "mc",
        "mac",
        "al",
        "el",
        "ul",
        "de",
        "da",
        "di",
        "du",
        "van",
        "von",
        "der",
        "le",
        "la",
        "st",
        "bin",
        "ibn",
        "abu",
        "ben",
        "bint",
    }
)


@dataclass(frozen=True)
class QueryWord:
    """One word a matching name must contain, with the forms that count as containing it."""

    text: str
    forms: tuple[str, ...]

    def lookup_keys(self, *, tier: str = "typo") -> set[str]:
        """Keys any one of which, on a name, counts as this word being present.

        Tiers widen: ``exact`` the same word; ``close`` also the same sound or nickname
        group; ``typo`` also every word one edit away (the query's typo meets the stored
        spelling).
        """
        keys: set[str] = set()
        for form in self.forms:
            if tier == "exact":
                keys.add(f"n:{form}"[:MAX_KEY_LENGTH])
                continue
            keys |= _word_keys(form)
            if tier == "typo":
                keys.update(f"n:{variant}" for variant in typo_variants(form))
        return keys


_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}


_MONTH_PATTERN = "|".join(sorted(_MONTHS, key=len, reverse=True))


_NUMERIC_DATE = re.compile(r"(?<![\w/.-])(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?![\w/.-])")


_ISO_DATE = re.compile(r"(?<![\w/.-])(\d{4})-(\d{1,2})-(\d{1,2})(?![\w/.-])")


_WORDED_DATE = re.compile(
    rf"(?<!\w)(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH_PATTERN})\.?,?\s+(\d{{4}})(?!\w)",
    re.IGNORECASE,
)


@dataclass
class ParsedQuery:
    """What a search box's text asks for."""

    text: str
    words: list[QueryWord] = field(default_factory=list)
    dates_of_birth: list[dt.date] = field(default_factory=list)
    identifiers: list[str] = field(default_factory=list)
    #: A user-facing message when part of the query cannot be understood (an impossible date).
    error: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.words or self.dates_of_birth or self.identifiers)


def _make_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_date(text: str) -> dt.date | None:
    """A date typed as 3/7/1984, 03-07-1984, 1984-07-03 or 3 July 1984 (3rd Jul 1984)."""
    text = text.strip()
    for pattern, order in ((_NUMERIC_DATE, "dmy"), (_ISO_DATE, "ymd"), (_WORDED_DATE, "dMy")):
        match = pattern.fullmatch(text)
        if match:
            return _date_from_match(match, order)
    return None


def _date_from_match(match: re.Match[str], order: str) -> dt.date | None:
    parts = dict(zip(order, match.groups(), strict=True))
    month = _MONTHS[parts["M"].lower()] if "M" in parts else int(parts["m"])
    return _make_date(int(parts["y"]), month, int(parts["d"]))


def parse_query(text: str) -> ParsedQuery:
    """Split a search box's text into name words, dates of birth and identifiers.

    Dates are recognised in the day-first forms used in the UK and ISO form; a date that
    cannot exist (31/02/1990) sets ``error``. A word containing a digit is an identifier
    (upper-cased, stripped); so is the whole text with spaces removed when it contains a
    digit (A 1234 BC). Everything else is a name word; one-letter words (initials) are
    ignored, and a particle (O, Al, Van...) is joined to the next word.
    """
    text = (text or "")[:MAX_QUERY_LENGTH]
    parsed = ParsedQuery(text=text.strip())
    remaining = text
    for pattern, order in ((_WORDED_DATE, "dMy"), (_ISO_DATE, "ymd"), (_NUMERIC_DATE, "dmy")):
        for match in pattern.finditer(remaining):
            day = _date_from_match(match, order)
            if day is None:
                parsed.error = "Enter a real date of birth, like 27 3 1990"
            elif day not in parsed.dates_of_birth:
                parsed.dates_of_birth.append(day)
        remaining = pattern.sub(" ", remaining)

    raw_words = remaining.split()
    if any(ch.isdigit() for ch in remaining):
        whole = normalise_identifier(remaining)
        candidates = [whole] + [
            normalise_identifier(word) for word in raw_words if any(c.isdigit() for c in word)
        ]
        for candidate in candidates:
            candidate = candidate.strip(".,;:")
            if candidate and candidate not in parsed.identifiers and len(candidate) <= 64:
                parsed.identifiers.append(candidate)

    words: list[str] = []
    for raw in raw_words:
        if any(ch.isdigit() for ch in raw):
            continue
        words.extend(name_tokens(raw))
    parsed.words = _query_words(words)[:MAX_QUERY_TOKENS]
    return parsed


def _query_words(words: Sequence[str]) -> list[QueryWord]:
    result: list[QueryWord] = []
    i = 0
    while i < len(words):
        word = words[i]
        following = words[i + 1] if i + 1 < len(words) else None
        if word in PARTICLES and following is not None:
            joined = QueryWord(text=f"{word} {following}", forms=(word + following, following))
            result.append(joined)
            i += 2
            continue
        if len(word) > 1 or len(words) == 1:
            result.append(QueryWord(text=word, forms=(word,)))
        i += 1
    return result
