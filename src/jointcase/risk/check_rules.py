"""The required-checks rules file (``risk/data/rules/*.yaml``): loaded once, validated, and
answered from memory.

The rules are policy data: owners change them, and a new check type is a line in the file,
never code. A malformed file stops the service at start-up (``RiskConfig.ready`` loads it)
with a message naming the file, the line and the field, never a 500 later and never a rule
silently ignored. ``jointcase checks preview RULES_FILE`` parses a changed file with the same
code before it is applied.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from jointcase.cases.models import CaseRole, Cohort, Phase
from jointcase.lib.policy_files import CODE, LINE, LINES, Problems, policy_yaml_parse
from jointcase.risk.models.checks import ChangeKind, TriggerKind

RULES_DIR = Path(__file__).resolve().parent / "data" / "rules"
DEFAULT_RULES_PATH = RULES_DIR / "required_checks.yaml"
FAMILIES = frozenset({"DOMESTIC_ABUSE", "SAFEGUARDING", "PUBLIC_PROTECTION", "SUPERVISION"})
ALL_COHORTS = "ALL"
MAX_DEADLINE_WORKING_DAYS = 120


@dataclass(frozen=True)
class CheckTypeSpec:
    code: str
    label: str
    sent_to: str
    family: str


@dataclass(frozen=True)
class Trigger:
    kind: str
    #: ALLOCATION: the case-team role whose arrival is the allocation.
    role: str = ""
    #: PHASE_ENTERED: the phase entered.
    phase: str = ""
    #: BEFORE_RELEASE: calendar days before the expected release.
    days: int = 0
    #: CHANGE_OF_CIRCUMSTANCE: the changes that fire it.
    changes: frozenset[str] = frozenset()
    #: PERIODIC: the interval, in months from the case's opening.
    every_months: int = 0


@dataclass(frozen=True)
class RuleSpec:
    code: str
    check_type: str
    trigger: Trigger
    deadline_working_days: int
    #: Empty: every cohort.
    cohorts: frozenset[str]
    #: Empty: every phase but CLOSED.
    phases: frozenset[str]
    responsible_role: str
    line: int

    def applies_to(self, cohort: str, phase: str) -> bool:
        """Does the rule cover a case of ``cohort`` now in ``phase``? Closed cases: never."""
        if phase == Phase.CLOSED:
            return False
        if self.cohorts and cohort not in self.cohorts:
            return False
        return not self.phases or phase in self.phases


@dataclass(frozen=True)
class RuleSet:
    version: int
    source: str
    check_types: dict[str, CheckTypeSpec]
    rules: tuple[RuleSpec, ...]

    def rules_for(self, kind: str) -> tuple[RuleSpec, ...]:
        return tuple(rule for rule in self.rules if rule.trigger.kind == kind)

    def label_of(self, check_type: str) -> str:
        """The display label of a check type (the code itself if a retired type)."""
        spec = self.check_types.get(check_type)
        return spec.label if spec is not None else check_type.replace("_", " ").capitalize()

    def family_of(self, check_type: str) -> str:
        spec = self.check_types.get(check_type)
        return spec.family if spec is not None else ""


def _code(entry: dict[str, Any], field: str, problems: Problems) -> str:
    value = entry.get(field)
    if not isinstance(value, str) or not CODE.match(value):
        raise problems.at(entry, field, f"expected an UPPER_SNAKE code, got {value!r}")
    return value


def _positive(entry: dict[str, Any], field: str, problems: Problems, high: int) -> int:
    value = entry.get(field)
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= high:
        raise problems.at(entry, field, f"expected a whole number from 1 to {high}, got {value!r}")
    return value


def _members(
    entry: dict[str, Any], field: str, allowed: frozenset[str], problems: Problems, what: str
) -> frozenset[str]:
    value = entry.get(field, [])
    if not isinstance(value, list):
        raise problems.at(entry, field, "expected a list")
    for item in value:
        if item not in allowed:
            raise problems.at(entry, field, f"unknown {what} {item!r}")
    return frozenset(str(item) for item in value)


def _trigger_parse(entry: dict[str, Any], problems: Problems) -> Trigger:
    raw = entry.get("trigger")
    if not isinstance(raw, dict):
        raise problems.at(entry, "trigger", "expected a mapping with a 'kind'")
    kind = raw.get("kind")
    if kind not in TriggerKind.values:
        raise problems.at(raw, "kind", f"unknown trigger {kind!r}")
    if kind == TriggerKind.ALLOCATION:
        role = raw.get("role", CaseRole.LEAD_NSD_PRACTITIONER)
        if role not in CaseRole.values:
            raise problems.at(raw, "role", f"unknown case role {role!r}")
        return Trigger(kind=kind, role=role)
    if kind == TriggerKind.PHASE_ENTERED:
        phase = raw.get("phase")
        if phase not in Phase.values or phase == Phase.CLOSED:
            raise problems.at(raw, "phase", f"unknown phase {phase!r}")
        return Trigger(kind=kind, phase=phase)
    if kind == TriggerKind.BEFORE_RELEASE:
        return Trigger(kind=kind, days=_positive(raw, "days", problems, 366))
    if kind == TriggerKind.CHANGE_OF_CIRCUMSTANCE:
        changes = _members(raw, "changes", frozenset(ChangeKind.values), problems, "change")
        if not changes:
            raise problems.at(raw, "changes", "name at least one change of circumstance")
        return Trigger(kind=kind, changes=changes)
    return Trigger(kind=kind, every_months=_positive(raw, "every_months", problems, 60))


def _check_types_parse(data: dict[str, Any], problems: Problems) -> dict[str, CheckTypeSpec]:
    raw = data.get("check_types")
    if not isinstance(raw, list) or not raw:
        raise problems.at(data, "check_types", "expected a non-empty list of check types")
    types: dict[str, CheckTypeSpec] = {}
    for entry in raw:
        if not isinstance(entry, dict):
            raise problems.at(data, "check_types", "each check type must be a mapping")
        code = _code(entry, "code", problems)
        if code in types:
            raise problems.at(entry, "code", f"duplicate check type {code}")
        label = entry.get("label")
        if not isinstance(label, str) or not label.strip():
            raise problems.at(entry, "label", "give the check type a label")
        family = entry.get("family")
        if family not in FAMILIES:
            raise problems.at(entry, "family", f"unknown family {family!r}")
        types[code] = CheckTypeSpec(
            code=code, label=label.strip(), sent_to=str(entry.get("sent_to", "")), family=family
        )
    return types


def _rule_parse(
    entry: Any, types: dict[str, CheckTypeSpec], data: dict[str, Any], problems: Problems
) -> RuleSpec:
    if not isinstance(entry, dict):
        raise problems.at(data, "rules", "each rule must be a mapping")
    code = _code(entry, "code", problems)
    check_type = entry.get("check_type")
    if check_type not in types:
        raise problems.at(entry, "check_type", f"unknown check type {check_type!r}")
    role = entry.get("responsible_role")
    if role not in CaseRole.values:
        raise problems.at(entry, "responsible_role", f"unknown case role {role!r}")
    cohorts = _members(
        entry, "cohorts", frozenset(Cohort.values) | {ALL_COHORTS}, problems, "cohort"
    )
    if not cohorts:
        raise problems.at(entry, "cohorts", "name the cohorts (or ALL)")
    phases = _members(entry, "phases", frozenset(Phase.values) - {Phase.CLOSED}, problems, "phase")
    known = {"code", "check_type", "trigger", "deadline_working_days", "cohorts", "phases"}
    for field in entry:
        if field not in known | {"responsible_role", LINE, LINES}:
            raise problems.at(entry, field, "unknown field")
    return RuleSpec(
        code=code,
        check_type=check_type,
        trigger=_trigger_parse(entry, problems),
        deadline_working_days=_positive(
            entry, "deadline_working_days", problems, MAX_DEADLINE_WORKING_DAYS
        ),
        cohorts=frozenset() if ALL_COHORTS in cohorts else cohorts,
        phases=phases,
        responsible_role=role,
        line=int(entry.get(LINE, 0)),
    )


def rules_parse(text: str, *, source: str) -> RuleSet:
    """Parse and validate the text of a rules file; raise ``ImproperlyConfigured`` naming the
    file, line and field of the first problem."""
    problems = Problems(source)
    data = policy_yaml_parse(text, source=source)
    version = _positive(data, "version", problems, 1_000_000)
    types = _check_types_parse(data, problems)
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise problems.at(data, "rules", "expected a non-empty list of rules")
    rules: list[RuleSpec] = []
    seen: set[str] = set()
    for entry in raw_rules:
        rule = _rule_parse(entry, types, data, problems)
        if rule.code in seen:
            raise problems.at(entry, "code", f"duplicate rule {rule.code}")
        seen.add(rule.code)
        rules.append(rule)
    return RuleSet(version=version, source=source, check_types=types, rules=tuple(rules))


def rules_load(path: Path | str) -> RuleSet:
    """Load and validate the rules file at ``path``."""
    file = Path(path)
    return rules_parse(file.read_text(encoding="utf-8"), source=str(file))


def rules_path() -> Path:
    """The rules file in force (``JOINTCASE_CHECK_RULES``, default the bundled file)."""
    configured = getattr(settings, "JOINTCASE_CHECK_RULES", "")
    return Path(configured) if configured else DEFAULT_RULES_PATH


@functools.cache
def rules_current() -> RuleSet:
    """The rules in force, loaded once (``RiskConfig.ready`` loads them at start-up)."""
    return rules_load(rules_path())
