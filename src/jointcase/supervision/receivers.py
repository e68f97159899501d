"""The events of other apps that change a case's contact standing, connected at start-up
(``SupervisionConfig.ready``): each stores the case's standing again
(``supervision.standing_store``) inside the transaction of the event, so the stored standing
changes with the facts or not at all. The register and risk never import supervision."""

from __future__ import annotations

from typing import Any

from jointcase.cases.signals import case_facts_changed, case_phase_changed
from jointcase.risk.signals import assessment_completed
from jointcase.supervision.standing_store import standings_store


def on_case_changed(sender: Any, case: Any, **_: Any) -> None:
    """A phase change, a sentence or release, a re-release, a MAPPA registration."""
    standings_store([case.pk])


def on_assessment_completed(sender: Any, assessment: Any, **_: Any) -> None:
    """A countersigned assessment: its RoSH is the case's now."""
    standings_store([assessment.case_id])


def connect() -> None:
    case_phase_changed.connect(on_case_changed, dispatch_uid="supervision_standing_phase")
    case_facts_changed.connect(on_case_changed, dispatch_uid="supervision_standing_facts")
    assessment_completed.connect(
        on_assessment_completed, dispatch_uid="supervision_standing_assessment"
    )
