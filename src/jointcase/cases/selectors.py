"""Reads of cases, already scoped by ``jointcase.access.policy``.

``case_get_for`` is the one way to open a case: it decides, writes the audit entry (ALLOW or
DENY with the reason) in the same transaction as the read, and answers ``Http404`` with the
same message for a case that does not exist and one the user may not see.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from jointcase.access.management import managed_user_ids
from jointcase.access.material import CaseContext, case_context_decision
from jointcase.access.policy import (
    Decision,
    case_decision,
    case_filter,
    current_q,
    is_national_role,
    moment,
)
from jointcase.access.timeline import timeline_event_filter, timeline_items_seen
from jointcase.agencies.models import TeamMembership
from jointcase.audit.models import AuditEntry
from jointcase.audit.reads import audited_read, uuid_key
from jointcase.audit.selectors import changes_of
from jointcase.cases.dates import days_remaining
from jointcase.cases.models import (
    Case,
    CaseTeamMember,
    CustodyPlacement,
    Licence,
    MappaRegistration,
    NotificationRequirement,
    Sentence,
    TimelineEvent,
)

if TYPE_CHECKING:
    from jointcase.accounts.models import User

NOT_FOUND = "Case not found"


def case_list_for(
    *,
    user: User,
    phase: str | None = None,
    cohort: str | None = None,
    lead_agency: Any | None = None,
    now: dt.datetime | None = None,
) -> QuerySet[Case]:
    """The cases ``user`` may see, optionally filtered, with person and lead agency joined."""
    cases = Case.objects.filter(case_filter(user, now=now)).select_related("person", "lead_agency")
    if phase:
        cases = cases.filter(phase=phase)
    if cohort:
        cases = cases.filter(cohort=cohort)
    if lead_agency:
        cases = cases.filter(lead_agency=lead_agency)
    return cases


def case_get_for(
    *,
    user: User,
    case_id: uuid.UUID | str,
    request: HttpRequest | None = None,
    action: str = "case.read",
    on_allowed: Callable[[Case], None] | None = None,
) -> Case:
    """The case named by its public id (``Case.public_id``), if ``user`` may see it; Http404
    otherwise: missing, malformed and forbidden alike, after the same lookups.

    The read and its audit entry share one transaction: no read without its entry.
    ``on_allowed`` (the purpose-of-consultation gate) runs for a case the user may see, before
    the entry is written (``audit.reads.audited_read``).
    """
    return _case_read(
        user, case_id, request, action, lambda case: case_decision(user, case), on_allowed
    )


def case_opened_for(
    *,
    user: User,
    case_id: uuid.UUID | str,
    request: HttpRequest | None = None,
    action: str = "case.read",
    on_allowed: Callable[[Case], None] | None = None,
) -> tuple[Case, CaseContext]:
    """``case_get_for``, with the case's side of the label rule for ``user``
    (``access.material.CaseContext``) that decided it: a page that goes on to list the case's
    labelled records (its risk summary) passes it to their filters instead of gathering the
    same facts again (``access.material.case_context_decision``)."""
    contexts: list[CaseContext] = []

    def decide_on(case: Case) -> Decision:
        decision, context = case_context_decision(user, case.pk)
        contexts.append(context)
        return decision

    case = _case_read(user, case_id, request, action, decide_on, on_allowed)
    return case, contexts[0]


def _case_read(
    user: User,
    case_id: uuid.UUID | str,
    request: HttpRequest | None,
    action: str,
    decide_on: Callable[[Case], Decision],
    on_allowed: Callable[[Case], None] | None,
) -> Case:
    return audited_read(
        user=user,
        raw_id=case_id,
        key=uuid_key,
        load=lambda public_id: (
            Case.objects.select_related("person", "lead_agency").filter(public_id=public_id).first()
        ),
        decide=decide_on,
        action=action,
        object_type="case",
        not_found=NOT_FOUND,
        request=request,
        on_allowed=on_allowed,
    )


def case_pk_of(public_id: Any) -> int | None:
    """The internal key of the case with this public id, or None (malformed or unknown).

    No access decision: only for code that decides next (the purpose-of-consultation gate asks
    ``jointcase.access`` itself), never to show anything.
    """
    key = uuid_key(public_id)
    if key is None:
        return None
    return Case.objects.filter(public_id=key).values_list("pk", flat=True).first()


def my_cases_for(user: User, *, now: dt.datetime | None = None) -> QuerySet[Case]:
    """Cases where ``user`` is a current member of the case team in person (and not excluded):
    the access rule narrowed to its ``case_team`` clause."""
    return Case.objects.filter(case_filter(user, now=now, via=("case_team",))).select_related(
        "person", "lead_agency"
    )


def my_team_cases_for(user: User, *, now: dt.datetime | None = None) -> QuerySet[Case]:
    """Cases of the user's current teams: the team itself is on the case, or one of its current
    members is, or someone the user manages is (``access.management``); only those the user
    may see."""
    today = moment(now).today
    teams = TeamMembership.objects.filter(current_q(today), user_id=user.pk).values("team_id")
    colleagues = TeamMembership.objects.filter(current_q(today), team_id__in=teams).values(
        "user_id"
    )
    team_cases = CaseTeamMember.objects.filter(current_q(today), case_id=OuterRef("pk")).filter(
        Q(team_id__in=teams)
        | Q(user_id__in=colleagues)
        | Q(user_id__in=managed_user_ids(user, today=today))
    )
    # Checked per visible case (a small set) rather than listing every case of the team.
    return case_list_for(user=user, now=now).filter(Exists(team_cases))


def case_timeline_for(
    *,
    user: User,
    case: Case,
    agency: Any | None = None,
    kind: str | None = None,
    now: dt.datetime | None = None,
) -> QuerySet[TimelineEvent]:
    """The events of the case's chronology ``user`` may see, newest first (the timeline rule
    of ``jointcase.access.timeline``). ``case`` must come from ``case_get_for``; the events
    shown are passed through ``timeline_shown`` for their titles and labels."""
    events = (
        TimelineEvent.objects.filter(timeline_event_filter(user, case=case, now=now))
        .select_related("agency", "actor")
        .prefetch_related("caveats")
    )
    if agency:
        events = events.filter(agency=agency)
    if kind:
        events = events.filter(kind=kind)
    return events


@dataclass(frozen=True)
class ShownEvent:
    """A timeline event as one reader sees it: the title with the item's title at their
    clearance (the tearline's when they see only the tearline) and the label of what they
    see."""

    event: TimelineEvent
    title: str
    classification: str
    caveats: list[str]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.event, name)


def timeline_shown(
    user: User,
    case: Case,
    events: list[TimelineEvent],
    *,
    now: dt.datetime | None = None,
) -> list[ShownEvent]:
    """``events`` (from ``case_timeline_for``) with the title and label each reader sees: one
    query for the items the events stand for, through the same material filter."""
    ids = {event.material_item_id for event in events if event.material_item_id}
    seen: dict[Any, Any] = {}
    if ids:
        rows = (
            timeline_items_seen(user, case=case, now=now)
            .filter(Q(pk__in=ids) | Q(parent_id__in=ids))
            .prefetch_related("caveats")
            .order_by("created_at", "pk")
        )
        for row in rows:
            if row.pk in ids:
                seen[row.pk] = row
        for row in rows:  # else the first tearline they may see
            if row.parent_id in ids:
                seen.setdefault(row.parent_id, row)
    shown = []
    for event in events:
        seen_item = seen.get(event.material_item_id) if event.material_item_id else None
        if seen_item is not None:
            title = f"{event.title} '{seen_item.title}'"
            shown.append(
                ShownEvent(event, title, seen_item.classification, seen_item.caveat_codes())
            )
        else:
            codes = sorted(caveat.code for caveat in event.caveats.all())
            shown.append(ShownEvent(event, event.title, event.classification, codes))
    return shown


def case_history_for(*, case: Case) -> QuerySet[AuditEntry]:
    """Who changed what and when (writes to the case and its parts), newest first."""
    return changes_of("case", case.pk)


@dataclass(frozen=True)
class KeyDate:
    code: str
    label: str
    day: dt.date
    days_remaining: int


@dataclass
class CaseOverview:
    """The current facts of a case for its overview page (few queries, no content beyond it)."""

    case: Case
    mappa: MappaRegistration | None
    placement: CustodyPlacement | None
    sentence: Sentence | None
    licence: Licence | None
    notification: NotificationRequirement | None
    team: list[CaseTeamMember] = field(default_factory=list)
    key_dates: list[KeyDate] = field(default_factory=list)


def case_overview(case: Case, *, today: dt.date | None = None) -> CaseOverview:
    """``case`` must come from ``case_get_for``."""
    day = today or timezone.localdate()
    sentence = case.sentences.order_by("-sentence_date", "-pk").first()
    overview = CaseOverview(
        case=case,
        mappa=case.mappa_registrations.filter(valid_to__isnull=True).first(),
        placement=case.placements.select_related("establishment")
        .filter(valid_to__isnull=True)
        .first(),
        sentence=sentence,
        licence=case.licences.prefetch_related("conditions").order_by("-starts_on", "-pk").first(),
        notification=(
            NotificationRequirement.objects.filter(sentence=sentence).first() if sentence else None
        ),
        team=list(
            case.team_members.filter(current_q(day))
            .select_related("user", "team", "agency")
            .order_by("role", "pk")
        ),
    )
    if sentence is not None:
        for code, label, value in sentence.key_dates:
            if isinstance(value, dt.date):
                overview.key_dates.append(
                    KeyDate(code, label, value, days_remaining(value, day) or 0)
                )
    return overview


def case_aggregates_for(*, user: User) -> dict[str, dict[str, int]]:
    """Counts by phase and cohort: every case for national roles (aggregates are all they get),
    otherwise only the cases the user may see (counts never reveal hidden cases)."""
    cases = Case.objects.all() if is_national_role(user) else Case.objects.filter(case_filter(user))
    by_phase = dict(cases.values_list("phase").annotate(n=Count("pk")).values_list("phase", "n"))
    by_cohort = dict(cases.values_list("cohort").annotate(n=Count("pk")).values_list("cohort", "n"))
    return {"phase": by_phase, "cohort": by_cohort}
