"""The route inventory: every URL pattern JointCase serves, read from the URL resolver.

The security matrix (test_route_matrix.py) is generated from this list at collection time,
so a route is covered the day it is added. Feature suites may import ``route_inventory()``
and ``sample_paths()`` for their own object-specific matrices.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

#: Route converters: ``<int:case_id>``, ``<path:object_id>``, ``<name>`` (str by default).
_CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
#: Named regex groups: ``(?P<app_label>agencies|accounts)``.
_NAMED_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>[^()]*)\)")

#: A value for string parameters whose meaning is fixed by the route (otherwise "x").
STRING_SAMPLES = {"kind": "totp", "url": "no-such-page/"}
#: An id that exists nowhere.
MISSING_ID = "987654321"
#: An opaque identifier (``<uuid:...>``: cases, persons, material) that names nothing.
MISSING_UUID = "00000000-0000-4000-8000-000000000000"


@dataclass(frozen=True)
class Route:
    """One URL pattern: its full template (``account/api-tokens/<int:token_id>/revoke/``)."""

    template: str
    name: str
    #: (kind, parameter name) in order, kind being a converter name or "regex".
    parameters: tuple[tuple[str, str], ...] = field(default=())

    @property
    def is_api(self) -> bool:
        return self.name.startswith("api:")

    @property
    def namespace(self) -> str:
        return self.name.split(":", 1)[0] if ":" in self.name else ""

    def path(self, values: dict[str, str]) -> str:
        """The URL with ``values`` substituted (every parameter must have one)."""
        text = self.template
        text = _CONVERTER.sub(lambda m: values[m.group("name")], text)
        text = _NAMED_GROUP.sub(lambda m: values[m.group("name")], text)
        text = text.replace("^", "").replace("$", "")
        return "/" + text.lstrip("/")


def _parameters(template: str) -> tuple[tuple[str, str], ...]:
    found = [
        (m.group("converter") or "str", m.group("name")) for m in _CONVERTER.finditer(template)
    ]
    found += [("regex", m.group("name")) for m in _NAMED_GROUP.finditer(template)]
    return tuple(found)


def _pattern_text(pattern: RoutePattern | RegexPattern | object) -> str:
    text = str(pattern)
    if isinstance(pattern, RegexPattern):
        text = text.lstrip("^")
        if text.endswith("$"):
            text = text[:-1]
        # The admin's catch-all view matches anything; the sample "url" stands for it.
        text = text.replace("(?P<url>.*)", "(?P<url>)")
    return text


def _walk(
    patterns: Sequence[URLPattern | URLResolver], prefix: str, namespace: str
) -> Iterator[Route]:
    for entry in patterns:
        text = prefix + _pattern_text(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry.url_patterns, text, inner)
        else:
            name = entry.name or f"<unnamed {getattr(entry.callback, '__name__', 'view')}>"
            full_name = f"{namespace}:{name}" if namespace else name
            yield Route(template=text, name=full_name, parameters=_parameters(text))


def route_inventory() -> list[Route]:
    """Every URL pattern of the project, includes (apps, the API, the admin) walked."""
    seen: set[str] = set()
    routes = []
    for route in _walk(get_resolver().url_patterns, "", ""):
        if route.template not in seen:
            seen.add(route.template)
            routes.append(route)
    return routes


def _regex_sample(template: str, name: str) -> str:
    for match in _NAMED_GROUP.finditer(template):
        if match.group("name") == name:
            body = match.group("body")
            if name in STRING_SAMPLES:
                return STRING_SAMPLES[name]
            if "|" in body or re.fullmatch(r"\w+", body):
                return body.split("|")[0]
            return "1" if "\\d" in body else "x"
    return "x"


def sample_paths(route: Route, existing_id: Callable[[str], str]) -> list[str]:
    """Concrete URLs for ``route``: ids that exist (``existing_id(name)``) and ids that do not.

    A route without parameters gives one URL.
    """
    if not route.parameters:
        return [route.path({})]
    present: dict[str, str] = {}
    missing: dict[str, str] = {}
    for kind, name in route.parameters:
        if kind == "uuid":  # an opaque identifier: a real one, and a well-formed unknown one
            present[name] = existing_id(name)
            missing[name] = MISSING_UUID
        elif kind in ("int", "id", "path") or name.endswith("id"):
            present[name] = existing_id(name)
            missing[name] = MISSING_ID
        elif kind == "regex":
            present[name] = missing[name] = _regex_sample(route.template, name)
        else:
            present[name] = missing[name] = STRING_SAMPLES.get(name, "x")
    urls = [route.path(present), route.path(missing)]
    return list(dict.fromkeys(urls))


def api_route_names(router: Any) -> set[str]:
    """The URL names (``api:<operation>``) of a django-ninja router's operations, so a feature
    matrix can pick its API routes out of ``route_inventory()``."""
    return {
        f"api:{operation.view_func.__name__}"
        for path_view in router.path_operations.values()
        for operation in path_view.operations
    }
