"""Workforce models: capacity and allocation (``caseload``), prison training (``training``)."""

from jointcase.workforce.models.caseload import (
    Allocation,
    CapacityRecord,
    HandoverAction,
    HandoverStep,
)
from jointcase.workforce.models.training import ConfidenceResponse, TrainingCompletion

__all__ = [
    "Allocation",
    "CapacityRecord",
    "ConfidenceResponse",
    "HandoverAction",
    "HandoverStep",
    "TrainingCompletion",
]
