"""Free text hygiene: no control characters and no bidirectional overrides.

A right-to-left override (U+202E) makes ``gpj.exe`` read as ``exe.jpg`` and can reorder what a
reader sees in a name, a title or a minute; other control characters corrupt exports and logs.
Free text keeps newline, carriage return and tab and refuses the rest of the C0 and C1 controls,
DEL, the bidirectional embeddings and overrides (U+202A-U+202E) and isolates (U+2066-U+2069).
Page forms (``jointcase.lib.forms.JointCaseForm``) and the API (``jointcase.lib.api_input``)
both refuse such text with a field error, so nothing is written.
"""

from __future__ import annotations

import re

#: The characters free text refuses.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

#: The error, after the field's label.
MESSAGE = "{label} must not contain control characters or text-direction overrides"


def has_forbidden_characters(value: str) -> bool:
    """True when ``value`` holds a character free text refuses."""
    return FORBIDDEN.search(value) is not None


def forbidden_characters_message(label: str) -> str:
    """The field error for ``label`` ("Title must not contain ...")."""
    label = label.strip() or "This field"
    return MESSAGE.format(label=label[:1].upper() + label[1:])
