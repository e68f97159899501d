"""The partner systems whose extracts may be imported (``exchange/data/sources.yaml``):
loaded once, validated at start-up, and answered from memory.

A source is policy data: a new partner system is a line in the file, never code. An extract
naming a source that is not in the file is refused with the list of known sources. The file
in force is ``JOINTCASE_EXCHANGE_SOURCES`` (default: the bundled file); docs/exchange.md
describes it field by field.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError

from jointcase.lib.policy_files import Problems, plain_keys, policy_yaml_parse

DEFAULT_SOURCES_PATH = Path(__file__).resolve().parent / "data" / "sources.yaml"
SOURCE_CODE = re.compile(r"^[a-z][a-z0-9-]{1,59}$")
KINDS = ("police", "prison", "probation")


@dataclass(frozen=True)
class PartnerSource:
    code: str
    label: str
    #: The code of the agency that owns the system.
    agency: str
    kind: str


def sources_parse(text: str, *, source: str) -> dict[str, PartnerSource]:
    problems = Problems(source)
    data = policy_yaml_parse(text, source=source)
    if data.get("version") != 1:
        raise problems.at(data, "version", "expected version: 1")
    entries = data.get("sources")
    if not isinstance(entries, dict) or not plain_keys(entries):
        raise problems.at(data, "sources", "expected a mapping of source codes")
    found: dict[str, PartnerSource] = {}
    for code in plain_keys(entries):
        entry: Any = entries[code]
        if not SOURCE_CODE.match(code):
            raise problems.at(entries, code, "a source code is lower case letters, digits, -")
        if not isinstance(entry, dict):
            raise problems.at(entries, code, "expected label, agency and kind")
        for field in ("label", "agency", "kind"):
            if not isinstance(entry.get(field), str) or not entry[field].strip():
                raise problems.at(entry, field, f"'{field}' is required")
        if entry["kind"] not in KINDS:
            raise problems.at(entry, "kind", f"expected one of {', '.join(KINDS)}")
        unknown = sorted(set(plain_keys(entry)) - {"label", "agency", "kind"})
        if unknown:
            raise problems.at(entry, unknown[0], "unknown field")
        found[code] = PartnerSource(code, entry["label"], entry["agency"], entry["kind"])
    return found


def sources_load(path: Path | str) -> dict[str, PartnerSource]:
    file = Path(path)
    return sources_parse(file.read_text(encoding="utf-8"), source=str(file))


def sources_path() -> Path:
    configured = getattr(settings, "JOINTCASE_EXCHANGE_SOURCES", "")
    return Path(configured) if configured else DEFAULT_SOURCES_PATH


@functools.cache
def sources_current() -> dict[str, PartnerSource]:
    """The sources in force, loaded once (``ExchangeConfig.ready`` loads them at start-up)."""
    return sources_load(sources_path())


def source_get(code: str) -> PartnerSource | None:
    return sources_current().get(code)


def source_require(code: str) -> PartnerSource:
    """The known source named ``code``, or a refusal (keyed ``source``) naming those there are."""
    source = source_get(code)
    if source is None:
        known = ", ".join(sorted(sources_current()))
        raise ValidationError({"source": f"Unknown source '{code}': the sources are {known}"})
    return source
