"""Finding a person by name, alias, date of birth or identifier.

Two halves:

* Pure functions (no database): name normalisation, the nickname table, a phonetic key
  (NYSIIS, with a leading-vowel tweak), string similarity (Jaro-Winkler, Damerau-Levenshtein),
  query parsing, and :func:`name_keys`, which the people services call to index every name
  and alias of a person. Keys carry no position, so swapped first and last names match.
* :func:`search_register`, the one search the pages and the API call. It reads through
  ``jointcase.access.policy.persons_visible_to`` *inside* the database query, so a person
  the user may not see is never a candidate: the result is the same as if that person did
  not exist, with no count or hint of anything left out.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from jointcase.accounts.models import User
    from jointcase.people.models import Person

#: Longest query accepted; anything longer is cut (search is bounded work, whatever is typed).
MAX_QUERY_LENGTH = 200
#: At most this many name tokens of a query are used.
MAX_QUERY_TOKENS = 6
#: Candidates fetched from the database before ranking in Python.
CANDIDATE_LIMIT = 300
#: Results shown.
RESULT_LIMIT = 50
#: Below this a name candidate is too far from the query to show.
MIN_NAME_SCORE = 0.72
#: Tokens shorter than this get no typo variants (too many accidental matches).
MIN_TYPO_LENGTH = 4
#: Nor do tokens longer than this (no name word is; it bounds the work a query can ask for).
MAX_TYPO_LENGTH = 20
#: Keys are stored in a CharField of this length.
MAX_KEY_LENGTH = 64

# --- Normalisation ----------------------------------------------------------------------------

#: Letters NFKD does not decompose to ASCII.
_TRANSLITERATE = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "ø": "o",
        "Ø": "o",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "ð": "d",
        "Ð": "d",
        "þ": "th",
        "Þ": "th",
        "\u0131": "i",
        "ħ": "h",
        "Ħ": "h",
    }
)
#: Apostrophes of every kind join the letters either side (O'Brien -> obrien).
_APOSTROPHES = re.compile(r"['\u2018\u2019\u02bc\u02bb\u0060\u00b4\u2032]")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def fold_to_ascii(text: str) -> str:
    """Accents and ligatures removed: "Zoë Łukasz-Šmíd" -> "Zoe Lukasz-Smid"."""
    text = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATE))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.translate(_TRANSLITERATE)
    return text.encode("ascii", "ignore").decode("ascii")


def normalise_name(text: str) -> str:
    """Lower-case ASCII words separated by single spaces.

    Accents fold (é -> e), apostrophes join (O'Brien -> obrien), hyphens and every other
    punctuation separate words (Smith-Jones -> smith jones). Idempotent.
    """
    text = _APOSTROPHES.sub("", fold_to_ascii(text).casefold())
    return _NOT_ALNUM.sub(" ", text).strip()


def name_tokens(text: str) -> list[str]:
    """The words of a name, normalised; digits never form part of a name word."""
    return [token for token in normalise_name(text).split() if token.isalpha()]


def normalise_identifier(value: str) -> str:
    """An identifier as stored and compared: upper-case ASCII, all whitespace removed.

    "x123 456" -> "X123456"; "2019/0123456x" -> "2019/0123456X". Separators that are part
    of a format (/ -) are kept; per-type format checks belong to the people services.
    """
    return "".join(fold_to_ascii(value).upper().split())


# --- Nicknames --------------------------------------------------------------------------------

NICKNAMES_FILE = Path(__file__).with_name("nicknames.txt")


@functools.cache
def _nickname_groups() -> dict[str, frozenset[str]]:
    """name -> the canonical forms of every group it belongs to."""
    groups: dict[str, set[str]] = {}
    for raw in NICKNAMES_FILE.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0]
        names = [normalise_name(name) for name in line.split()]
        names = [name for name in names if name and " " not in name]
        if not names:
            continue
        canonical = names[0]
        for name in names:
            groups.setdefault(name, set()).add(canonical)
    return {name: frozenset(canonicals) for name, canonicals in groups.items()}


def nickname_groups(token: str) -> frozenset[str]:
    """The canonical names a normalised name word may stand for ("bill" -> {"william"})."""
    return _nickname_groups().get(token, frozenset())


def are_name_variants(first: str, second: str) -> bool:
    """Whether two normalised name words are the same name in another form (Bob, Robert)."""
    return first == second or bool(nickname_groups(first) & nickname_groups(second))


# --- Phonetic key -----------------------------------------------------------------------------

_VOWELS = frozenset("AEIOU")
#: After the first letter Y sounds as a vowel in names (Smyth, Ayub), so it codes as one.
_INNER_VOWELS = _VOWELS | {"Y"}


def nysiis(word: str) -> str:
    """The NYSIIS phonetic code of one word, untruncated, with a leading vowel coded as A.

    New York State Identification and Intelligence System code (Taft, 1970), the variant
    used in US criminal-justice name matching. Two changes from the original: a leading
    vowel codes as "A" (so "Emran" meets "Imran") and a Y after the first letter codes as a
    vowel (so "Smyth" meets "Smith"). Non-letters are ignored; an empty word gives "".
    """
    name = "".join(ch for ch in fold_to_ascii(word).upper() if "A" <= ch <= "Z")
    if not name:
        return ""
    for prefix, replacement in (
        ("MAC", "MCC"),
        ("KN", "NN"),
        ("K", "C"),
        ("PH", "FF"),
        ("PF", "FF"),
        ("SCH", "SSS"),
    ):
        if name.startswith(prefix):
            name = replacement + name[len(prefix) :]
            break
    for suffix, replacement in (
        ("EE", "Y"),
        ("IE", "Y"),
        ("DT", "D"),
        ("RT", "D"),
        ("RD", "D"),
        ("NT", "D"),
        ("ND", "D"),
    ):
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)] + replacement
            break
    first = "A" if name[0] in _VOWELS else name[0]
    key = [first]
    i = 1
    length = len(name)
    while i < length:
        ch = name[i]
        following = name[i + 1] if i + 1 < length else ""
        previous = name[i - 1]
        code: str
        if ch == "E" and following == "V":
            code = "AF"
            i += 1
        elif ch in _INNER_VOWELS:
            code = "A"
        elif ch == "Q":
            code = "G"
        elif ch == "Z":
            code = "S"
        elif ch == "M":
            code = "N"
        elif ch == "K":
            code = "N" if following == "N" else "C"
        elif ch == "S" and name[i + 1 : i + 3] == "CH":
            code = "SS"
            i += 2
        elif ch == "P" and following == "H":
            code = "F"
            i += 1
        elif (ch == "H" and not (previous in _INNER_VOWELS and following in _INNER_VOWELS)) or (
            ch == "W" and previous in _INNER_VOWELS
        ):
            code = key[-1][-1]  # silent: repeat the previous sound
        else:
            code = ch
        if code[-1] != key[-1][-1]:
            key.append(code)
        i += 1
    result = "".join(key)
    if len(result) > 1 and result.endswith("S"):
        result = result[:-1]
    if len(result) > 2 and result.endswith("AY"):
        result = result[:-2] + "Y"
    if len(result) > 1 and result.endswith("A"):
        result = result[:-1]
    return result


# --- Similarity -------------------------------------------------------------------------------


def damerau_levenshtein(a: str, b: str) -> int:
    """Edits (insert, delete, substitute, swap adjacent) between two strings (OSA distance)."""
    if a == b:
        return 0
    if not a or not b:
        return max(len(a), len(b))
    previous_previous: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous_previous[j - 2] + 1)
        previous_previous, previous = previous, current
    return previous[-1]


def jaro_winkler(a: str, b: str, prefix_scale: float = 0.1) -> float:
    """Jaro-Winkler similarity in [0, 1]; 1 for equal strings, 0 when nothing matches."""
    if a == b:
        return 1.0 if a else 0.0
    if not a or not b:
        return 0.0
    window = max(max(len(a), len(b)) // 2 - 1, 0)
    a_flags = [False] * len(a)
    b_flags = [False] * len(b)
    matches = 0
    for i, ch in enumerate(a):
        low, high = max(0, i - window), min(len(b), i + window + 1)
        for j in range(low, high):
            if not b_flags[j] and b[j] == ch:
                a_flags[i] = b_flags[j] = True
                matches += 1
                break
    if not matches:
        return 0.0
    a_matched = [ch for ch, flag in zip(a, a_flags, strict=True) if flag]
    b_matched = [ch for ch, flag in zip(b, b_flags, strict=True) if flag]
    transpositions = sum(x != y for x, y in zip(a_matched, b_matched, strict=True)) / 2
    jaro = (matches / len(a) + matches / len(b) + (matches - transpositions) / matches) / 3
    prefix = 0
    for x, y in zip(a[:4], b[:4], strict=False):
        if x != y:
            break
        prefix += 1
    return jaro + prefix * prefix_scale * (1 - jaro)


def token_similarity(query_token: str, name_token: str) -> float:
    """How well one query word matches one name word, in [0, 1].

    Exact 1.0; a nickname or spelling variant 0.95; the same sound 0.9; otherwise the
    better of Jaro-Winkler and an edit-distance score (one typo in a short word still counts).
    """
    if query_token == name_token:
        return 1.0
    if are_name_variants(query_token, name_token):
        return 0.95
    if nysiis(query_token) == nysiis(name_token):
        return 0.9
    longest = max(len(query_token), len(name_token))
    edit_score = 1.0 - damerau_levenshtein(query_token, name_token) / longest
    return max(jaro_winkler(query_token, name_token), edit_score)


# --- Keys ---------------------------------------------------------------------------------------


def _word_forms(text: str) -> list[str]:
    """Every word of a name, plus each multi-word part joined (Van der Berg -> vanderberg)."""
    words = name_tokens(text)
    forms = list(words)
    if len(words) > 1:
        forms.append("".join(words))
    return forms


def _word_keys(word: str) -> set[str]:
    keys = {f"n:{word}"}
    code = nysiis(word)
    if code:
        keys.add(f"p:{code.lower()}")
    keys.update(f"k:{canonical}" for canonical in nickname_groups(word))
    return {key[:MAX_KEY_LENGTH] for key in keys}


def name_keys(given: str, family: str) -> set[str]:
    """The search keys of one name (a person's name or an alias).

    People services store one row per key for every name and alias; search looks names up
    by these keys. Keys are position-free (given and family words are treated alike) so a
    query with the names swapped finds the same people. Kinds: ``n:`` the normalised word,
    ``p:`` its NYSIIS code, ``k:`` the canonical form of a nickname group it belongs to.
    Every key is at most :data:`MAX_KEY_LENGTH` characters.
    """
    keys: set[str] = set()
    for part in (given, family):
        for word in _word_forms(part):
            keys |= _word_keys(word)
    return keys


_ALPHABET = "abcdefghijklmnopqrstuvwxyz"


def typo_variants(word: str) -> set[str]:
    """Every word one edit away (delete, swap adjacent, substitute, insert): Norvig's edits1."""
    if not MIN_TYPO_LENGTH <= len(word) <= MAX_TYPO_LENGTH:
        return set()
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {left + right[1:] for left, right in splits if right}
    swaps = {left + right[1] + right[0] + right[2:] for left, right in splits if len(right) > 1}
    replaces = {left + ch + right[1:] for left, right in splits if right for ch in _ALPHABET}
    inserts = {left + ch + right for left, right in splits for ch in _ALPHABET}
    variants = (deletes | swaps | replaces | inserts) - {word}
    return {variant for variant in variants if variant}


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


# --- Query parsing --------------------------------------------------------------------------

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


# --- Ranking --------------------------------------------------------------------------------


def name_score(words: Sequence[QueryWord], given: str, family: str) -> float:
    """How well a name matches the query's words, in [0, 1] (mean of each word's best match).

    Each query word is compared with every word of the name (and the joined multi-word
    parts), whichever position it is in, so "Smith John" scores like "John Smith".
    """
    if not words:
        return 0.0
    candidates = _word_forms(given) + _word_forms(family)
    if not candidates:
        return 0.0
    total = 0.0
    for word in words:
        total += max(
            token_similarity(form, candidate) for form in word.forms for candidate in candidates
        )
    return total / len(words)


# --- Searching the register -------------------------------------------------------------------


@dataclass
class SearchResult:
    """One person found, with the name that matched and why."""

    person: Any
    score: float
    matched_name: Any = None
    matched_on: str = "name"
    cases: list[Any] = field(default_factory=list)

    @property
    def matched_alias(self) -> Any:
        """The alias that matched, when it was not the person's main name."""
        if self.matched_name is None or getattr(self.matched_name, "kind", "PRIMARY") == "PRIMARY":
            return None
        return self.matched_name


@dataclass
class SearchOutcome:
    query: ParsedQuery
    results: list[SearchResult]

    @property
    def error(self) -> str:
        return self.query.error


def _name_candidates(
    base: QuerySet[Person], parsed: ParsedQuery, *, tier: str = "typo"
) -> QuerySet[Person]:
    """``base`` narrowed to people having a name key for every word (and a listed DOB)."""
    from jointcase.people.models import PersonNameKey

    candidates = base.order_by()  # no ORDER BY: the planner drives from the key index
    for word in parsed.words:
        keys = sorted(word.lookup_keys(tier=tier))
        candidates = candidates.filter(
            pk__in=PersonNameKey.objects.filter(key__in=keys).values("person_id")
        )
    if parsed.dates_of_birth:
        candidates = candidates.filter(date_of_birth__in=parsed.dates_of_birth)
    return candidates


def candidate_queries(base: QuerySet[Person], parsed: ParsedQuery) -> list[QuerySet[Person]]:
    """The database queries a search runs over ``base`` (one per way of matching).

    Pages pass ``persons_visible_to(user)`` as ``base``; the benchmark also passes every
    person, to measure what the access filter costs.
    """
    from jointcase.people.models import Identifier

    queries: list[QuerySet[Person]] = []
    if parsed.identifiers:
        queries.append(
            base.order_by().filter(
                pk__in=Identifier.objects.filter(value__in=parsed.identifiers).values("person_id")
            )
        )
    if parsed.words or parsed.dates_of_birth:
        queries.append(_name_candidates(base, parsed))
    return queries


def _candidate_ids(base: QuerySet[Person], parsed: ParsedQuery) -> tuple[set[int], set[int]]:
    """(ids matched by an identifier, ids matched by name and/or date of birth)."""
    by_identifier: set[int] = set()
    by_name: set[int] = set()
    queries = candidate_queries(base, parsed)
    if parsed.identifiers:
        by_identifier = set(queries.pop(0).values_list("pk", flat=True)[:CANDIDATE_LIMIT])
    if queries:
        by_name = set(queries[0].values_list("pk", flat=True)[:CANDIDATE_LIMIT])
        if len(by_name) >= CANDIDATE_LIMIT and parsed.words:
            # Too many to rank them all (a common name): take the closest tiers first (the
            # same words, then the same sounds or nicknames), then fill up with the rest.
            chosen: list[int] = []
            for tier in ("exact", "close"):
                if len(chosen) >= CANDIDATE_LIMIT:
                    break
                tier_ids = _name_candidates(base, parsed, tier=tier).exclude(pk__in=chosen)
                chosen.extend(
                    tier_ids.values_list("pk", flat=True)[: CANDIDATE_LIMIT - len(chosen)]
                )
            rest = [pk for pk in by_name if pk not in set(chosen)]
            by_name = set(chosen + rest[: max(CANDIDATE_LIMIT - len(chosen), 0)])
    return by_identifier, by_name


def rank(
    parsed: ParsedQuery, people: Iterable[Person], by_identifier: set[int]
) -> list[SearchResult]:
    """Score each person on their best-matching name; identifier matches first."""
    results: list[SearchResult] = []
    for person in people:
        best_name = None
        best = 0.0
        for name in person.names.all():
            score = name_score(parsed.words, name.given_names, name.family_name)
            primary = name.kind == "PRIMARY"
            if score > best or (score == best and primary and best_name is not None):
                best, best_name = score, name
        if person.pk in by_identifier:
            results.append(SearchResult(person, 2.0 + best, best_name, "identifier"))
        elif not parsed.words:
            results.append(SearchResult(person, 1.0, best_name, "date of birth"))
        elif best >= MIN_NAME_SCORE:
            results.append(SearchResult(person, best, best_name, "name"))
    for result in results:
        if result.matched_name is not None and result.matched_on != "name":
            primaries = [n for n in result.person.names.all() if n.kind == "PRIMARY"]
            result.matched_name = primaries[0] if primaries else result.matched_name
    results.sort(key=lambda r: (-r.score, r.person.display_name, r.person.pk))
    return results


def search_register(*, user: User, text: str, limit: int = RESULT_LIMIT) -> SearchOutcome:
    """People the user may see who match the search box's text, best first, with their cases.

    The access filter (``persons_visible_to``) is part of the database query that finds
    candidates, and only cases the user may see are attached; nothing about people or cases
    outside it (not even how many) reaches the caller.
    """
    from django.db.models import Prefetch

    from jointcase.access.policy import cases_visible_to, persons_visible_to
    from jointcase.people.models import Identifier, Person, PersonName

    parsed = parse_query(text)
    if parsed.is_empty or parsed.error:
        return SearchOutcome(query=parsed, results=[])
    by_identifier, by_name = _candidate_ids(persons_visible_to(user), parsed)
    ids = by_identifier | by_name
    if not ids:
        return SearchOutcome(query=parsed, results=[])
    people = Person.objects.filter(pk__in=ids).prefetch_related(
        Prefetch("names", queryset=PersonName.objects.order_by("kind", "pk")),
        Prefetch("identifiers", queryset=Identifier.objects.order_by("type", "value")),
    )
    results = rank(parsed, people, by_identifier)[:limit]
    cases_by_person: dict[int, list[Any]] = {}
    shown = [result.person.pk for result in results]
    visible_cases = (
        cases_visible_to(user).filter(person_id__in=shown).order_by("-opened_at", "reference")
    )
    for case in visible_cases:
        cases_by_person.setdefault(case.person_id, []).append(case)
    for result in results:
        result.cases = cases_by_person.get(result.person.pk, [])
    return SearchOutcome(query=parsed, results=results)
