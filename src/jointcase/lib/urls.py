"""URLs for long lists: ``reverse`` costs tens of microseconds, and a list of hundreds of rows
would pay it on every row. ``url_maker`` reverses once with placeholder arguments and fills
each row's arguments into the result."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, Literal

from django.urls import reverse

#: The first placeholder of an integer argument: long enough never to be part of a path.
_INT_MARK = 7_340_000_001


def url_maker(
    viewname: str, count: int = 1, kind: Literal["uuid", "int"] = "uuid"
) -> Callable[..., str]:
    """``reverse(viewname, args=[...])`` for many rows: each argument is a UUID (``kind``
    "uuid") or an integer ("int"), which a URL shows as it is, so filling them into the
    reversed placeholder is the same string ``reverse`` would give."""
    marks: list[Any] = (
        [uuid.UUID(int=index + 1) for index in range(count)]
        if kind == "uuid"
        else [_INT_MARK + index for index in range(count)]
    )
    pattern = reverse(viewname, args=marks).replace("{", "{{").replace("}", "}}")
    for index, mark in enumerate(marks):
        pattern = pattern.replace(str(mark), "{%d}" % index)  # noqa: UP031 - a format template

    def make(*args: Any) -> str:
        return pattern.format(*(str(value) for value in args))

    return make
