"""The events of other apps that move someone's caseload figure, connected at start-up
(``WorkforceConfig.ready``): each receiver recomputes the stored figures of the people
concerned, inside the transaction of the event (the register, risk and agencies services send
their signals there), so the figure changes with the event or not at all.

Dependencies point down: cases, risk and agencies send signals and never import workforce.
"""

from __future__ import annotations

from typing import Any

from jointcase.accounts.signals import user_roles_changed
from jointcase.cases.models import Case, CaseTeamMember
from jointcase.cases.signals import (
    case_details_changed,
    case_facts_changed,
    case_opened,
    case_phase_changed,
    case_team_member_added,
    case_team_member_ended,
)
from jointcase.risk.signals import assessment_completed
from jointcase.workforce.figures import case_holder_ids, figures_refresh


def _case_holders_refresh(case_id: int) -> None:
    figures_refresh(case_holder_ids([case_id]))


def on_member_changed(sender: Any, case: Case, member: CaseTeamMember, **_: Any) -> None:
    """Someone joined or left a case team (an allocation, a reallocation): their figure."""
    if member.user_id is not None:
        figures_refresh([member.user_id])


def on_case_changed(sender: Any, case: Case, **_: Any) -> None:
    """A case opened, or its phase changed: the figures of its holders."""
    _case_holders_refresh(case.pk)


def on_facts_changed(sender: Any, case: Case, fact: str, **_: Any) -> None:
    """A case's facts changed: its holders' figures when its MAPPA level did (a sentence or a
    re-release moves no weight)."""
    if fact == "mappa":
        _case_holders_refresh(case.pk)


def on_details_changed(sender: Any, case: Case, fields: list[str], **_: Any) -> None:
    """A case's details changed: its holders' figures when its cohort did."""
    if "cohort" in fields:
        _case_holders_refresh(case.pk)


def on_assessment_completed(sender: Any, assessment: Any, **_: Any) -> None:
    """A completed assessment may change the case's overall RoSH: its holders' figures."""
    _case_holders_refresh(assessment.case_id)


def on_roles_changed(sender: Any, user: Any, **_: Any) -> None:
    """A person's roles changed: their caseload role, and so their capacity, may have."""
    figures_refresh([user.pk])


def connect() -> None:
    case_team_member_added.connect(on_member_changed, dispatch_uid="workforce_figures_added")
    case_team_member_ended.connect(on_member_changed, dispatch_uid="workforce_figures_ended")
    case_opened.connect(on_case_changed, dispatch_uid="workforce_figures_opened")
    case_phase_changed.connect(on_case_changed, dispatch_uid="workforce_figures_phase")
    case_facts_changed.connect(on_facts_changed, dispatch_uid="workforce_figures_mappa")
    case_details_changed.connect(on_details_changed, dispatch_uid="workforce_figures_details")
    assessment_completed.connect(on_assessment_completed, dispatch_uid="workforce_figures_rosh")
    user_roles_changed.connect(on_roles_changed, dispatch_uid="workforce_figures_roles")
