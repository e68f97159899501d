"""Workforce models: capacity and allocation (``caseload``), the stored caseload figures
(``figures``), prison training (``training``)."""

from jointcase.workforce.models.caseload import (
    Allocation,
    CapacityRecord,
    HandoverAction,
    HandoverStep,
)
from jointcase.workforce.models.figures import CaseloadFigure
from jointcase.workforce.models.training import ConfidenceResponse, TrainingCompletion

__all__ = [
    "Allocation",
    "CapacityRecord",
    "CaseloadFigure",
    "ConfidenceResponse",
    "HandoverAction",
    "HandoverStep",
    "TrainingCompletion",
]
