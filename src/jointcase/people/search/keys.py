"""The search keys of a name (``name_keys``, which the people services call to index every
name and alias) and typo variants. Keys carry no position, so swapped names match."""

from __future__ import annotations

from jointcase.people.search.limits import MAX_KEY_LENGTH, MAX_TYPO_LENGTH, MIN_TYPO_LENGTH
from jointcase.people.search.names import name_tokens, nickname_groups
from jointcase.people.search.similarity import nysiis


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
