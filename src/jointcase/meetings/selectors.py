"""Reads for meetings and actions, scoped by ``jointcase.access``: missing and forbidden
alike raise Http404; lists go through the filters; minutes are rendered at the reader's
clearance and need-to-know (one filter query for the whole meeting, then decrypt)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import BooleanField, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.db.models import Case as When_
from django.http import Http404, HttpRequest
from django.utils import timezone

from jointcase.access.labels import Classification, classification_max
from jointcase.access.material import LabelFields, material_decision
from jointcase.access.meetings import (
    meeting_cases_visible,
    meeting_decision,
    meeting_filter,
    sections_visible,
    visible_case_ids,
)
from jointcase.access.policy import case_decision, case_filter, current_q
from jointcase.access.roles import is_agency_manager
from jointcase.accounts.models import User
from jointcase.agencies.models import TeamMembership
from jointcase.audit.models import Outcome
from jointcase.audit.reads import audited_read
from jointcase.audit.services import audit_record
from jointcase.cases.models import Case, CaseTeamMember
from jointcase.cases.selectors import case_get_for
from jointcase.keyring import Keyring
from jointcase.lib.working_days import add_working_days
from jointcase.material.crypto import (
    Sealed,
    SealError,
    keyring_current,
    label_from,
    open_sealed,
)
from jointcase.material.models import MaterialItem
from jointcase.meetings.models import (
    OPEN_STATUSES,
    AgreedAction,
    Meeting,
    MeetingDecision,
    MinutesSection,
    RiskPillar,
    RiskPlanEntry,
    WithheldDisplay,
)
from jointcase.meetings.services.minutes import section_object_id

NOT_FOUND = "Not found"


def public_key(raw: Any) -> uuid.UUID | None:
    """A meeting's or an action's opaque identifier from URL or body text, else None (a
    malformed id is then "not found", exactly like a missing or forbidden one)."""
    if isinstance(raw, uuid.UUID):
        return raw
    try:
        return uuid.UUID(str(raw))
    except (TypeError, ValueError, AttributeError):
        return None


def due_soon_days() -> int:
    return int(getattr(settings, "JOINTCASE_ACTION_DUE_SOON_WORKING_DAYS", 3))


# --- Actions ----------------------------------------------------------------------------------


def action_filter(user: Any, *, now: dt.datetime | None = None) -> Q:
    """An action is visible to whoever may see its case (the case rule, as a subquery)."""
    return Q(case_id__in=Case.objects.filter(case_filter(user, now=now)).values("pk"))


def with_due_state(
    qs: QuerySet[AgreedAction], today: dt.date | None = None
) -> QuerySet[AgreedAction]:
    """Annotate ``overdue`` and ``due_soon``: derived from the date, never stored."""
    today = today or timezone.localdate()
    soon = add_working_days(today, due_soon_days())
    is_open = Q(status__in=OPEN_STATUSES)
    return qs.annotate(
        overdue=When_(
            When(is_open & Q(due_date__lt=today), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        due_soon=When_(
            When(is_open & Q(due_date__gte=today, due_date__lte=soon), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


#: The columns a queue row shows (the queues read nothing else).
QUEUE_FIELDS = (
    "id",
    "public_id",
    "description",
    "due_date",
    "priority",
    "status",
    "case__id",
    "case__reference",
    "owner__id",
    "owner__first_name",
    "owner__last_name",
    "owner__username",
    "owner_agency__id",
    "owner_agency__name",
    "meeting__id",
    "meeting__public_id",
)
DUE_FILTERS = {"overdue": "Overdue", "due_soon": "Due soon", "later": "Due later"}

#: The orders an action queue may be sorted in (a page's ``sort`` key, ``-key`` descending).
#: Priority sorts most urgent first when ascending; every order ends on the id, so pages
#: never overlap.
ACTION_ORDERS: dict[str, tuple[Any, ...]] = {
    "due": ("due_date", "id"),
    "case": ("case__reference", "due_date", "id"),
    "owner": ("owner__last_name", "owner__first_name", "due_date", "id"),
    "priority": (
        When_(
            When(priority="HIGH", then=Value(0)),
            When(priority="MEDIUM", then=Value(1)),
            default=Value(2),
        ),
        "due_date",
        "id",
    ),
}


def action_order(qs: QuerySet[AgreedAction], sort: str) -> QuerySet[AgreedAction]:
    """``qs`` in the order ``sort`` names (an ``ACTION_ORDERS`` key, ``-key`` descending;
    anything else is the due order)."""
    descending = sort.startswith("-")
    terms = ACTION_ORDERS.get(sort.removeprefix("-"), ACTION_ORDERS["due"])
    if descending:
        terms = tuple((f"-{term}" if isinstance(term, str) else term.desc()) for term in terms)
    return qs.order_by(*terms)


def _filtered(
    qs: QuerySet[AgreedAction],
    *,
    status: str | None,
    due: str | None,
    case_id: int | None,
    today: dt.date,
) -> QuerySet[AgreedAction]:
    if status == "open_all":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    soon = add_working_days(today, due_soon_days())
    if due == "overdue":
        qs = qs.filter(status__in=OPEN_STATUSES, due_date__lt=today)
    elif due == "due_soon":
        qs = qs.filter(status__in=OPEN_STATUSES, due_date__gte=today, due_date__lte=soon)
    elif due == "later":
        qs = qs.filter(due_date__gt=soon)
    if case_id is not None:  # 0 (an unknown case) filters to nothing
        qs = qs.filter(case_id=case_id)
    return (
        with_due_state(qs, today)
        .select_related("case", "owner", "owner_agency", "meeting")
        .only(*QUEUE_FIELDS)
    )


def my_actions_for(
    user: User,
    *,
    status: str | None = "open_all",
    due: str | None = None,
    case_id: int | None = None,
    today: dt.date | None = None,
    sort: str = "due",
) -> QuerySet[AgreedAction]:
    """Actions the user owns (on cases they can still see)."""
    today = today or timezone.localdate()
    qs = AgreedAction.objects.filter(owner=user).filter(action_filter(user))
    return action_order(_filtered(qs, status=status, due=due, case_id=case_id, today=today), sort)


def my_actions_page(
    user: User,
    *,
    page: int,
    size: int,
    status: str | None = "open_all",
    due: str | None = None,
    case_id: int | None = None,
    today: dt.date | None = None,
    sort: str = "due",
) -> tuple[list[AgreedAction], bool]:
    """One page of ``my_actions_for`` (and whether there is a next one), read fast: the
    owner's rows in due order through the owner index, then the case rule applied to the
    handful of cases on the page (the rule's filter form on those ids). An owner normally
    sees every case they own actions on, so this rarely reads more than one chunk."""
    today = today or timezone.localdate()
    candidates = action_order(
        _filtered(
            AgreedAction.objects.filter(owner=user),
            status=status,
            due=due,
            case_id=case_id,
            today=today,
        ),
        sort,
    )
    wanted = page * size + 1
    chunk = max(wanted, 100)
    visible_cases: dict[int, bool] = {}
    rows: list[AgreedAction] = []
    offset = 0
    while len(rows) < wanted:
        batch = list(candidates[offset : offset + chunk])
        if not batch:
            break
        unknown = {a.case_id for a in batch} - visible_cases.keys()
        if unknown:
            seen = visible_case_ids(user, sorted(unknown))
            visible_cases.update({pk: pk in seen for pk in unknown})
        rows.extend(a for a in batch if visible_cases[a.case_id])
        offset += chunk
    start = (page - 1) * size
    return rows[start : start + size], len(rows) > start + size


def team_user_ids(user: User, today: dt.date | None = None) -> list[int]:
    teams = TeamMembership.objects.current(today).filter(user=user).values("team_id")
    return list(
        TeamMembership.objects.current(today)
        .filter(team_id__in=teams)
        .values_list("user_id", flat=True)
        .distinct()
    )


def team_actions_for(
    user: User,
    *,
    status: str | None = "open_all",
    due: str | None = None,
    case_id: int | None = None,
    today: dt.date | None = None,
    sort: str = "due",
) -> QuerySet[AgreedAction]:
    """Actions owned by the members of the user's current teams (cases the user can see)."""
    today = today or timezone.localdate()
    qs = AgreedAction.objects.filter(owner_id__in=team_user_ids(user, today)).filter(
        action_filter(user)
    )
    return action_order(_filtered(qs, status=status, due=due, case_id=case_id, today=today), sort)


def agency_actions_for(
    user: User,
    *,
    status: str | None = "open_all",
    due: str | None = None,
    case_id: int | None = None,
    today: dt.date | None = None,
    sort: str = "due",
) -> QuerySet[AgreedAction]:
    """Managers: actions owned by their agency (still only on cases they can see)."""
    if not is_agency_manager(user):
        raise Http404(NOT_FOUND)
    today = today or timezone.localdate()
    qs = AgreedAction.objects.filter(owner_agency_id=user.agency_id).filter(action_filter(user))
    return action_order(_filtered(qs, status=status, due=due, case_id=case_id, today=today), sort)


def action_get_for(
    *,
    user: User,
    action_id: uuid.UUID | str,
    request: HttpRequest | None = None,
    action: str = "action.read",
    on_allowed: Callable[[AgreedAction], None] | None = None,
) -> AgreedAction:
    """One agreed action, by its opaque ``public_id``, if ``user`` may see its case; else
    Http404 (missing, malformed id and forbidden alike), the read or the denial audited in the
    same transaction (``on_allowed``: as ``audit.reads.audited_read``'s)."""
    return audited_read(
        user=user,
        raw_id=action_id,
        key=public_key,
        load=lambda public_id: (
            AgreedAction.objects.select_related(
                "case", "owner", "owner_agency", "meeting", "created_by"
            )
            .filter(public_id=public_id)
            .first()
        ),
        decide=lambda found: case_decision(user, found.case_id),
        action=action,
        object_type="action",
        not_found=NOT_FOUND,
        request=request,
        on_allowed=on_allowed,
    )


def evidence_item_for(*, user: User, action: AgreedAction) -> Any:
    """The material item linked as the action's evidence if ``user`` may see it (the material
    rule's decision), else None: a reader who may not see the item learns nothing about it,
    not even that there is one or its id."""
    if action.evidence_item_id is None:
        return None

    item = MaterialItem.objects.filter(pk=action.evidence_item_id, case_id=action.case_id).first()
    if item is None or not material_decision(user, item).allowed:
        return None
    return item


def case_for_actions(
    *,
    user: User,
    case_id: Any,
    request: HttpRequest | None = None,
    on_allowed: Callable[[Case], None] | None = None,
) -> Case:
    """A case named by a meetings page or API call (its actions, its plan, a meeting's cases):
    the register's one audited read, recorded as ``meetings.case_read`` (``on_allowed``: as
    ``audit.reads.audited_read``'s, the page's purpose-of-consultation gate)."""
    return case_get_for(
        user=user,
        case_id=case_id,
        request=request,
        action="meetings.case_read",
        on_allowed=on_allowed,
    )


def case_actions_for(*, user: User, case: Case) -> QuerySet[AgreedAction]:
    return with_due_state(
        AgreedAction.objects.filter(case=case).filter(action_filter(user))
    ).select_related("owner", "owner_agency", "meeting")


def assignable_owners(case: Case) -> list[User]:
    """People who could own an action on ``case``: current case-team members in person, and
    members of teams on the case. (Only offered to users who can see the case.)"""
    today = timezone.localdate()
    rows = CaseTeamMember.objects.filter(current_q(today), case=case)
    direct = rows.filter(user__isnull=False).values("user_id")
    teams = rows.filter(team__isnull=False).values("team_id")
    via_team = TeamMembership.objects.current(today).filter(team_id__in=teams).values("user_id")
    candidates = User.objects.filter(
        Q(pk__in=direct) | Q(pk__in=via_team), is_active=True
    ).select_related("agency")
    return [
        u
        for u in candidates.order_by("last_name", "first_name", "username")
        if case_decision(u, case).allowed
    ]


# --- Meetings ---------------------------------------------------------------------------------


def meetings_for(user: User) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(meeting_filter(user))
        .select_related("chair")
        .prefetch_related("cases")
    )


#: The meetings list's orders (a page's ``sort`` key, ``-key`` descending).
MEETING_ORDERS: dict[str, tuple[str, ...]] = {
    "date": ("starts_at", "id"),
    "type": ("type", "-starts_at", "-id"),
    "chair": ("chair__last_name", "chair__first_name", "-starts_at", "-id"),
}


def meetings_page_for(
    user: User, *, sort: str = "-date", page: int = 1, size: int = 50
) -> tuple[list[Meeting], bool]:
    """One page of the meetings ``user`` may see (and whether there is a next), each with
    ``visible_cases``: only its cases the user may see, with their people."""
    descending = sort.startswith("-")
    terms = MEETING_ORDERS.get(sort.removeprefix("-"), MEETING_ORDERS["date"])
    if descending:
        terms = tuple(t.removeprefix("-") if t.startswith("-") else f"-{t}" for t in terms)
    visible = Prefetch(
        "cases",
        queryset=Case.objects.filter(case_filter(user))
        .select_related("person")
        .order_by("reference"),
        to_attr="visible_cases",
    )
    meetings = (
        Meeting.objects.filter(meeting_filter(user))
        .select_related("chair", "chair__agency")
        .prefetch_related(visible)
        .order_by(*terms)
    )
    rows: list[Meeting] = list(meetings[(page - 1) * size : page * size + 1])
    return rows[:size], len(rows) > size


def meeting_get_for(
    *,
    user: User,
    meeting_id: uuid.UUID | str,
    request: HttpRequest | None = None,
    action: str = "meeting.read",
    on_allowed: Callable[[Meeting], None] | None = None,
) -> Meeting:
    """One meeting, by its opaque ``public_id``, if the meeting rule lets ``user`` see it;
    else Http404 (missing, malformed id and forbidden alike), the read or the denial audited
    in the same transaction (``on_allowed``: as ``audit.reads.audited_read``'s)."""
    return audited_read(
        user=user,
        raw_id=meeting_id,
        key=public_key,
        load=lambda public_id: (
            Meeting.objects.select_related("chair").filter(public_id=public_id).first()
        ),
        decide=lambda meeting: meeting_decision(user, meeting),
        action=action,
        object_type="meeting",
        not_found=NOT_FOUND,
        request=request,
        on_allowed=on_allowed,
    )


def cases_visible_to(user: User) -> QuerySet[Case]:
    """Every case ``user`` may see (the case rule as a filter): what a new meeting may be
    about."""
    return Case.objects.filter(case_filter(user))


def meeting_cases_for(user: User, meeting: Meeting) -> QuerySet[Case]:
    """The meeting's cases that ``user`` may see, by reference: the one place pages, the API,
    the pack and the services ask (``access.meetings.meeting_cases_visible``)."""
    return meeting_cases_visible(user, meeting).order_by("reference")


def meeting_case_ids_for(user: User, meeting: Meeting) -> list[int]:
    """The ids of ``meeting_cases_for`` (a short list)."""
    return list(meeting_cases_for(user, meeting).values_list("pk", flat=True))


def actions_for_review(
    meeting: Meeting, *, user: User, visible_case_ids: list[int] | None = None
) -> QuerySet[AgreedAction]:
    """Open actions on the meeting's cases agreed before it: carried to its agenda (only on
    the cases ``user`` may see; pass ``visible_case_ids`` from ``meeting_case_ids_for``)."""
    if visible_case_ids is None:
        visible_case_ids = meeting_case_ids_for(user, meeting)
    return (
        with_due_state(
            AgreedAction.objects.filter(
                case_id__in=visible_case_ids,
                status__in=OPEN_STATUSES,
                created_at__lt=meeting.starts_at,
            )
        )
        .select_related("case", "owner", "owner_agency")
        .order_by("due_date", "id")
    )


@dataclass(frozen=True)
class RenderedSection:
    order: int
    heading: str
    classification: str
    caveats: tuple[str, ...]
    originator: str
    body: str | None  # None: withheld (show the placeholder)

    @property
    def withheld(self) -> bool:
        return self.body is None

    @property
    def withheld_text(self) -> str:
        return f"Section withheld: held by {self.originator} at {self.classification}"


@dataclass(frozen=True)
class RenderedMinutes:
    sections: tuple[RenderedSection, ...]
    marking: str  # the highest classification of the sections shown (placeholders included)


def _section_label_sets(
    meeting: Meeting,
) -> tuple[dict[int, list[tuple[int, str]]], dict[int, list[tuple[int, str]]]]:
    """The caveats and the releasable agencies of every section of ``meeting``, as
    ``{section id: [(id, code), ...]}``, in two flat queries (no model instances per caveat or
    agency)."""
    caveats: dict[int, list[tuple[int, str]]] = {}
    for section_id, caveat_id, code in MinutesSection.caveats.through.objects.filter(
        minutessection__meeting=meeting
    ).values_list("minutessection_id", "caveat_id", "caveat__code"):
        caveats.setdefault(section_id, []).append((caveat_id, code))
    releasable: dict[int, list[tuple[int, str]]] = {}
    for section_id, agency_id, code in MinutesSection.releasable_to.through.objects.filter(
        minutessection__meeting=meeting
    ).values_list("minutessection_id", "agency_id", "agency__code"):
        releasable.setdefault(section_id, []).append((agency_id, code))
    return caveats, releasable


def _section_body(
    section: MinutesSection,
    sealed: Sealed,
    caveats: tuple[str, ...],
    releasable_to: list[str],
    keyring: Keyring,
) -> str:
    """A section's text, opened under its label (a label altered in the database without the
    service fails to open: ``SealError``)."""
    label = label_from(
        classification=section.classification,
        originator=section.originator.code,
        caveats=caveats,
        releasable_to=releasable_to,
    )
    return open_sealed(
        sealed=sealed, object_id=section_object_id(section), label=label, keyring=keyring
    ).decode("utf-8")


def minutes_for(
    *,
    user: User,
    meeting: Meeting,
    request: HttpRequest | None = None,
    purpose: str = "meeting.minutes.read",
) -> RenderedMinutes:
    """The minutes as ``user`` may read them: visible sections decrypted, the others replaced
    by a placeholder or left out (the originator's choice). One audit entry lists the sections
    read and the sections withheld. ``meeting`` must come from ``meeting_get_for``."""
    sections = list(
        MinutesSection.objects.filter(meeting=meeting)
        .select_related("originator", "data_key")
        .order_by("order", "id")
    )
    caveats, releasable = _section_label_sets(meeting)
    labels = {
        s.pk: LabelFields(
            classification=s.classification,
            caveat_ids=frozenset(i for i, _c in caveats.get(s.pk, ())),
            releasable_ids=frozenset(i for i, _c in releasable.get(s.pk, ())),
            originator_id=s.originator_id,
        )
        for s in sections
    }
    visible = sections_visible(user, sections, labels=labels)
    rendered: list[RenderedSection] = []
    read, withheld, failed = [], [], []
    marking: str = Classification.OFFICIAL
    keyring = None  # loaded once, at the first section to open (not per section)
    for section in sections:
        codes = tuple(sorted(c for _i, c in caveats.get(section.pk, ())))
        body: str | None = None
        if (
            section.pk in visible
            and section.data_key is not None
            and section.body_ciphertext is not None
        ):
            if keyring is None:
                keyring = keyring_current()
            sealed = Sealed(data_key=section.data_key, ciphertext=section.body_ciphertext)
            agencies = [c for _i, c in releasable.get(section.pk, ())]
            try:
                body = _section_body(section, sealed, codes, agencies, keyring)
                read.append(section.pk)
            except SealError:
                failed.append(section.pk)
        else:
            withheld.append(section.pk)
        if body is None and section.withheld_display == WithheldDisplay.OMIT:
            continue
        if body is not None:
            marking = classification_max(marking, section.classification)
        rendered.append(
            RenderedSection(
                order=section.order,
                heading=section.heading if body is not None else "",
                classification=section.classification,
                caveats=codes if body is not None else (),
                originator=section.originator.name,
                body=body,
            )
        )
    if sections:
        audit_record(
            action=purpose,
            actor=user,
            outcome=Outcome.ALLOW if read else Outcome.DENY,
            object_type="meeting",
            object_id=meeting.pk,
            reason="sections_withheld" if withheld or failed else "",
            details={"read": read, "withheld": withheld, "failed": failed},
            request=request,
        )
    return RenderedMinutes(tuple(rendered), marking)


# --- Decisions and the risk management plan ---------------------------------------------------


def decisions_for(
    *, user: User, meeting: Meeting, visible_case_ids: list[int] | None = None
) -> QuerySet[MeetingDecision]:
    """The meeting's decisions on the cases ``user`` may see (pass ``visible_case_ids`` from
    ``meeting_case_ids_for``); a decision about another case is never shown."""
    if visible_case_ids is None:
        visible_case_ids = meeting_case_ids_for(user, meeting)
    return meeting.decisions.filter(case_id__in=visible_case_ids).select_related(
        "case", "recorded_by", "meeting"
    )


def risk_plan_for(*, case: Case) -> QuerySet[RiskPlanEntry]:
    """The case's risk management plan, pillar by pillar in the plan's order (supervision;
    monitoring and control; interventions and treatment; victim safety planning), newest
    first within a pillar. ``case`` must come from ``case_for_actions`` (already decided)."""
    pillar_order = When_(
        *(When(pillar=value, then=Value(rank)) for rank, value in enumerate(RiskPillar.values)),
        output_field=IntegerField(),
    )
    return (
        RiskPlanEntry.objects.filter(case=case)
        .select_related("owner", "meeting")
        .order_by(pillar_order, "-entry_date", "-id")
    )
