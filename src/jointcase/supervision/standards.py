"""The contact standards file (``supervision/data/standards.yaml``): loaded once, validated, and
answered from memory.

The standards are policy data: owners change them, and a new tier is an entry in the file,
never code. A malformed file (an unknown phase, RoSH level, MAPPA level or contact kind, a
missing field) stops the service at start-up (``SupervisionConfig.ready`` loads it) with a
message naming the file, the line and the field, never a 500 later and never a standard
silently ignored. The YAML reading is every policy file's (``jointcase.lib.policy_files``).

Which standard a case keeps, and whether it keeps it, is pure (``standard_for``,
``standing_of``): the facts are read in bulk by ``supervision.standing``.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from jointcase.cases.models import MappaLevel, Phase
from jointcase.lib.policy_files import CODE, LINE, LINES, Problems, policy_yaml_parse
from jointcase.risk.models.assessments import RoshLevel
from jointcase.supervision.models import ContactKind

DEFAULT_STANDARDS_PATH = Path(__file__).resolve().parent / "data" / "standards.yaml"
MAX_EVERY_DAYS = 92
MAX_WEEKS = 520
_FIELDS = frozenset(
    {
        "code",
        "label",
        "phases",
        "rosh",
        "mappa_levels",
        "weeks_since_release",
        "every_days",
        "kinds",
    }
)


@dataclass(frozen=True)
class Standard:
    code: str
    #: The standard in words (what the case's Contacts page shows).
    label: str
    phases: frozenset[str]
    #: Empty: any RoSH, including none assessed yet.
    rosh: frozenset[str]
    #: Empty: any MAPPA level, including none.
    mappa_levels: frozenset[int]
    #: Whole weeks since release, ``from`` inclusive, ``until`` exclusive (None: open).
    weeks_from: int | None
    weeks_until: int | None
    every_days: int
    kinds: frozenset[str]
    line: int

    def matches(self, facts: StandardFacts, today: dt.date) -> bool:
        if facts.phase not in self.phases:
            return False
        if self.rosh and facts.rosh not in self.rosh:
            return False
        if self.mappa_levels and facts.mappa_level not in self.mappa_levels:
            return False
        if self.weeks_from is None and self.weeks_until is None:
            return True
        weeks = facts.weeks_since_release(today)
        if weeks is None:
            return False
        if self.weeks_from is not None and weeks < self.weeks_from:
            return False
        return self.weeks_until is None or weeks < self.weeks_until


@dataclass(frozen=True)
class StandardSet:
    version: int
    source: str
    standards: tuple[Standard, ...]

    def for_case(self, facts: StandardFacts, today: dt.date) -> Standard | None:
        """The first standard in the file that matches the case today (None: no standard)."""
        return next((s for s in self.standards if s.matches(facts, today)), None)


@dataclass(frozen=True)
class StandardFacts:
    """What a case's standard depends on (read in bulk by the standing selector)."""

    phase: str
    #: The highest RoSH of the latest completed assessment (None: none completed).
    rosh: str | None
    #: The current MAPPA level (None: not registered).
    mappa_level: int | None
    #: The latest release (or re-release after recall) that has happened.
    released_on: dt.date | None
    opened_at: dt.date

    def weeks_since_release(self, today: dt.date) -> int | None:
        if self.released_on is None or self.released_on > today:
            return None
        return (today - self.released_on).days // 7


@dataclass(frozen=True)
class Standing:
    """Whether a case keeps its standard on a day: the last counting contact, the day the next
    was due by, and whether that day has passed."""

    standard: Standard | None
    last_contact_on: dt.date | None
    due_on: dt.date | None
    below: bool


def standing_of(
    standard: Standard | None,
    facts: StandardFacts,
    last_by_kind: dict[str, dt.date],
    today: dt.date,
) -> Standing:
    """The standing on ``today``: a counting contact (attended, of a kind the standard counts)
    is due ``every_days`` after the last one, or after the standard's start (the release for a
    standard counted from release, else the case's opening) when there has been none since.
    Below the standard once that day has passed."""
    if standard is None:
        return Standing(None, None, None, False)
    counted = [day for kind, day in last_by_kind.items() if kind in standard.kinds]
    last = max(counted) if counted else None
    start = facts.opened_at
    if standard.weeks_from is not None and facts.released_on is not None:
        start = max(start, facts.released_on)
    anchor = max(last, start) if last is not None else start
    due_on = anchor + dt.timedelta(days=standard.every_days)
    return Standing(standard, last, due_on, due_on < today)


# --- Parsing -----------------------------------------------------------------------------------


def _members(
    entry: dict[str, Any],
    field: str,
    allowed: set[Any],
    problems: Problems,
    what: str,
    *,
    required: bool = False,
) -> frozenset[Any]:
    value = entry.get(field, [])
    if not isinstance(value, list):
        raise problems.at(entry, field, "expected a list")
    if required and not value:
        raise problems.at(entry, field, f"name at least one {what}")
    for item in value:
        if isinstance(item, bool) or item not in allowed:
            raise problems.at(entry, field, f"unknown {what} {item!r}")
    return frozenset(value)


def _weeks(entry: dict[str, Any], problems: Problems) -> tuple[int | None, int | None]:
    raw = entry.get("weeks_since_release")
    if raw is None:
        return None, None
    if not isinstance(raw, dict):
        raise problems.at(entry, "weeks_since_release", "expected a mapping with from/until")
    bounds: list[int | None] = []
    for name in ("from", "until"):
        value = raw.get(name)
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_WEEKS
        ):
            raise problems.at(
                raw, name, f"expected whole weeks from 0 to {MAX_WEEKS}, got {value!r}"
            )
        bounds.append(value)
    for name in raw:
        if name not in ("from", "until", LINE, LINES):
            raise problems.at(raw, name, "unknown field")
    low, high = bounds
    if low is None and high is None:
        raise problems.at(entry, "weeks_since_release", "give 'from', 'until' or both")
    if low is not None and high is not None and high <= low:
        raise problems.at(raw, "until", "must be after 'from'")
    return low, high


def _standard_parse(entry: Any, data: dict[str, Any], problems: Problems) -> Standard:
    if not isinstance(entry, dict):
        raise problems.at(data, "standards", "each standard must be a mapping")
    for field in entry:
        if field not in _FIELDS | {LINE, LINES}:
            raise problems.at(entry, field, "unknown field")
    code = entry.get("code")
    if not isinstance(code, str) or not CODE.match(code):
        raise problems.at(entry, "code", f"expected an UPPER_SNAKE code, got {code!r}")
    label = entry.get("label")
    if not isinstance(label, str) or not label.strip():
        raise problems.at(entry, "label", "give the standard in words")
    phases = _members(
        entry, "phases", set(Phase.values) - {Phase.CLOSED}, problems, "phase", required=True
    )
    rosh = _members(entry, "rosh", set(RoshLevel.values), problems, "RoSH level")
    mappa = _members(entry, "mappa_levels", set(MappaLevel.values), problems, "MAPPA level")
    kinds = _members(
        entry, "kinds", set(ContactKind.values), problems, "contact kind", required=True
    )
    every = entry.get("every_days")
    if not isinstance(every, int) or isinstance(every, bool) or not 1 <= every <= MAX_EVERY_DAYS:
        raise problems.at(
            entry,
            "every_days",
            f"expected a whole number from 1 to {MAX_EVERY_DAYS}, got {every!r}",
        )
    low, high = _weeks(entry, problems)
    return Standard(
        code=code,
        label=label.strip(),
        phases=phases,
        rosh=rosh,
        mappa_levels=frozenset(int(level) for level in mappa),
        weeks_from=low,
        weeks_until=high,
        every_days=every,
        kinds=kinds,
        line=int(entry.get(LINE, 0)),
    )


def standards_parse(text: str, *, source: str) -> StandardSet:
    """Parse and validate the text of a standards file; raise ``ImproperlyConfigured`` naming
    the file, line and field of the first problem."""
    problems = Problems(source)
    data = policy_yaml_parse(text, source=source)
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise problems.at(data, "version", f"expected a whole number from 1, got {version!r}")
    raw = data.get("standards")
    if not isinstance(raw, list) or not raw:
        raise problems.at(data, "standards", "expected a non-empty list of standards")
    standards: list[Standard] = []
    seen: set[str] = set()
    for entry in raw:
        standard = _standard_parse(entry, data, problems)
        if standard.code in seen:
            raise problems.at(entry, "code", f"duplicate standard {standard.code}")
        seen.add(standard.code)
        standards.append(standard)
    return StandardSet(version=version, source=source, standards=tuple(standards))


def standards_load(path: Path | str) -> StandardSet:
    file = Path(path)
    return standards_parse(file.read_text(encoding="utf-8"), source=str(file))


def standards_path() -> Path:
    """The file in force (``JOINTCASE_CONTACT_STANDARDS``, default the bundled file)."""
    configured = getattr(settings, "JOINTCASE_CONTACT_STANDARDS", "")
    return Path(configured) if configured else DEFAULT_STANDARDS_PATH


@functools.cache
def standards_current() -> StandardSet:
    """The standards in force, loaded once (``SupervisionConfig.ready`` loads them)."""
    return standards_load(standards_path())
