"""The meetings rule: who may know a meeting exists, read its agenda, and read each section of
its minutes. One rule, two forms (decision and filter), built on ``access.policy`` (the case
rule) and ``access.material`` (the label rule), never re-written here.

- A meeting (its existence, agenda, attendees, open actions for review) is visible to its
  chair, its invitees, and users who can see at least one of its cases; never to a user
  excluded from any of its cases (an exclusion beats everything).
- A minutes section is visible iff the label clauses of ``access.material`` hold for the
  section's label on the section's case (system high, exclusion, clearance, caveats,
  releasability) AND need-to-know holds: the case rule (``label_decision``'s own need-to-know)
  OR the reader attended the meeting (DESIGN.md: "an attendee of that meeting (for its
  minutes)").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db.models import Q

from jointcase.access import material as label_rule
from jointcase.access.material import LabelFields, label_decision, label_fields_of, user_facts
from jointcase.access.policy import DENY_CLAUSES, Decision, case_filter, moment, user_gate
from jointcase.cases.models import Case

if TYPE_CHECKING:
    from jointcase.meetings.models import Meeting, MinutesSection

#: The reasons the label clauses give (anything else from ``label_decision`` is need-to-know).
LABEL_REASONS = frozenset(clause.reason for clause in label_rule.CLAUSES)


def _excluded_case_ids(user: Any, now: dt.datetime | None) -> list[int]:
    at = moment(now)
    ids: list[int] = []
    for clause in DENY_CLAUSES:
        for row in clause.case_ids(user, at):
            ids.append(next(iter(row.values())) if isinstance(row, dict) else row)
    return ids


# --- Meetings ---------------------------------------------------------------------------------


def meeting_decision(user: Any, meeting: Meeting, *, now: dt.datetime | None = None) -> Decision:
    gate = user_gate(user)
    if gate is not None:
        return gate
    case_ids = list(meeting.cases.values_list("pk", flat=True))
    excluded = set(_excluded_case_ids(user, now))
    if excluded.intersection(case_ids):
        return Decision(False, "excluded")
    if meeting.chair_id == user.pk:
        return Decision(True, "chair")
    if meeting.invitations.filter(user_id=user.pk).exists():
        return Decision(True, "invitee")
    if Case.objects.filter(case_filter(user, now=now), pk__in=case_ids).exists():
        return Decision(True, "case")
    return Decision(False, "not_on_case")


def meeting_filter(user: Any, *, now: dt.datetime | None = None) -> Q:
    """``meeting_decision`` as a Q on ``Meeting``."""
    from jointcase.meetings.models import Invitation, Meeting

    if user_gate(user) is not None:
        return Q(pk__in=[])
    visible_cases = Case.objects.filter(case_filter(user, now=now)).values("pk")
    through = Meeting.cases.through
    via_case = through.objects.filter(case_id__in=visible_cases).values("meeting_id")
    invited = Invitation.objects.filter(user_id=user.pk).values("meeting_id")
    allowed = Q(chair_id=user.pk) | Q(pk__in=invited) | Q(pk__in=via_case)
    excluded = _excluded_case_ids(user, now)
    if excluded:
        blocked = through.objects.filter(case_id__in=excluded).values("meeting_id")
        allowed &= ~Q(pk__in=blocked)
    return allowed


def participant_decision(
    user: Any, case_ids: Iterable[int], *, now: dt.datetime | None = None
) -> Decision:
    """May ``user`` take part in a meeting about ``case_ids`` (be invited, chair it, own one of
    its actions)? Never when excluded from any of them: the meeting rule would hide the
    meeting from them anyway, and an attendee list, a pack or a notice must not carry them.
    The reason is for the audit only; what the user is told never says why."""
    gate = user_gate(user)
    if gate is not None:
        return gate
    if set(_excluded_case_ids(user, now)).intersection(case_ids):
        return Decision(False, "excluded")
    return Decision(True, "not_excluded")


# --- Minutes sections -------------------------------------------------------------------------


def attended(user: Any, meeting_id: int) -> bool:
    from jointcase.meetings.models import Invitation

    return Invitation.objects.filter(
        meeting_id=meeting_id, user_id=getattr(user, "pk", None) or 0, attended=True
    ).exists()


def section_decision(
    user: Any,
    section: MinutesSection,
    *,
    now: dt.datetime | None = None,
    label: LabelFields | None = None,
) -> Decision:
    """May ``user`` read ``section``? The label rule on the section's case, with attendance of
    the meeting as an extra route to need-to-know (never past clearance, caveats,
    releasability or an exclusion)."""
    decision = label_decision(user, label or label_fields_of(section), section.case_id, now=now)
    if decision.allowed or decision.reason in LABEL_REASONS:
        return decision
    if user_facts(user, now=now).gate is None and attended(user, section.meeting_id):
        return Decision(True, "meeting_attendee")
    return decision


def section_filter(user: Any, *, now: dt.datetime | None = None) -> Q:
    """``section_decision`` as a Q on ``MinutesSection``."""
    from jointcase.meetings.models import Invitation, MinutesSection

    facts = user_facts(user, now=now)
    if facts.gate is not None:
        return Q(pk__in=[])
    ctx = label_rule.QContext(
        facts, moment(now), label_rule.system_high_rank(), MinutesSection, "case", False
    )
    labels = Q()
    for clause in label_rule.CLAUSES:
        labels &= clause.q(ctx)
    attended_meetings = Invitation.objects.filter(user_id=user.pk, attended=True).values(
        "meeting_id"
    )
    return labels & (label_rule.need_to_know_q(ctx) | Q(meeting_id__in=attended_meetings))


def sections_visible(
    user: Any,
    sections: list[MinutesSection],
    *,
    labels: dict[int, LabelFields] | None = None,
    now: dt.datetime | None = None,
) -> set[int]:
    """The ids among ``sections`` (of one meeting, caveats/releasable_to prefetched) that
    ``user`` may read: ``section_decision`` with the facts gathered once per case (a handful
    of queries for the whole minutes, none per section)."""
    facts = user_facts(user, now=now)
    if facts.gate is not None or not sections:
        return set()
    at = moment(now)
    sh_rank = label_rule.system_high_rank()
    contexts: dict[int, label_rule.CaseContext] = {}
    attendance: dict[int, bool] = {}
    visible: set[int] = set()
    for section in sections:
        if section.case_id not in contexts:
            contexts[section.case_id] = label_rule.case_context_for(user, section.case_id, now=now)
        label = labels[section.pk] if labels is not None else label_fields_of(section)
        obj = label_rule.ObjectFacts(
            case_id=section.case_id,
            rank=label_rule.CLASSIFICATION_RANK.get(label.classification, 99),
            caveat_ids=label.caveat_ids,
            releasable_ids=label.releasable_ids,
            originator_id=label.originator_id,
        )
        decision = label_rule.decide_object(facts, obj, contexts[section.case_id], at, sh_rank)
        if not decision.allowed and decision.reason not in LABEL_REASONS:
            if section.meeting_id not in attendance:
                attendance[section.meeting_id] = attended(user, section.meeting_id)
            if attendance[section.meeting_id]:
                decision = Decision(True, "meeting_attendee")
        if decision.allowed:
            visible.add(section.pk)
    return visible
