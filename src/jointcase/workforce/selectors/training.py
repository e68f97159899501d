"""Reads of prison training: establishments' compliance on a day, the named gaps for an
establishment's CT lead, the records a user may see, and the confidence survey by quarter.

Compliance on day ``d`` (docs/prison-training.md "How compliance is computed"): for each member
of an establishment's staff (``access.training.prison_staff_filter``), each course their roles
require there (``courses.yaml``; separation-centre courses only where one is held) is one
*required course-completion*; it is *current* when the member holds a completion with
``completed_on <= d < expires_on``. Compliance is current over required, per course and
overall. It is a date comparison on the day asked, so it changes on the expiry day itself.

Every figure is computed for many establishments at once in a fixed number of queries (staff,
their roles, their latest completion per course), never one query per person.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Avg, Count, Exists, Max, OuterRef, Q, QuerySet
from django.db.models.functions import TruncQuarter

from jointcase.access.training import (
    completion_filter,
    establishment_decision,
    establishment_filter,
    establishment_q,
    prison_staff_filter,
    staff_names_decision,
)
from jointcase.accounts.models import RoleAssignment, User
from jointcase.agencies.models import Agency
from jointcase.audit.reads import audited_read
from jointcase.workforce.courses import Catalogue, courses_current
from jointcase.workforce.models import ConfidenceResponse, TrainingCompletion

if TYPE_CHECKING:
    from django.http import HttpRequest

EXPIRED, MISSING = "expired", "missing"


def percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


@dataclass(frozen=True)
class CourseFigure:
    code: str
    label: str
    required: int
    current: int

    @property
    def percent(self) -> int | None:
        return percent(self.current, self.required)


@dataclass(frozen=True)
class StaffGap:
    """A required course a member of staff does not hold on the day: never completed
    (``missing``) or lapsed (``expired``, with the day it stopped counting)."""

    staff_id: int
    staff_name: str
    course_code: str
    course_label: str
    status: str
    expired_on: dt.date | None


@dataclass
class EstablishmentCompliance:
    establishment: Agency
    day: dt.date
    staff: int = 0
    courses: list[CourseFigure] = field(default_factory=list)
    gaps: list[StaffGap] = field(default_factory=list)

    @property
    def required(self) -> int:
        return sum(c.required for c in self.courses)

    @property
    def current(self) -> int:
        return sum(c.current for c in self.courses)

    @property
    def percent(self) -> int | None:
        return percent(self.current, self.required)


def _name(first: str, last: str, username: str) -> str:
    return f"{first} {last}".strip() or username


def compliance_on(
    establishments: list[Agency], day: dt.date, *, with_gaps: frozenset[int] = frozenset()
) -> dict[int, EstablishmentCompliance]:
    """The compliance of each of ``establishments`` on ``day``; the named gaps only for the
    establishments in ``with_gaps`` (callers pass those whose names the viewer may see).
    Three queries whatever the number of establishments and staff."""
    catalogue = courses_current()
    by_id = {e.pk: e for e in establishments}
    result = {pk: EstablishmentCompliance(establishment=e, day=day) for pk, e in by_id.items()}
    staff = list(
        User.objects.filter(prison_staff_filter(), agency_id__in=list(by_id))
        .order_by("last_name", "first_name", "pk")
        .values_list("pk", "agency_id", "first_name", "last_name", "username")
    )
    staff_ids = [row[0] for row in staff]
    roles: dict[int, set[str]] = defaultdict(set)
    for user_id, role in RoleAssignment.objects.filter(
        user_id__in=staff_ids, role__in=sorted(catalogue.staff_roles)
    ).values_list("user_id", "role"):
        roles[user_id].add(role)
    latest: dict[tuple[int, str], dt.date] = {
        (row["staff_id"], row["course_code"]): row["last_expiry"]
        for row in TrainingCompletion.objects.filter(staff_id__in=staff_ids, completed_on__lte=day)
        .values("staff_id", "course_code")
        .annotate(last_expiry=Max("expires_on"))
        .order_by()
    }
    counts: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for user_id, agency_id, first, last, username in staff:
        place = by_id[agency_id]
        figures = result[agency_id]
        figures.staff += 1
        required = catalogue.required_for(
            roles[user_id], separation_centre=place.holds_separation_centre
        )
        for code in _in_file_order(catalogue, required):
            expiry = latest.get((user_id, code))
            held = expiry is not None and expiry > day
            tally = counts[agency_id][code]
            tally[0] += 1
            tally[1] += int(held)
            if not held and agency_id in with_gaps:
                figures.gaps.append(
                    StaffGap(
                        staff_id=user_id,
                        staff_name=_name(first, last, username),
                        course_code=code,
                        course_label=catalogue.label_of(code),
                        status=MISSING if expiry is None else EXPIRED,
                        expired_on=expiry,
                    )
                )
    for agency_id, tallies in counts.items():
        result[agency_id].courses = [
            CourseFigure(code, catalogue.label_of(code), *tallies[code])
            for code in catalogue.courses
            if code in tallies
        ]
    return result


def _in_file_order(catalogue: Catalogue, codes: set[str]) -> list[str]:
    return [code for code in catalogue.courses if code in codes]


def establishments_for(user: User) -> QuerySet[Agency]:
    """The establishments whose figures ``user`` may see, by name."""
    return Agency.objects.filter(establishment_filter(user)).order_by("name")


def compliance_counted(
    establishments: list[Agency], day: dt.date
) -> dict[int, EstablishmentCompliance]:
    """``compliance_on`` without names, counted by the database in one query (a row per
    establishment, two conditional counts per course), so the figures of every establishment
    cost one scan of their staff whatever the number of records
    (tests/workforce/test_training_compliance.py proves the two agree)."""
    catalogue = courses_current()
    by_id = {e.pk: e for e in establishments}
    result = {pk: EstablishmentCompliance(establishment=e, day=day) for pk, e in by_id.items()}
    counts: dict[str, Any] = {"staff_count": Count("pk")}
    counted: list[str] = []
    for code, course in catalogue.courses.items():
        roles = sorted(role for role, codes in catalogue.requirements.items() if code in codes)
        if not roles:
            continue
        required = Q(Exists(RoleAssignment.objects.filter(user_id=OuterRef("pk"), role__in=roles)))
        if course.separation_centre_only:
            required &= Q(agency__holds_separation_centre=True)
        current = TrainingCompletion.objects.filter(
            staff_id=OuterRef("pk"), course_code=code, completed_on__lte=day, expires_on__gt=day
        )
        counts[f"required_{len(counted)}"] = Count("pk", filter=required)
        counts[f"held_{len(counted)}"] = Count("pk", filter=required & Q(Exists(current)))
        counted.append(code)
    rows = (
        User.objects.filter(prison_staff_filter(), agency_id__in=list(by_id))
        .values("agency_id")
        .annotate(**counts)
        .order_by()
    )
    for row in rows:
        figures = result[row["agency_id"]]
        figures.staff = row["staff_count"]
        figures.courses = [
            CourseFigure(code, catalogue.label_of(code), row[f"required_{i}"], row[f"held_{i}"])
            for i, code in enumerate(counted)
            if row[f"required_{i}"]
        ]
    return result


def training_overview_for(user: User, day: dt.date) -> list[EstablishmentCompliance]:
    """Each establishment ``user`` may see, with its compliance on ``day`` (no names)."""
    places = list(establishments_for(user))
    figures = compliance_counted(places, day)
    return [figures[place.pk] for place in places]


def establishment_get_for(*, user: User, code: str, request: HttpRequest | None = None) -> Agency:
    """The establishment ``code`` if ``user`` may see its figures; else 404 alike for missing
    and forbidden (the read, allowed or denied, is audited)."""
    return audited_read(
        user=user,
        raw_id=code,
        key=lambda raw: str(raw)[:40] or None,
        load=lambda key: Agency.objects.filter(establishment_q(), code=key).first(),
        decide=lambda place: establishment_decision(user, place),
        action="training.establishment.read",
        object_type="agency",
        not_found="Establishment not found",
        request=request,
    )


def establishment_compliance_for(
    user: User, establishment: Agency, day: dt.date
) -> EstablishmentCompliance:
    """``establishment``'s compliance on ``day``, with the named gaps when ``user`` is its
    prison CT lead (``staff_names_decision``); figures only for everyone else."""
    names = staff_names_decision(user, establishment).allowed
    return compliance_on(
        [establishment], day, with_gaps=frozenset({establishment.pk}) if names else frozenset()
    )[establishment.pk]


def completions_for(user: User) -> QuerySet[TrainingCompletion]:
    """The completion records ``user`` may see: their own, and their establishment's staff's
    if they are its prison CT lead (``access.training.completion_filter``)."""
    return (
        TrainingCompletion.objects.filter(completion_filter(user))
        .select_related("staff", "recorded_by")
        .order_by("-completed_on", "-pk")
    )


@dataclass(frozen=True)
class MyCourse:
    code: str
    label: str
    status: str
    completed_on: dt.date | None
    expires_on: dt.date | None


def my_courses(user: User, day: dt.date) -> list[MyCourse]:
    """The courses ``user`` must hold at their establishment, with each one's state on
    ``day`` (current, expired, missing) and its latest completion."""
    catalogue = courses_current()
    agency = user.agency
    if agency is None:
        return []
    required = catalogue.required_for(
        set(user.role_codes), separation_centre=agency.holds_separation_centre
    )
    latest: dict[str, TrainingCompletion] = {}
    for completion in TrainingCompletion.objects.filter(
        staff_id=user.pk, completed_on__lte=day
    ).order_by("expires_on", "pk"):
        latest[completion.course_code] = completion
    rows = []
    for code in _in_file_order(catalogue, required):
        done = latest.get(code)
        status = MISSING if done is None else "current" if done.is_current(day) else EXPIRED
        rows.append(
            MyCourse(
                code=code,
                label=catalogue.label_of(code),
                status=status,
                completed_on=done.completed_on if done else None,
                expires_on=done.expires_on if done else None,
            )
        )
    return rows


@dataclass(frozen=True)
class QuarterConfidence:
    quarter: str
    responses: int
    recognise: float
    challenge: float


def _quarter_label(day: dt.date) -> str:
    return f"{day.year} Q{(day.month - 1) // 3 + 1}"


def confidence_by_quarter(establishment: Agency, since: dt.date) -> list[QuarterConfidence]:
    """The survey's averages per calendar quarter since ``since``, newest first (an
    aggregate: never who answered what)."""
    rows: list[dict[str, Any]] = list(
        ConfidenceResponse.objects.filter(establishment=establishment, answered_on__gte=since)
        .annotate(quarter=TruncQuarter("answered_on"))
        .values("quarter")
        .annotate(n=Count("pk"), recognise_avg=Avg("recognise"), challenge_avg=Avg("challenge"))
        .order_by("-quarter")
    )
    return [
        QuarterConfidence(
            quarter=_quarter_label(row["quarter"]),
            responses=row["n"],
            recognise=round(float(row["recognise_avg"]), 1),
            challenge=round(float(row["challenge_avg"]), 1),
        )
        for row in rows
    ]
