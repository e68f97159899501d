"""Input hygiene for every API operation, applied once to the whole django-ninja API.

``refuse_out_of_range_path_ids`` wraps each operation before validation: a path parameter
written as a whole number outside ``1..ID_MAX``, or holding a character free text refuses,
names nothing that can exist, so it answers 404 (after authentication, like any other
not-found): a malformed path id is the same 404 as a missing one.

``refuse_bad_input`` wraps each operation after validation, before the view runs: free text
with control characters or bidirectional overrides (``jointcase.lib.text``), an uploaded file
so named, and any whole number outside the database's 64-bit range are a 400 with the field's
location, so nothing is written and the database never sees a number it would choke on.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja.errors import ValidationError
from pydantic import BaseModel

from jointcase.lib.bounds import ID_MAX, INT_MIN, RANGE_MESSAGE, fits_database, is_valid_id
from jointcase.lib.text import forbidden_characters_message, has_forbidden_characters

#: Where a request keeps its query's flattened field names (read back by the error handler).
ALIASES_ATTRIBUTE = "jointcase_input_aliases"

_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")
#: Nested input deeper than this is not walked further (pydantic bounds the JSON anyway).
_MAX_DEPTH = 32


def refuse_out_of_range_path_ids(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    operation = getattr(run, "__self__", None)
    # Query[Schema] parameters are flattened: ("filters", "case") is the query's "case".
    aliases = {
        tuple(path): alias
        for model in getattr(operation, "models", ())
        for alias, path in (getattr(model, "__ninja_flatten_map__", None) or {}).items()
    }

    @functools.wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **path_params: Any) -> HttpResponse:
        setattr(request, ALIASES_ATTRIBUTE, aliases)
        for value in path_params.values():
            text = str(value)
            out_of_range = _WHOLE_NUMBER.fullmatch(text) and (
                len(text) > 20 or not is_valid_id(int(text))
            )
            if out_of_range or has_forbidden_characters(text):
                refused = operation._run_checks(request) if operation is not None else None
                if refused is not None:
                    return refused  # not signed in: the same 401 as any other id
                api = operation.api if operation is not None else None
                if api is None:
                    return HttpResponse(status=404)
                return api.create_response(request, {"detail": "Not Found"}, status=404)
        return run(request, *args, **path_params)

    return wrapper


def refuse_bad_input(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **values: Any) -> Any:
        aliases = getattr(request, ALIASES_ATTRIBUTE, {})
        errors = [
            {"loc": _as_sent(loc, aliases), "msg": message, "type": "value_error"}
            for loc, message in input_problems(values)
        ]
        if errors:
            raise ValidationError(errors)
        return view(request, *args, **values)

    return wrapper


def _as_sent(
    loc: tuple[str | int, ...], aliases: dict[tuple[str, ...], str]
) -> tuple[str | int, ...]:
    """The location as the caller sent it (a flattened query field by its own name)."""
    for length in range(len(loc), 0, -1):
        alias = aliases.get(tuple(str(part) for part in loc[:length]))
        if alias is not None:
            return (alias, *loc[length:])
    return loc


def input_problems(values: dict[str, Any]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """(location, message) for every refused value in an operation's validated input."""
    for name, value in values.items():
        yield from _walk(value, (name,), 0)


def _walk(
    value: Any, loc: tuple[str | int, ...], depth: int
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    if depth > _MAX_DEPTH:
        return
    if isinstance(value, str):
        if has_forbidden_characters(value):
            yield loc, forbidden_characters_message(str(loc[-1]).replace("_", " "))
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        if not fits_database(value):
            yield loc, RANGE_MESSAGE.format(minimum=INT_MIN, maximum=ID_MAX)
    elif isinstance(value, BaseModel):
        for field in type(value).model_fields:
            yield from _walk(getattr(value, field, None), (*loc, field), depth + 1)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(key, (*loc, str(key)), depth + 1)
            yield from _walk(item, (*loc, str(key)), depth + 1)
    elif isinstance(value, list | tuple | set | frozenset):
        for index, item in enumerate(value):
            yield from _walk(item, (*loc, index), depth + 1)
    elif (
        hasattr(value, "chunks")
        and isinstance(getattr(value, "name", None), str)
        and has_forbidden_characters(value.name)
    ):
        yield loc, forbidden_characters_message("file name")
