"""The prison counter-terrorism course catalogue (``workforce/data/courses.yaml``): loaded once,
validated, and answered from memory.

The catalogue is policy data: a new course, a changed validity period or a role's new
requirement is a line in the file, never code. A malformed file stops the service at start-up
(``WorkforceConfig.ready`` loads it) with a message naming the file, the line and the field: an
unknown course or role is never silently ignored, and never a 500 later. The file in force is
``JOINTCASE_TRAINING_COURSES`` (default: the bundled file). docs/prison-training.md describes
the format field by field.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from jointcase.accounts.models import Role
from jointcase.lib.policy_files import CODE, LINE, LINES, Problems, policy_yaml_parse

DEFAULT_COURSES_PATH = Path(__file__).resolve().parent / "data" / "courses.yaml"
MAX_VALIDITY_MONTHS = 120


@dataclass(frozen=True)
class Course:
    code: str
    label: str
    validity_months: int
    #: Required only of staff at an establishment holding a separation centre.
    separation_centre_only: bool = False

    def expires_on(self, completed_on: dt.date) -> dt.date:
        """The first day the completion is no longer valid: ``validity_months`` after
        ``completed_on`` (the last day of a shorter month when the day does not exist)."""
        return add_months(completed_on, self.validity_months)


@dataclass(frozen=True)
class Catalogue:
    version: int
    source: str
    courses: dict[str, Course]
    #: Account role -> the codes of the courses it requires, in file order.
    requirements: dict[str, tuple[str, ...]]

    def label_of(self, code: str) -> str:
        """A course's display label (a retired code is shown readably, never raw)."""
        course = self.courses.get(code)
        return course.label if course is not None else code.replace("_", " ").capitalize()

    def required_for(
        self, roles: frozenset[str] | set[str], *, separation_centre: bool
    ) -> set[str]:
        """The courses a member of staff holding ``roles`` must hold at an establishment that
        does (or does not) hold a separation centre."""
        codes = {code for role in roles for code in self.requirements.get(role, ())}
        return {
            code
            for code in codes
            if separation_centre or not self.courses[code].separation_centre_only
        }

    @property
    def staff_roles(self) -> frozenset[str]:
        """The roles with any requirement: who counts as an establishment's staff."""
        return frozenset(role for role, codes in self.requirements.items() if codes)


def add_months(day: dt.date, months: int) -> dt.date:
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def _problem(source: str, mapping: Any, field: str, message: str) -> ImproperlyConfigured:
    return Problems(source).at(mapping, field, message)


def _known_fields(source: str, entry: dict[str, Any], known: set[str]) -> None:
    for field in entry:
        if field not in known | {LINE, LINES}:
            raise _problem(source, entry, field, "unknown field")


def _course_parse(source: str, entry: Any, data: dict[str, Any]) -> Course:
    if not isinstance(entry, dict):
        raise _problem(source, data, "courses", "each course must be a mapping")
    _known_fields(source, entry, {"code", "label", "validity_months", "separation_centre_only"})
    code = entry.get("code")
    if not isinstance(code, str) or not CODE.match(code):
        raise _problem(source, entry, "code", f"expected an UPPER_SNAKE code, got {code!r}")
    label = entry.get("label")
    if not isinstance(label, str) or not label.strip():
        raise _problem(source, entry, "label", "give the course a label")
    months = entry.get("validity_months")
    if (
        not isinstance(months, int)
        or isinstance(months, bool)
        or not 1 <= months <= MAX_VALIDITY_MONTHS
    ):
        raise _problem(
            source,
            entry,
            "validity_months",
            f"expected a whole number from 1 to {MAX_VALIDITY_MONTHS}, got {months!r}",
        )
    only = entry.get("separation_centre_only", False)
    if not isinstance(only, bool):
        raise _problem(source, entry, "separation_centre_only", "expected true or false")
    return Course(
        code=code, label=label.strip(), validity_months=months, separation_centre_only=only
    )


def _requirement_parse(
    source: str, entry: Any, data: dict[str, Any], courses: dict[str, Course]
) -> tuple[str, tuple[str, ...]]:
    if not isinstance(entry, dict):
        raise _problem(source, data, "requirements", "each requirement must be a mapping")
    _known_fields(source, entry, {"role", "courses"})
    role = entry.get("role")
    if role not in Role.values:
        raise _problem(source, entry, "role", f"unknown role {role!r} (an account role)")
    codes = entry.get("courses")
    if not isinstance(codes, list) or not codes:
        raise _problem(source, entry, "courses", "name at least one course")
    for code in codes:
        if code not in courses:
            raise _problem(source, entry, "courses", f"unknown course {code!r}")
    if len(set(codes)) != len(codes):
        raise _problem(source, entry, "courses", "a course is named twice")
    return str(role), tuple(str(code) for code in codes)


def courses_parse(text: str, *, source: str) -> Catalogue:
    """Parse and validate the text of a courses file; raise ``ImproperlyConfigured`` naming the
    file, line and field of the first problem."""
    data = policy_yaml_parse(text, source=source)
    _known_fields(source, data, {"version", "courses", "requirements"})
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _problem(source, data, "version", f"expected a whole number from 1, got {version!r}")
    raw_courses = data.get("courses")
    if not isinstance(raw_courses, list) or not raw_courses:
        raise _problem(source, data, "courses", "expected a non-empty list of courses")
    courses: dict[str, Course] = {}
    for entry in raw_courses:
        course = _course_parse(source, entry, data)
        if course.code in courses:
            raise _problem(source, entry, "code", f"duplicate course {course.code}")
        courses[course.code] = course
    raw_requirements = data.get("requirements")
    if not isinstance(raw_requirements, list) or not raw_requirements:
        raise _problem(source, data, "requirements", "expected a non-empty list of requirements")
    requirements: dict[str, tuple[str, ...]] = {}
    for entry in raw_requirements:
        role, codes = _requirement_parse(source, entry, data, courses)
        if role in requirements:
            raise _problem(source, entry, "role", f"the role {role} is listed twice")
        requirements[role] = codes
    return Catalogue(version=version, source=source, courses=courses, requirements=requirements)


def courses_load(path: Path | str) -> Catalogue:
    file = Path(path)
    return courses_parse(file.read_text(encoding="utf-8"), source=str(file))


def courses_path() -> Path:
    """The courses file in force (``JOINTCASE_TRAINING_COURSES``, default the bundled file)."""
    configured = getattr(settings, "JOINTCASE_TRAINING_COURSES", "")
    return Path(configured) if configured else DEFAULT_COURSES_PATH


@functools.cache
def courses_current() -> Catalogue:
    """The catalogue in force, loaded once (``WorkforceConfig.ready`` loads it at start-up)."""
    return courses_load(courses_path())
