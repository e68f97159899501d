"""Name and identifier normalisation, and the nickname table (no database)."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path

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


NICKNAMES_FILE = Path(__file__).resolve().parent.parent / "nicknames.txt"


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


def nickname_table() -> Mapping[str, frozenset[str]]:
    """Every name word that has known variants, with the canonical forms it may stand for."""
    return _nickname_groups()


def nickname_groups(token: str) -> frozenset[str]:
    """The canonical names a normalised name word may stand for ("bill" -> {"william"})."""
    return _nickname_groups().get(token, frozenset())


def are_name_variants(first: str, second: str) -> bool:
    """Whether two normalised name words are the same name in another form (Bob, Robert)."""
    return first == second or bool(nickname_groups(first) & nickname_groups(second))
