"""Finding a person by name, alias, date of birth or identifier.

A package by concern: ``limits`` (the bounds), ``names`` (normalisation, nicknames),
``similarity`` (phonetic key, string similarity), ``keys`` (search keys of a name), ``query``
(parsing what was typed) and ``register`` (the search itself). Two halves:

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

from jointcase.people.search.keys import (
    name_keys,
    typo_variants,
)
from jointcase.people.search.limits import (
    CANDIDATE_LIMIT,
    MAX_KEY_LENGTH,
    MAX_QUERY_LENGTH,
    MAX_QUERY_TOKENS,
    MAX_TYPO_LENGTH,
    MIN_NAME_SCORE,
    MIN_TYPO_LENGTH,
    RESULT_LIMIT,
)
from jointcase.people.search.names import (
    NICKNAMES_FILE,
    are_name_variants,
    fold_to_ascii,
    name_tokens,
    nickname_groups,
    normalise_identifier,
    normalise_name,
)
from jointcase.people.search.query import (
    PARTICLES,
    ParsedQuery,
    QueryWord,
    parse_date,
    parse_query,
)
from jointcase.people.search.register import (
    SearchOutcome,
    SearchResult,
    candidate_queries,
    name_score,
    rank,
    search_register,
)
from jointcase.people.search.similarity import (
    damerau_levenshtein,
    jaro_winkler,
    nysiis,
    token_similarity,
)

__all__ = [
    "CANDIDATE_LIMIT",
    "MAX_KEY_LENGTH",
    "MAX_QUERY_LENGTH",
    "MAX_QUERY_TOKENS",
    "MAX_TYPO_LENGTH",
    "MIN_NAME_SCORE",
    "MIN_TYPO_LENGTH",
    "NICKNAMES_FILE",
    "PARTICLES",
    "RESULT_LIMIT",
    "ParsedQuery",
    "QueryWord",
    "SearchOutcome",
    "SearchResult",
    "are_name_variants",
    "candidate_queries",
    "damerau_levenshtein",
    "fold_to_ascii",
    "jaro_winkler",
    "name_keys",
    "name_score",
    "name_tokens",
    "nickname_groups",
    "normalise_identifier",
    "normalise_name",
    "nysiis",
    "parse_date",
    "parse_query",
    "rank",
    "search_register",
    "token_similarity",
    "typo_variants",
]
