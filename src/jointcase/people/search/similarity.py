"""A phonetic key (NYSIIS, with a leading-vowel tweak) and string similarity
(Jaro-Winkler, Damerau-Levenshtein), pure functions."""

from __future__ import annotations

from jointcase.people.search.names import are_name_variants, fold_to_ascii

_VOWELS = frozenset("AEIOU")


#: After the first letter Y sounds as a vowel in names (Smyth, Ayub), so it codes as one.
_INNER_VOWELS = _VOWELS | {"Y"}


_NYSIIS_PREFIXES = (
    ("MAC", "MCC"),
    ("KN", "NN"),
    ("K", "C"),
    ("PH", "FF"),
    ("PF", "FF"),
    ("SCH", "SSS"),
)
_NYSIIS_SUFFIXES = (
    ("EE", "Y"),
    ("IE", "Y"),
    ("DT", "D"),
    ("RT", "D"),
    ("RD", "D"),
    ("NT", "D"),
    ("ND", "D"),
)
#: Letters that always code as another, whatever surrounds them.
_NYSIIS_PLAIN = {"Q": "G", "Z": "S", "M": "N"}


def _nysiis_ends(name: str) -> str:
    """The first matching prefix and suffix rewritten."""
    for prefix, replacement in _NYSIIS_PREFIXES:
        if name.startswith(prefix):
            name = replacement + name[len(prefix) :]
            break
    for suffix, replacement in _NYSIIS_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)] + replacement
    return name


def _nysiis_code(name: str, i: int, last: str) -> tuple[str, int]:
    """The code of the letter at ``i`` (``last``: the last letter coded so far) and how many
    further letters it consumed."""
    ch = name[i]
    following = name[i + 1] if i + 1 < len(name) else ""
    previous = name[i - 1]
    if ch == "E" and following == "V":
        return "AF", 1
    if ch in _INNER_VOWELS:
        return "A", 0
    if ch in _NYSIIS_PLAIN:
        return _NYSIIS_PLAIN[ch], 0
    if ch == "K":
        return ("N" if following == "N" else "C"), 0
    if ch == "S" and name[i + 1 : i + 3] == "CH":
        return "SS", 2
    if ch == "P" and following == "H":
        return "F", 1
    if (ch == "H" and not (previous in _INNER_VOWELS and following in _INNER_VOWELS)) or (
        ch == "W" and previous in _INNER_VOWELS
    ):
        return last, 0  # silent: repeat the previous sound
    return ch, 0


def _nysiis_trim(result: str) -> str:
    """The final S, AY and A rules."""
    if len(result) > 1 and result.endswith("S"):
        result = result[:-1]
    if len(result) > 2 and result.endswith("AY"):
        result = result[:-2] + "Y"
    if len(result) > 1 and result.endswith("A"):
        result = result[:-1]
    return result


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
    name = _nysiis_ends(name)
    key = ["A" if name[0] in _VOWELS else name[0]]
    i = 1
    while i < len(name):
        code, skip = _nysiis_code(name, i, key[-1][-1])
        if code[-1] != key[-1][-1]:
            key.append(code)
        i += 1 + skip
    return _nysiis_trim("".join(key))


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
