"""The prison offender manager's involvement in managing terrorist risk in custody
(docs/prison-training.md "How POM involvement is computed").

A *custody case* of an establishment on day ``d`` is a case in custody, pre-release or recalled
with a custody placement at the establishment current on ``d``. Its POMs are the users on its
case team in the POM role on ``d`` (in person; a whole team in the role names nobody). Over the
window of the last three months (``d`` minus 3 months to ``d``) we ask, of any of its POMs:

- *invited*: invited to a meeting of the case held in the window;
- *present*: recorded as attending such a meeting;
- *contributed*: wrote a section of one of the case's risk assessments, or took a step in one
  (started, completed, countersigned, returned), in the window;
- *received tearlines*: read an approved tearline (sanitised derivative) of the case in the
  window, as recorded in the audit chain (an ALLOW ``material.read`` entry: the consultation
  log the law requires, so the most defensible evidence that it reached them; merely being
  releasable to the prison proves nothing was read);
- *last contact*: when they last held or recorded a supervision contact on the case.

The case counts as *involved* when its POM was present, contributed, received a tearline or
recorded a contact in the window; an invitation alone is not involvement, and a case with no
POM is not involved. Every signal is read for many cases at once: one query per signal for every
few thousand cases, never one per case.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from jointcase.access.policy import AnyUser, case_filter, current_q
from jointcase.audit.models import AuditEntry, Outcome
from jointcase.cases.models import Case, CaseRole, CaseTeamMember, CustodyPlacement, Phase
from jointcase.material.models import MaterialItem, TearlineStatus
from jointcase.meetings.models import Invitation, Meeting
from jointcase.risk.models.assessments import AssessmentEvent, AssessmentSection
from jointcase.supervision.models import Contact
from jointcase.workforce.courses import add_months

CUSTODY_PHASES = (Phase.CUSTODY, Phase.PRE_RELEASE, Phase.RECALLED)
WINDOW_MONTHS = 3
#: Tearline ids per audit query (the audit chain stores object ids as text).
_CHUNK = 500
#: Case ids per query (well inside every database's limit on parameters).
_ID_CHUNK = 5000


@dataclass
class PomInvolvement:
    case_id: int
    reference: str
    public_id: object
    phase: str
    establishment_id: int
    pom_names: list[str]
    invited: bool = False
    present: bool = False
    contributed: bool = False
    received_tearline: bool = False
    last_contact: dt.datetime | None = None
    contact_in_window: bool = False

    @property
    def has_pom(self) -> bool:
        return bool(self.pom_names)

    @property
    def involved(self) -> bool:
        return self.has_pom and (
            self.present or self.contributed or self.received_tearline or self.contact_in_window
        )

    @property
    def phase_label(self) -> str:
        return Phase(self.phase).label if self.phase in Phase.values else self.phase


@dataclass(frozen=True)
class InvolvementFigure:
    involved: int
    cases: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.involved / self.cases) if self.cases else None


def window_start(day: dt.date) -> dt.date:
    return add_months(day, -WINDOW_MONTHS)


def _instant(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _current_placements(establishment_ids: Iterable[int], day: dt.date) -> QuerySet[Any]:
    return CustodyPlacement.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=day),
        valid_from__lte=day,
        establishment_id__in=list(establishment_ids),
    )


def custody_case_rows(
    establishment_ids: Iterable[int], day: dt.date, *, extra: Q | None = None
) -> list[tuple[int, str, object, str, int]]:
    """(case id, reference, public id, phase, establishment id) of the custody cases of the
    establishments on ``day``, by reference, in one query (``extra`` narrows the cases, for
    example by the case rule; a case placed twice on the day counts at its latest placement)."""
    placements = _current_placements(establishment_ids, day).filter(case__phase__in=CUSTODY_PHASES)
    if extra is not None:
        placements = placements.filter(case_id__in=Case.objects.filter(extra).values("pk"))
    latest: dict[int, tuple[int, str, object, str, int]] = {}
    for row in placements.order_by("valid_from", "pk").values_list(
        "case_id", "case__reference", "case__public_id", "case__phase", "establishment_id"
    ):
        latest[row[0]] = row
    return sorted(latest.values(), key=lambda row: row[1])


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), _ID_CHUNK):
        yield ids[start : start + _ID_CHUNK]


def involvement_for(
    rows: list[tuple[int, str, object, str, int]], day: dt.date
) -> list[PomInvolvement]:
    """Each case's POM involvement in the window ending on ``day`` (``rows`` as
    ``custody_case_rows`` gives them; one query per signal for every few thousand cases)."""
    result = {
        case_id: PomInvolvement(case_id, reference, public_id, phase, place, [])
        for case_id, reference, public_id, phase, place in rows
    }
    start, end = _instant(window_start(day)), _instant(day + dt.timedelta(days=1))
    poms: dict[int, set[int]] = defaultdict(set)
    for chunk in _chunks(list(result)):
        team = CaseTeamMember.objects.filter(
            current_q(day), case_id__in=chunk, role=CaseRole.POM, user__isnull=False
        )
        for case_id, user_id, first, last, username in team.order_by("pk").values_list(
            "case_id", "user_id", "user__first_name", "user__last_name", "user__username"
        ):
            if user_id not in poms[case_id]:
                poms[case_id].add(user_id)
                result[case_id].pom_names.append(f"{first} {last}".strip() or username)
    pairs = {(case_id, user_id) for case_id, users in poms.items() for user_id in users}
    if not pairs:
        return list(result.values())
    pom_ids = sorted({user_id for _case, user_id in pairs})
    for chunk in _chunks(sorted(poms)):
        _meetings(result, pairs, pom_ids, chunk, start, end)
        _assessments(result, pairs, pom_ids, chunk, start, end)
        _tearlines(result, pairs, pom_ids, chunk, start, end)
        _contacts(result, pairs, pom_ids, chunk, start, end)
    return list(result.values())


def _meetings(
    result: dict[int, PomInvolvement],
    pairs: set[tuple[int, int]],
    pom_ids: list[int],
    case_ids: list[int],
    start: dt.datetime,
    end: dt.datetime,
) -> None:
    held = Meeting.cases.through.objects.filter(
        case_id__in=case_ids, meeting__starts_at__gte=start, meeting__starts_at__lt=end
    ).values_list("meeting_id", "case_id")
    cases_of: dict[int, list[int]] = defaultdict(list)
    for meeting_id, case_id in held:
        cases_of[meeting_id].append(case_id)
    if not cases_of:
        return
    for meeting_id, user_id, attended in Invitation.objects.filter(
        meeting_id__in=list(cases_of), user_id__in=pom_ids, invited=True
    ).values_list("meeting_id", "user_id", "attended"):
        for case_id in cases_of[meeting_id]:
            if (case_id, user_id) in pairs:
                result[case_id].invited = True
                result[case_id].present |= attended


def _assessments(
    result: dict[int, PomInvolvement],
    pairs: set[tuple[int, int]],
    pom_ids: list[int],
    case_ids: list[int],
    start: dt.datetime,
    end: dt.datetime,
) -> None:
    wrote = AssessmentSection.objects.filter(
        case_id__in=case_ids, author_id__in=pom_ids, updated_at__gte=start, updated_at__lt=end
    ).values_list("case_id", "author_id")
    acted = AssessmentEvent.objects.filter(
        assessment__case_id__in=case_ids,
        actor_id__in=pom_ids,
        occurred_at__gte=start,
        occurred_at__lt=end,
    ).values_list("assessment__case_id", "actor_id")
    for case_id, user_id in {*wrote, *acted}:
        if (case_id, user_id) in pairs:
            result[case_id].contributed = True


def _tearlines(
    result: dict[int, PomInvolvement],
    pairs: set[tuple[int, int]],
    pom_ids: list[int],
    case_ids: list[int],
    start: dt.datetime,
    end: dt.datetime,
) -> None:
    case_of = {
        str(item_id): case_id
        for item_id, case_id in MaterialItem.objects.filter(
            case_id__in=case_ids, parent__isnull=False, tearline_status=TearlineStatus.APPROVED
        ).values_list("pk", "case_id")
    }
    ids = list(case_of)
    for offset in range(0, len(ids), _CHUNK):
        for object_id, actor_id in (
            AuditEntry.objects.filter(
                action="material.read",
                outcome=Outcome.ALLOW,
                object_type="material",
                object_id__in=ids[offset : offset + _CHUNK],
                actor_id__in=pom_ids,
                occurred_at__gte=start,
                occurred_at__lt=end,
            )
            .values_list("object_id", "actor_id")
            .distinct()
        ):
            case_id = case_of[object_id]
            if actor_id is not None and (case_id, int(actor_id)) in pairs:
                result[case_id].received_tearline = True


def _contacts(
    result: dict[int, PomInvolvement],
    pairs: set[tuple[int, int]],
    pom_ids: list[int],
    case_ids: list[int],
    start: dt.datetime,
    end: dt.datetime,
) -> None:
    rows = (
        Contact.objects.filter(
            Q(practitioner_id__in=pom_ids) | Q(recorded_by_id__in=pom_ids),
            case_id__in=case_ids,
            occurred_at__isnull=False,
            occurred_at__lt=end,
            cancelled_at__isnull=True,
        )
        .values("case_id", "practitioner_id", "recorded_by_id")
        .annotate(last=Max("occurred_at"))
        .order_by()
    )
    for row in rows:
        case_id = row["case_id"]
        if (case_id, row["practitioner_id"]) not in pairs and (
            case_id,
            row["recorded_by_id"],
        ) not in pairs:
            continue
        entry = result[case_id]
        if entry.last_contact is None or row["last"] > entry.last_contact:
            entry.last_contact = row["last"]
        entry.contact_in_window |= row["last"] >= start


def _figures(
    entries: list[PomInvolvement], establishment_ids: list[int]
) -> dict[int, InvolvementFigure]:
    counts: dict[int, list[int]] = {pk: [0, 0] for pk in establishment_ids}
    for entry in entries:
        tally = counts[entry.establishment_id]
        tally[0] += int(entry.involved)
        tally[1] += 1
    return {pk: InvolvementFigure(*tally) for pk, tally in counts.items()}


def involvement_figures(establishment_ids: list[int], day: dt.date) -> dict[int, InvolvementFigure]:
    """Per establishment: custody cases with POM involvement in the window, out of all its
    custody cases (an aggregate over every case: for those who may see its figures)."""
    rows = custody_case_rows(establishment_ids, day)
    return _figures(involvement_for(rows, day), establishment_ids)


def establishment_involvement(
    user: AnyUser, establishment_id: int, day: dt.date
) -> tuple[InvolvementFigure, list[PomInvolvement]]:
    """An establishment's figure (over every custody case: an aggregate) and its custody cases
    without POM involvement in the window that ``user`` may see under the case rule
    (``policy.case_filter``: national roles, who see aggregates only, get none). The signals
    are read once for both."""
    entries = involvement_for(custody_case_rows([establishment_id], day), day)
    figure = _figures(entries, [establishment_id])[establishment_id]
    lacking = [entry for entry in entries if not entry.involved]
    visible: set[int] = set()
    for chunk in _chunks([entry.case_id for entry in lacking]):
        visible |= set(
            Case.objects.filter(case_filter(user), pk__in=chunk).values_list("pk", flat=True)
        )
    return figure, [entry for entry in lacking if entry.case_id in visible]


def not_involved_for(user: AnyUser, establishment_id: int, day: dt.date) -> list[PomInvolvement]:
    """The custody cases without POM involvement that ``user`` may see (see
    ``establishment_involvement``)."""
    return establishment_involvement(user, establishment_id, day)[1]
