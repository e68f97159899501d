"""Assessment instruments, kept as versioned data files (``risk/data/instruments/*.yaml``).

An instrument (sections, factors, rating scales, guidance) is policy data: a new or revised
instrument is a new file, never code. Every file is loaded and validated at start-up
(``RiskConfig.ready``); a file with an unknown domain, family or scale, a missing field or a
duplicate code stops start-up with ``ImproperlyConfigured`` naming the file, the line and the
field, never a 500 later.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.core.exceptions import ImproperlyConfigured

from jointcase.risk.models.assessments import RiskDomain

INSTRUMENTS_DIR = Path(__file__).resolve().parent / "data" / "instruments"
FAMILIES = frozenset({"general", "extremism", "police"})
_CODE = re.compile(r"^[A-Z][A-Z0-9_]{1,59}$")


@dataclass(frozen=True)
class ScaleValue:
    value: str
    label: str


@dataclass(frozen=True)
class Factor:
    code: str
    name: str
    prompt: str
    scale: tuple[ScaleValue, ...]

    def label_of(self, value: str) -> str:
        return next((v.label for v in self.scale if v.value == value), "")


@dataclass(frozen=True)
class Section:
    code: str
    title: str
    guidance: str
    domains: tuple[str, ...]
    factors: tuple[Factor, ...]


@dataclass(frozen=True)
class Instrument:
    code: str
    version: int
    title: str
    family: str
    rosh: bool
    sections: tuple[Section, ...]
    source: str

    def section(self, code: str) -> Section | None:
        return next((s for s in self.sections if s.code == code), None)


class _File:
    """One YAML file as a node tree, so every error can name the line of the bad field."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        try:
            root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            line = mark.line + 1 if mark is not None else 1
            raise ImproperlyConfigured(f"{path.name}, line {line}: not valid YAML") from error
        if not isinstance(root, yaml.MappingNode):
            raise self.fail(root, "(file)", "expected a mapping")
        self.root = root

    def fail(self, node: yaml.Node | None, field: str, message: str) -> ImproperlyConfigured:
        line = node.start_mark.line + 1 if node is not None else 1
        return ImproperlyConfigured(f"{self.path.name}, line {line}, field {field}: {message}")

    def mapping(self, node: yaml.Node, field: str) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, field, "expected a mapping")
        return {str(key.value): value for key, value in node.value}

    def sequence(self, node: yaml.Node, field: str) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            raise self.fail(node, field, "expected a non-empty list")
        return list(node.value)

    def text(self, fields: dict[str, yaml.Node], name: str, parent: yaml.Node, where: str) -> str:
        node = fields.get(name)
        field = f"{where}.{name}" if where else name
        if node is None:
            raise self.fail(parent, field, "is missing")
        if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
            raise self.fail(node, field, "expected text")
        return str(node.value).strip()

    def code(self, fields: dict[str, yaml.Node], name: str, parent: yaml.Node, where: str) -> str:
        value = self.text(fields, name, parent, where)
        if not _CODE.match(value):
            raise self.fail(fields[name], f"{where}.{name}" if where else name, "not a CODE")
        return value


def _scales(doc: _File, node: yaml.Node) -> dict[str, tuple[ScaleValue, ...]]:
    scales: dict[str, tuple[ScaleValue, ...]] = {}
    for name, values in doc.mapping(node, "scales").items():
        where = f"scales.{name}"
        items: list[ScaleValue] = []
        for entry in doc.sequence(values, where):
            fields = doc.mapping(entry, where)
            value = doc.code(fields, "value", entry, where)
            if any(item.value == value for item in items):
                raise doc.fail(fields["value"], f"{where}.value", f"duplicate value {value}")
            items.append(ScaleValue(value, doc.text(fields, "label", entry, where)))
        scales[name] = tuple(items)
    return scales


def _section(
    doc: _File, node: yaml.Node, scales: dict[str, tuple[ScaleValue, ...]], seen: set[str]
) -> Section:
    fields = doc.mapping(node, "sections")
    code = doc.code(fields, "code", node, "sections")
    where = f"sections.{code}"
    domains: list[str] = []
    for domain_node in doc.sequence(fields.get("domains", node), f"{where}.domains"):
        value = str(domain_node.value)
        if value not in RiskDomain.values:
            raise doc.fail(domain_node, f"{where}.domains", f"unknown domain {value!r}")
        domains.append(value)
    factors: list[Factor] = []
    for factor_node in doc.sequence(fields.get("factors", node), f"{where}.factors"):
        factor = doc.mapping(factor_node, f"{where}.factors")
        factor_code = doc.code(factor, "code", factor_node, f"{where}.factors")
        if factor_code in seen:
            raise doc.fail(factor["code"], f"{where}.factors.code", f"duplicate {factor_code}")
        seen.add(factor_code)
        scale_name = doc.text(factor, "scale", factor_node, f"{where}.factors.{factor_code}")
        if scale_name not in scales:
            raise doc.fail(
                factor["scale"],
                f"{where}.factors.{factor_code}.scale",
                f"unknown scale {scale_name!r}",
            )
        factors.append(
            Factor(
                code=factor_code,
                name=doc.text(factor, "name", factor_node, f"{where}.factors.{factor_code}"),
                prompt=doc.text(factor, "prompt", factor_node, f"{where}.factors.{factor_code}"),
                scale=scales[scale_name],
            )
        )
    return Section(
        code=code,
        title=doc.text(fields, "title", node, where),
        guidance=doc.text(fields, "guidance", node, where),
        domains=tuple(domains),
        factors=tuple(factors),
    )


def instrument_parse(path: Path, text: str) -> Instrument:
    """Validate one instrument file; ``ImproperlyConfigured`` names file, line and field."""
    doc = _File(path, text)
    fields = doc.mapping(doc.root, "(file)")
    code = doc.code(fields, "code", doc.root, "")
    version_text = doc.text(fields, "version", doc.root, "")
    if not version_text.isdigit() or int(version_text) < 1:
        raise doc.fail(fields["version"], "version", "expected a whole number from 1")
    family = doc.text(fields, "family", doc.root, "")
    if family not in FAMILIES:
        raise doc.fail(fields["family"], "family", f"unknown family {family!r}")
    rosh = doc.text(fields, "rosh", doc.root, "").lower()
    if rosh not in {"true", "false"}:
        raise doc.fail(fields["rosh"], "rosh", "expected true or false")
    scales = _scales(doc, fields.get("scales", doc.root))
    seen_sections: set[str] = set()
    seen_factors: set[str] = set()
    sections: list[Section] = []
    for node in doc.sequence(fields.get("sections", doc.root), "sections"):
        section = _section(doc, node, scales, seen_factors)
        if section.code in seen_sections:
            raise doc.fail(node, "sections.code", f"duplicate section {section.code}")
        seen_sections.add(section.code)
        sections.append(section)
    known = {"code", "version", "title", "family", "rosh", "scales", "sections"}
    for key, node in fields.items():
        if key not in known:
            raise doc.fail(node, key, "unknown field")
    return Instrument(
        code=code,
        version=int(version_text),
        title=doc.text(fields, "title", doc.root, ""),
        family=family,
        rosh=rosh == "true",
        sections=tuple(sections),
        source=path.name,
    )


def instruments_parse(paths: Iterable[Path]) -> dict[tuple[str, int], Instrument]:
    """Every instrument by (code, version); a code and version held twice stops start-up."""
    found: dict[tuple[str, int], Instrument] = {}
    for path in sorted(paths):
        instrument = instrument_parse(path, path.read_text(encoding="utf-8"))
        key = (instrument.code, instrument.version)
        if key in found:
            raise ImproperlyConfigured(
                f"{path.name}, line 1, field version: {instrument.code} version "
                f"{instrument.version} is already defined in {found[key].source}"
            )
        found[key] = instrument
    if not found:
        raise ImproperlyConfigured(f"{INSTRUMENTS_DIR}: no instrument files")
    return found


@functools.cache
def instruments() -> dict[tuple[str, int], Instrument]:
    """Every instrument on disk, validated (loaded once, at start-up)."""
    return instruments_parse(INSTRUMENTS_DIR.glob("*.yaml"))


def instrument_get(code: str, version: int | None = None) -> Instrument | None:
    """The instrument ``code`` at ``version`` (the latest version when None)."""
    loaded = instruments()
    if version is not None:
        return loaded.get((code, version))
    versions = [v for (c, v) in loaded if c == code]
    return loaded[(code, max(versions))] if versions else None


def instruments_current() -> list[Instrument]:
    """The latest version of each instrument, for starting a new assessment."""
    latest: dict[str, Instrument] = {}
    for instrument in instruments().values():
        if instrument.code not in latest or instrument.version > latest[instrument.code].version:
            latest[instrument.code] = instrument
    return sorted(latest.values(), key=lambda i: i.title)
