"""Reading the policy data files (required-checks rules, contact standards, caseload weights,
the prison course catalogue): YAML that remembers where each mapping and key was, so a
problem is reported as file, line and field, and stops start-up rather than becoming a 500.

``policy_yaml_parse`` parses a file's text into mappings carrying ``LINE`` (the mapping's
line) and ``LINES`` (each key's line); ``Problems.at`` builds the one error naming the first
problem; ``plain_keys`` lists a mapping's own keys without those two.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from django.core.exceptions import ImproperlyConfigured

#: An UPPER_SNAKE code as the files name rules, standards, courses and roles.
CODE = re.compile(r"^[A-Z][A-Z0-9_]{1,59}$")
#: The key holding a mapping's own line.
LINE = "__line__"
#: The key holding the line of each of a mapping's keys.
LINES = "__lines__"


class LineLoader(yaml.SafeLoader):
    """A safe loader that remembers the line of every mapping and of each of its keys."""


def _construct_mapping(loader: LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping: dict[str, Any] = {
        str(key): value for key, value in loader.construct_mapping(node, deep=True).items()
    }
    mapping[LINE] = node.start_mark.line + 1
    mapping[LINES] = {str(key.value): key.start_mark.line + 1 for key, _value in node.value}
    return mapping


LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class Problems:
    """Builds the one error that stops start-up: file, line, field, what is wrong."""

    def __init__(self, source: str) -> None:
        self.source = source

    def at(self, mapping: Any, field: str, message: str) -> ImproperlyConfigured:
        line = 0
        if isinstance(mapping, dict):
            line = mapping.get(LINES, {}).get(field) or mapping.get(LINE, 0)
        return ImproperlyConfigured(f"{self.source}, line {line}, field '{field}': {message}")


def plain_keys(mapping: dict[str, Any]) -> list[str]:
    """The keys of ``mapping`` as the file wrote them (without ``LINE`` and ``LINES``)."""
    return [key for key in mapping if key not in (LINE, LINES)]


def policy_yaml_parse(text: str, *, source: str) -> dict[str, Any]:
    """Parse a policy file's text (a mapping at the top) with lines kept; raise
    ``ImproperlyConfigured`` naming the file and line when it is not valid YAML or not a
    mapping."""
    try:
        data = yaml.load(text, Loader=LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        raise ImproperlyConfigured(f"{source}, line {line}: not valid YAML ({error})") from error
    if not isinstance(data, dict):
        raise ImproperlyConfigured(f"{source}, line 1: expected a mapping")
    return data
