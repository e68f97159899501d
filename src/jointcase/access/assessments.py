"""The assessment rule: who may see a case's risk assessments and each of their sections, and
who may start, edit, complete, countersign or return one (docs/design.md "The security model").

Seeing (one rule, two forms, built on the label rule of ``access.material``, not re-written):
- an assessment is visible iff the label rule holds for its baseline label on its case
  (system high, exclusion, clearance, caveats, releasability, need-to-know through the case):
  ``assessment_decision`` / ``assessment_filter``;
- a section is visible iff its assessment is and the label rule holds for the section's own
  label: ``assessment_section_decision`` / ``assessment_section_filter``. A BPSS-vetted POM on
  the case reads the assessment with its SECRET section withheld.
tests/risk/test_assessments_policy_agrees.py proves on generated worlds that the forms agree.

Acting (each a ``*_refusal`` returning ``access.acting.Refusal``; services call them):
- starting an assessment: whoever may write the case's facts (``access.cases``) and could read
  the baseline label (no one writes what they could not read);
- changing or completing one: its assessor only, and only while it is a draft or returned;
- writing a section: as changing, and the assessor could read the section's label;
- countersigning or returning one: a senior (``access.roles.SENIOR_ROLES``) who may see the
  assessment and is not its assessor (four eyes).
A refusal of someone who may not see the assessment is hidden (404 like a missing one).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from jointcase.access.acting import Refusal
from jointcase.access.cases import case_write_decision
from jointcase.access.labels import Classification
from jointcase.access.material import (
    CaseContext,
    LabelFields,
    label_decision,
    label_fields_of,
    label_filter,
    user_facts,
    within_reach,
)
from jointcase.access.policy import AnyUser, Decision, gate_decision, signed_in
from jointcase.access.roles import SENIOR_ROLES
from jointcase.risk.models.assessments import (
    EDITABLE_STATUSES,
    Assessment,
    AssessmentSection,
    AssessmentStatus,
)

if TYPE_CHECKING:
    from jointcase.cases.models import Case

#: Every assessment's baseline: the case's own marking.
BASELINE = Classification.OFFICIAL_SENSITIVE


# --- Seeing ------------------------------------------------------------------------------------


def assessment_decision(
    user: AnyUser, assessment: Assessment, *, now: dt.datetime | None = None
) -> Decision:
    """May ``user`` see ``assessment`` (its ratings, RoSH and summary)? With the reason."""
    return label_decision(user, label_fields_of(assessment), assessment.case_id, now=now)


def assessment_filter(
    user: AnyUser,
    *,
    now: dt.datetime | None = None,
    case: Case | int | None = None,
    context: CaseContext | None = None,
) -> Q:
    """``assessment_decision`` as a Q on ``Assessment`` (with ``case``: that case's only;
    ``context``: that case's ``CaseContext`` for ``user``, when the caller already has it)."""
    return label_filter(user, model=Assessment, now=now, case=case, context=context)


def assessments_visible_to(
    user: AnyUser,
    *,
    now: dt.datetime | None = None,
    case: Case | int | None = None,
    context: CaseContext | None = None,
) -> QuerySet[Assessment]:
    if user_facts(user, now=now).gate is not None:
        return Assessment.objects.none()
    return Assessment.objects.filter(assessment_filter(user, now=now, case=case, context=context))


def assessment_section_decision(
    user: AnyUser,
    section: AssessmentSection,
    *,
    now: dt.datetime | None = None,
    assessment_seen: Decision | None = None,
) -> Decision:
    """May ``user`` read ``section``? Its assessment must be visible (``assessment_seen`` when
    already decided) and the label rule must hold for the section's own label."""
    seen = assessment_seen or assessment_decision(user, section.assessment, now=now)
    if not seen.allowed:
        return seen
    return label_decision(user, label_fields_of(section), section.case_id, now=now)


def assessment_section_filter(user: AnyUser, *, now: dt.datetime | None = None) -> Q:
    """``assessment_section_decision`` as a Q on ``AssessmentSection``."""
    visible = Assessment.objects.filter(assessment_filter(user, now=now)).values("pk")
    return label_filter(user, model=AssessmentSection, now=now) & Q(assessment_id__in=visible)


# --- Acting ------------------------------------------------------------------------------------

REFUSED = "You cannot do this on this assessment"


def _hidden(decision: Decision) -> Refusal:
    return Refusal(reason=decision.reason, message=REFUSED, hidden=True)


def assessment_start_refusal(
    user: AnyUser, case: Case | int, *, case_seen: Decision | None = None
) -> Refusal | None:
    """Why ``user`` may not start an assessment on ``case``, or None. ``case_seen``: the case
    rule already decided for this request (writing a case's facts is exactly seeing it,
    ``access.cases.case_write_decision``), so a page that has read the case asks it once."""
    decision = case_seen or case_write_decision(user, case)
    if not decision.allowed:
        return _hidden(decision)
    reach = within_reach(user, classification=BASELINE, caveat_ids=())
    if not reach.allowed:
        return Refusal(reason=reach.reason, message="You are not cleared to assess this case")
    return None


def assessment_edit_refusal(user: AnyUser, assessment: Assessment) -> Refusal | None:
    """Why ``user`` may not change or complete ``assessment``, or None: only its assessor,
    only while it is a draft or has been returned, and only while they may still see it."""
    seen = assessment_decision(user, assessment)
    if not seen.allowed:
        return _hidden(seen)
    if not signed_in(user):
        return _hidden(gate_decision(user))
    if assessment.assessor_id != user.pk:
        return Refusal(reason="not_assessor", message="Only the assessor can change this")
    if assessment.status not in EDITABLE_STATUSES:
        return Refusal(
            reason="not_editable",
            message="This assessment has been completed: start a new one to change it",
        )
    return None


def assessment_section_write_refusal(
    user: AnyUser, assessment: Assessment, label: LabelFields
) -> Refusal | None:
    """Why ``user`` may not write a section with ``label`` on ``assessment``, or None: as
    changing it, and no one writes a section with a label they could not read."""
    refusal = assessment_edit_refusal(user, assessment)
    if refusal is not None:
        return refusal
    return section_label_refusal(user, label)


def section_label_refusal(user: AnyUser, label: LabelFields) -> Refusal | None:
    """No one writes a section with a label they could not read (the reach clauses of the
    label rule: clearance and caveats, which no relationship extends)."""
    reach = within_reach(user, classification=label.classification, caveat_ids=label.caveat_ids)
    if not reach.allowed:
        return Refusal(
            reason=reach.reason,
            message="You cannot write a section with a label you could not read",
        )
    return None


def assessment_countersign_refusal(user: AnyUser, assessment: Assessment) -> Refusal | None:
    """Why ``user`` may not countersign or return ``assessment``, or None."""
    seen = assessment_decision(user, assessment)
    if not seen.allowed:
        return _hidden(seen)
    if not signed_in(user):
        return _hidden(gate_decision(user))
    if not user.has_role(*SENIOR_ROLES):
        return Refusal(reason="not_senior", message="Only a senior can countersign an assessment")
    if assessment.assessor_id == user.pk:
        return Refusal(
            reason="own_assessment", message="Someone other than the assessor must countersign"
        )
    if assessment.status != AssessmentStatus.AWAITING_COUNTERSIGNATURE:
        return Refusal(
            reason="not_awaiting", message="This assessment is not awaiting countersignature"
        )
    return None
