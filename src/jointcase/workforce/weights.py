"""The caseload weights file (``workforce/data/weights.yaml``): loaded once, validated, and
answered from memory.

Weights and caps are policy (docs/workforce.md): owners change them in the file, never in
code. A malformed file stops the service at start-up (``WorkforceConfig.ready`` loads it) with
a message naming the file, the line and the field: an unknown phase, RoSH level, MAPPA level,
cohort, role, case role or agency kind is never silently ignored, and a missing one is never
silently weighted zero. The YAML reading (line numbers of every key) is every policy file's
(``jointcase.lib.policy_files``), so they all report problems the same way.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings

from jointcase.accounts.models import Role
from jointcase.agencies.models import AgencyKind
from jointcase.cases.models import CaseRole, Cohort, MappaLevel, Phase
from jointcase.lib.policy_files import LINE, Problems, plain_keys, policy_yaml_parse
from jointcase.risk.models.assessments import RoshLevel

DEFAULT_WEIGHTS_PATH = Path(__file__).resolve().parent / "data" / "weights.yaml"
#: The RoSH key of a case with no completed assessment, and the MAPPA key of an unregistered one.
NOT_ASSESSED = "NOT_ASSESSED"
NOT_REGISTERED = "NONE"
MAX_WEIGHT = Decimal(100)
MAX_CAP = Decimal(1000)

#: Each table of ``case_weights``: the keys it must hold, exactly.
TABLES: dict[str, frozenset[str]] = {
    "phase": frozenset(Phase.values),
    "rosh": frozenset(RoshLevel.values) | {NOT_ASSESSED},
    "mappa_level": frozenset(str(level) for level in MappaLevel.values) | {NOT_REGISTERED},
    "cohort": frozenset(Cohort.values),
}
_ROLE_FIELDS = {"cap", "lead_case_role", "co_working_case_role", "agency_kind", "allocated_by"}


@dataclass(frozen=True)
class RoleSpec:
    """How one agency role holds a caseload and who allocates its cases."""

    role: str
    cap: Decimal
    lead_case_role: str
    co_working_case_role: str
    agency_kind: str
    allocated_by: str
    line: int

    @property
    def case_roles(self) -> tuple[str, ...]:
        return tuple(r for r in (self.lead_case_role, self.co_working_case_role) if r)


@dataclass(frozen=True)
class Weights:
    version: int
    source: str
    tables: dict[str, dict[str, Decimal]]
    co_working_fraction: Decimal
    default_hours_fraction: Decimal
    max_other_duties_reduction: Decimal
    roles: dict[str, RoleSpec]

    def case_weight(
        self, *, phase: str, rosh: str | None, mappa_level: int | None, cohort: str
    ) -> Decimal:
        """The weight of one case: one figure from each table, summed. Values the file does
        not know (a retired code on an old row) weigh nothing rather than fail a page."""
        t = self.tables
        return (
            t["phase"].get(phase, Decimal(0))
            + t["rosh"].get(rosh or NOT_ASSESSED, Decimal(0))
            + t["mappa_level"].get(
                str(mappa_level) if mappa_level is not None else NOT_REGISTERED, Decimal(0)
            )
            + t["cohort"].get(cohort, Decimal(0))
        )

    def spec_for_user_roles(self, role_codes: frozenset[str]) -> RoleSpec | None:
        """The caseload role of a user holding ``role_codes`` (the first in file order)."""
        for code, spec in self.roles.items():
            if code in role_codes:
                return spec
        return None

    def specs_allocated_by(self, role_codes: frozenset[str]) -> list[RoleSpec]:
        """The caseload roles whose cases a holder of ``role_codes`` allocates."""
        return [spec for spec in self.roles.values() if spec.allocated_by in role_codes]

    @property
    def lead_case_roles(self) -> frozenset[str]:
        return frozenset(spec.lead_case_role for spec in self.roles.values())

    @property
    def co_working_case_roles(self) -> frozenset[str]:
        return frozenset(
            s.co_working_case_role for s in self.roles.values() if s.co_working_case_role
        )


def _number(
    mapping: dict[str, Any], field: str, problems: Problems, low: Decimal, high: Decimal
) -> Decimal:
    value = mapping.get(field)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise problems.at(mapping, field, f"expected a number from {low} to {high}, got {value!r}")
    number = Decimal(str(value))
    if not low <= number <= high:
        raise problems.at(mapping, field, f"expected a number from {low} to {high}, got {value!r}")
    return number


def _mapping(parent: dict[str, Any], field: str, problems: Problems) -> dict[str, Any]:
    value = parent.get(field)
    if not isinstance(value, dict):
        raise problems.at(parent, field, "expected a mapping")
    return value


def _table_parse(
    raw: dict[str, Any], name: str, allowed: frozenset[str], problems: Problems
) -> dict[str, Decimal]:
    table = _mapping(raw, name, problems)
    values: dict[str, Decimal] = {}
    for key in plain_keys(table):
        if key not in allowed:
            what = {"mappa_level": "MAPPA level", "rosh": "RoSH level"}.get(name, name)
            raise problems.at(table, key, f"unknown {what} {key!r}")
        values[key] = _number(table, key, problems, Decimal(0), MAX_WEIGHT)
    missing = sorted(allowed - values.keys())
    if missing:
        raise problems.at(raw, name, f"no weight for {', '.join(missing)}")
    return values


def _choice(
    entry: dict[str, Any], field: str, allowed: list[str], problems: Problems, what: str
) -> str:
    value = entry.get(field)
    if value not in allowed:
        raise problems.at(entry, field, f"unknown {what} {value!r}")
    return str(value)


def _role_parse(code: str, entry: Any, roles: dict[str, Any], problems: Problems) -> RoleSpec:
    if code not in Role.values:
        raise problems.at(roles, code, f"unknown role {code!r}")
    if not isinstance(entry, dict):
        raise problems.at(roles, code, "expected a mapping")
    for field in plain_keys(entry):
        if field not in _ROLE_FIELDS:
            raise problems.at(entry, field, "unknown field")
    co_working = entry.get("co_working_case_role", "")
    if co_working:
        _choice(entry, "co_working_case_role", CaseRole.values, problems, "case role")
    return RoleSpec(
        role=code,
        cap=_number(entry, "cap", problems, Decimal(1), MAX_CAP),
        lead_case_role=_choice(entry, "lead_case_role", CaseRole.values, problems, "case role"),
        co_working_case_role=str(co_working or ""),
        agency_kind=_choice(entry, "agency_kind", AgencyKind.values, problems, "agency kind"),
        allocated_by=_choice(entry, "allocated_by", Role.values, problems, "role"),
        line=int(entry.get(LINE, 0)),
    )


def weights_parse(text: str, *, source: str) -> Weights:
    """Parse and validate the text of a weights file; raise ``ImproperlyConfigured`` naming
    the file, line and field of the first problem."""
    problems = Problems(source)
    data = policy_yaml_parse(text, source=source)
    for field in plain_keys(data):
        if field not in {"version", "case_weights", "co_working_fraction", "capacity", "roles"}:
            raise problems.at(data, field, "unknown field")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise problems.at(data, "version", f"expected a whole number from 1, got {version!r}")
    raw_tables = _mapping(data, "case_weights", problems)
    for field in plain_keys(raw_tables):
        if field not in TABLES:
            raise problems.at(raw_tables, field, "unknown weight table")
    tables = {name: _table_parse(raw_tables, name, keys, problems) for name, keys in TABLES.items()}
    capacity = _mapping(data, "capacity", problems)
    raw_roles = _mapping(data, "roles", problems)
    roles = {
        code: _role_parse(code, raw_roles[code], raw_roles, problems)
        for code in plain_keys(raw_roles)
    }
    if not roles:
        raise problems.at(data, "roles", "name at least one role that holds a caseload")
    leads: dict[str, str] = {}
    for spec in roles.values():
        if spec.lead_case_role in leads:
            raise problems.at(
                raw_roles[spec.role],
                "lead_case_role",
                f"{spec.lead_case_role} is already "
                f"the lead case role of {leads[spec.lead_case_role]}",
            )
        leads[spec.lead_case_role] = spec.role
    return Weights(
        version=version,
        source=source,
        tables=tables,
        co_working_fraction=_number(data, "co_working_fraction", problems, Decimal(0), Decimal(1)),
        default_hours_fraction=_number(
            capacity, "default_hours_fraction", problems, Decimal("0.05"), Decimal(1)
        ),
        max_other_duties_reduction=_number(
            capacity, "max_other_duties_reduction", problems, Decimal(0), Decimal("0.95")
        ),
        roles=roles,
    )


def weights_load(path: Path | str) -> Weights:
    file = Path(path)
    return weights_parse(file.read_text(encoding="utf-8"), source=str(file))


def weights_path() -> Path:
    """The weights file in force (``JOINTCASE_WORKFORCE_WEIGHTS``, default the bundled file)."""
    configured = getattr(settings, "JOINTCASE_WORKFORCE_WEIGHTS", "")
    return Path(configured) if configured else DEFAULT_WEIGHTS_PATH


@functools.cache
def weights_current() -> Weights:
    """The weights in force, loaded once (``WorkforceConfig.ready`` loads them at start-up)."""
    return weights_load(weights_path())
