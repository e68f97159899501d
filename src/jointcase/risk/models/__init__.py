"""Risk models: assessments (``assessments``) and required checks (``checks``)."""

from jointcase.risk.models.assessments import (
    Assessment,
    AssessmentDomainRating,
    AssessmentEvent,
    AssessmentEventKind,
    AssessmentSection,
    AssessmentStatus,
    DomainRating,
    RiskDomain,
    RoshAudience,
    RoshLevel,
    RoshRating,
    RoshSetting,
)
from jointcase.risk.models.checks import (
    ChangeKind,
    ChangeOfCircumstance,
    CheckEvent,
    CheckEventKind,
    CheckOutcome,
    CheckStatus,
    RequiredCheck,
    TriggerKind,
)

__all__ = [
    "Assessment",
    "AssessmentDomainRating",
    "AssessmentEvent",
    "AssessmentEventKind",
    "AssessmentSection",
    "AssessmentStatus",
    "ChangeKind",
    "ChangeOfCircumstance",
    "CheckEvent",
    "CheckEventKind",
    "CheckOutcome",
    "CheckStatus",
    "DomainRating",
    "RequiredCheck",
    "RiskDomain",
    "RoshAudience",
    "RoshLevel",
    "RoshRating",
    "RoshSetting",
    "TriggerKind",
]
