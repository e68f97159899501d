"""Canonical JSON: one byte string per value, so that hashes and signatures are reproducible.

The encoding (documented in docs/audit.md for partner verifiers):
- UTF-8, no byte-order mark;
- object keys sorted by their Unicode code points, no duplicate keys;
- no insignificant white space: separators are ``,`` and ``:``;
- strings escaped as JSON requires and nothing more (non-ASCII characters kept as UTF-8);
- only null, booleans, integers, strings, arrays and objects: floats are refused, because
  their text form differs between implementations.
"""

from __future__ import annotations

import json
from typing import Any


class NotCanonicalisable(TypeError):
    """Raised for values that have no single canonical form (floats, sets, objects)."""


def _check(value: Any) -> None:
    if value is None or isinstance(value, (bool, int, str)):
        return
    if isinstance(value, float):
        raise NotCanonicalisable("floats have no canonical form; store them as strings")
    if isinstance(value, (list, tuple)):
        for item in value:
            _check(item)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise NotCanonicalisable("object keys must be strings")
            _check(item)
        return
    raise NotCanonicalisable(f"{type(value).__name__} has no canonical JSON form")


def canonical_json(value: Any) -> bytes:
    """Return the canonical UTF-8 encoding of ``value``."""
    _check(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )
