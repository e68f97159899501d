"""The bounds every search keeps to, whatever is typed."""

from __future__ import annotations

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
