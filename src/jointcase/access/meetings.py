"""The meetings rule: who may know a meeting exists, read its agenda, and read each section of
its minutes (one rule, two forms: decision and filter, built on ``access.policy``, the case
rule, and ``access.material``, the label rule, never re-written here); and who may *act* on
meetings, minutes and agreed actions (each a ``*_refusal`` returning ``access.acting.Refusal``,
which the meetings services ask themselves through ``permission_require``).

- A meeting (its existence, agenda, attendees, open actions for review) is visible to its
  chair, its invitees, and users who can see at least one of its cases; never to a user
  excluded from any of its cases (an exclusion beats everything).
- A minutes section is visible iff the label clauses of ``access.material`` hold for the
  section's label on the section's case (system high, exclusion, clearance, caveats,
  releasability) AND need-to-know holds: the case rule (``label_decision``'s own need-to-know)
  OR the reader attended the meeting (docs/design.md: "an attendee of that meeting (for its
  minutes)").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from jointcase.access import material as label_rule
from jointcase.access.acting import Refusal
from jointcase.access.material import (
    LabelFields,
    label_decision,
    label_fields_of,
    user_facts,
    within_reach,
)
from jointcase.access.policy import (
    DENY_CLAUSES,
    Decision,
    case_decision,
    case_filter,
    current_q,
    moment,
    user_gate,
)
from jointcase.access.roles import CASE_MANAGER_ROLES, CASE_SENIOR_ROLES, is_agency_manager
from jointcase.accounts.models import User
from jointcase.agencies.models import Agency
from jointcase.cases.models import Case, CaseTeamMember
from jointcase.meetings.models import (
    AgreedAction,
    Invitation,
    Meeting,
    MinutesSection,
    OtherAgencyAttendees,
)

#: The reasons the label clauses give (anything else from ``label_decision`` is need-to-know).
LABEL_REASONS = frozenset(clause.reason for clause in label_rule.CLAUSES)


def _excluded_case_ids(user: User, now: dt.datetime | None) -> list[int]:
    at = moment(now)
    ids: list[int] = []
    for clause in DENY_CLAUSES:
        for row in clause.case_ids(user, at):
            ids.append(next(iter(row.values())) if isinstance(row, dict) else row)
    return ids


# --- Meetings ---------------------------------------------------------------------------------


def meeting_decision(user: User, meeting: Meeting, *, now: dt.datetime | None = None) -> Decision:
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


def meeting_filter(user: User, *, now: dt.datetime | None = None) -> Q:
    """``meeting_decision`` as a Q on ``Meeting``."""
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
    user: User, case_ids: Iterable[int], *, now: dt.datetime | None = None
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


def attended(user: User, meeting_id: int) -> bool:
    return Invitation.objects.filter(
        meeting_id=meeting_id, user_id=getattr(user, "pk", None) or 0, attended=True
    ).exists()


def section_decision(
    user: User,
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


def section_filter(user: User, *, now: dt.datetime | None = None) -> Q:
    """``section_decision`` as a Q on ``MinutesSection``."""
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
    user: User,
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


# --- Who may act ------------------------------------------------------------------------------

#: Why someone may not own an action or a plan entry, whatever the reason (not on the case,
#: excluded, inactive, no agency, or no such username): one message, so that it never tells
#: a case member whether a username exists or that someone is excluded.
OWNER_REFUSED = "This person cannot own actions on this case"
#: Why someone may not be invited to or chair a meeting (excluded from one of its cases): the
#: message never says why.
INVITE_REFUSED = "This person cannot be invited to meetings about this case"
#: Who may move an action's due date, reassign, complete or cancel it (what the others are told).
ACTION_STEER_REFUSED = (
    "Only the owner, their manager or the case's lead practitioner, senior operational "
    "lead or CT supervisor can change the due date, reassign, complete or cancel this action"
)
#: Case-team roles that steer a case's agreed actions (``action_due_change_refusal``).
ACTION_STEERING_CASE_ROLES = CASE_MANAGER_ROLES | CASE_SENIOR_ROLES


def meeting_cases_visible(user: User, meeting: Meeting) -> QuerySet[Case]:
    """The cases of ``meeting`` that ``user`` may see (the case rule, as one query)."""
    return Case.objects.filter(case_filter(user), pk__in=meeting.cases.values("pk"))


def visible_case_ids(user: User, case_ids: Iterable[int]) -> set[int]:
    """Which of ``case_ids`` ``user`` may see (the case rule, as one query)."""
    return set(
        Case.objects.filter(case_filter(user), pk__in=list(case_ids)).values_list("pk", flat=True)
    )


def meeting_see_refusal(user: User, meeting: Meeting) -> Refusal | None:
    """Hidden (404) unless ``user`` may see ``meeting`` (``meeting_decision``)."""
    decision = meeting_decision(user, meeting)
    if decision.allowed:
        return None
    return Refusal(reason=decision.reason, message="Not found", hidden=True)


def case_see_refusal(user: User, case: Case) -> Refusal | None:
    """Hidden (404) unless ``user`` may see ``case`` (``policy.case_decision``)."""
    decision = case_decision(user, case)
    if decision.allowed:
        return None
    return Refusal(reason=decision.reason, message="Not found", hidden=True)


def meeting_change_refusal(user: User, meeting: Meeting) -> Refusal | None:
    """Who may change a meeting (its details, cases and invitees, record attendance, add
    minutes and decisions): whoever may see it (else hidden) and is its chair, whoever
    recorded it, or someone who may see one of its cases. An invitee from outside the case
    teams may read the meeting but not change it (403)."""
    hidden = meeting_see_refusal(user, meeting)
    if hidden is not None:
        return hidden
    return meeting_editor_refusal(user, meeting)


def meeting_editor_refusal(
    user: User, meeting: Meeting, *, visible_case_ids: Collection[int] | None = None
) -> Refusal | None:
    """The second half of ``meeting_change_refusal``, for a meeting already decided visible
    to ``user`` (a page that has read it: it offers the change links): its chair, whoever
    recorded it, or someone who may see one of its cases. ``visible_case_ids``: the meeting's
    cases ``user`` may see, when the page has them already (``meetings.selectors``'s
    ``meeting_case_ids_for``); else they are asked here."""
    if meeting.chair_id == user.pk or (
        meeting.created_by_id is not None and meeting.created_by_id == user.pk
    ):
        return None
    if visible_case_ids is not None:
        sees_a_case = bool(visible_case_ids)
    else:
        sees_a_case = meeting_cases_visible(user, meeting).exists()
    if sees_a_case:
        return None
    return Refusal(
        reason="not_editor",
        message="Only the chair, whoever recorded the meeting or the team of one of its cases "
        "can change it",
    )


def action_due_change_refusal(user: User, action: AgreedAction) -> Refusal | None:
    """Who may move an action's due date, reassign, complete or cancel it (None: ``user``
    may): its owner, the owner's line manager, a manager of the owner's agency
    (``roles.MANAGER_ROLES``), or the case's lead practitioner, senior operational lead or CT
    supervisor. Anyone else on the case may see the action but not push its deadline (and so
    its escalation) back, close it, nor take it over to do so as its owner: one rule for every
    write that steers the action. (Whether ``user`` may see the action at all is
    ``case_see_refusal`` on its case: ask that first.)"""
    if user.pk == action.owner_id:
        return None
    owner = action.owner
    if owner.line_manager_id is not None and owner.line_manager_id == user.pk:
        return None
    if user.agency_id == action.owner_agency_id and is_agency_manager(user):
        return None
    if CaseTeamMember.objects.filter(
        current_q(timezone.localdate()),
        case_id=action.case_id,
        user=user,
        role__in=sorted(ACTION_STEERING_CASE_ROLES),
    ).exists():
        return None
    return Refusal(reason="not_owner_or_manager", message=ACTION_STEER_REFUSED)


def case_seniors(case_id: int, today: dt.date) -> QuerySet[User]:
    """The case's seniors (``CASE_SENIOR_ROLES``: senior operational lead, CT supervisor)
    currently on its team in person: an action still overdue escalates to them."""
    ids = CaseTeamMember.objects.filter(
        current_q(today),
        case_id=case_id,
        user__isnull=False,
        role__in=sorted(CASE_SENIOR_ROLES),
    ).values("user_id")
    return User.objects.filter(pk__in=ids)


def participant_refusal(user: User, case_ids: Iterable[int]) -> Refusal | None:
    """``INVITE_REFUSED`` unless ``user`` may be invited to, chair or own an action of a
    meeting about ``case_ids`` (``participant_decision``)."""
    decision = participant_decision(user, list(case_ids))
    if decision.allowed:
        return None
    return Refusal(reason=decision.reason, message=INVITE_REFUSED)


def action_owner_refusal(owner: User, case: Case, meeting: Meeting | None) -> Refusal | None:
    """``OWNER_REFUSED`` unless ``owner`` may own an action on ``case`` (agreed at
    ``meeting``): an active user of an agency who may see the case and is excluded from none
    of the meeting's cases."""
    if not owner.is_active or owner.agency_id is None:
        return Refusal(reason="inactive_or_no_agency", message=OWNER_REFUSED)
    seen = case_decision(owner, case)
    if not seen.allowed:
        return Refusal(reason=seen.reason, message=OWNER_REFUSED)
    if meeting is not None:
        refusal = participant_refusal(owner, meeting.cases.values_list("pk", flat=True))
        if refusal is not None:
            return Refusal(reason=refusal.reason, message=OWNER_REFUSED)
    return None


def minutes_write_refusal(user: User, label: LabelFields) -> Refusal | None:
    """No one writes a section with a label they could not read: the reach clauses of the
    label rule (``access.material.within_reach``, as for material writers). The other label
    clauses hold for a writer by construction (they are the originator, on a case they see,
    within system high, checked before)."""
    reach = within_reach(user, classification=label.classification, caveat_ids=label.caveat_ids)
    if reach.allowed:
        return None
    return Refusal(
        reason=reach.reason,
        message="You cannot write a section with a label you could not read",
    )


# --- Who may receive minutes -----------------------------------------------------------------


def external_agency_match(name: str) -> Agency | None:
    """The JointCase agency an external attendee's agency names (by name or code), if any."""
    name = name.strip()
    if not name:
        return None
    return Agency.objects.filter(Q(name__iexact=name) | Q(code__iexact=name)).first()


def agency_names(agencies: Iterable[Any]) -> str:
    return ", ".join(sorted(str(a.name) for a in agencies))


def minutes_release_refusal(
    meeting: Meeting, *, agency: Agency | None, named: str
) -> Refusal | None:
    """Why the minutes of ``meeting`` may not go to an attendee of ``agency`` (``named`` is
    how the refusal names it), or None: an attendee from an agency the minutes are not
    releasable to is refused, nothing stored. What counts: the meeting's releasability (the
    default of its sections), and each section released to some agencies only, unless its
    originator chose to admit other agencies' attendees and withhold that section from them
    (the label rule then withholds it). An empty set means every agency on the meeting's
    cases (the label rule decides per reader). An external attendee's agency that is not a
    JointCase agency is outside every explicit set."""
    restricted: list[list[Agency]] = []
    default = list(meeting.minutes_releasable_to.all())
    if default:
        restricted.append(default)
    by_section: dict[int, list[Agency]] = {}
    for row in (
        MinutesSection.releasable_to.through.objects.filter(
            minutessection__meeting=meeting,
            minutessection__other_agency_attendees=OtherAgencyAttendees.REFUSE,
        )
        .select_related("agency")
        .order_by("minutessection_id", "agency_id")
    ):
        by_section.setdefault(row.minutessection_id, []).append(row.agency)
    restricted.extend(by_section[pk] for pk in sorted(by_section))
    for agencies in restricted:
        if agency is None or agency.pk not in {a.pk for a in agencies}:
            return Refusal(
                reason="minutes_not_releasable",
                message=f"{named} may not receive minutes released only to "
                f"{agency_names(agencies)}",
            )
    return None


def user_minutes_release_refusal(meeting: Meeting, user: User) -> Refusal | None:
    """``minutes_release_refusal`` for a JointCase user (by their agency)."""
    agency = user.agency if user.agency_id else None
    if agency is not None:
        named = str(agency.name)
    else:
        named = f"{user.get_full_name() or user.username} (no agency)"
    return minutes_release_refusal(meeting, agency=agency, named=named)


def external_minutes_release_refusal(meeting: Meeting, external_agency: str) -> Refusal | None:
    """``minutes_release_refusal`` for an external attendee (by the agency they name)."""
    return minutes_release_refusal(
        meeting, agency=external_agency_match(external_agency), named=external_agency.strip()
    )


def invitee_outside(meeting: Meeting, agencies: list[Agency]) -> str | None:
    """The first invitee (by name and agency) of an agency outside ``agencies``, if any: a
    section released only to ``agencies`` could not go to them."""
    allowed = {a.pk for a in agencies}
    for invitation in meeting.invitations.select_related("user", "user__agency").order_by("pk"):
        if invitation.user is not None:
            agency_id = invitation.user.agency_id
        else:
            match = external_agency_match(invitation.external_agency)
            agency_id = match.pk if match is not None else None
        if agency_id not in allowed:
            return f"{invitation.display_name} ({invitation.agency_name})"
    return None
