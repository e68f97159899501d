"""What an assessment must address, and how its sections are sealed: shared by the writes
(``risk.services``) and the reads (``risk.selectors``), which do not import each other."""

from __future__ import annotations

from typing import Any

from jointcase.material.crypto import label_from
from jointcase.risk.models.assessments import (
    CUSTODY_ONLY_DOMAINS,
    ROSH_AUDIENCES,
    Assessment,
    AssessmentSection,
    RiskDomain,
)


def required_domains(assessment: Assessment) -> list[str]:
    """The domains this assessment must address (risk to prisoners only in custody)."""
    return [d for d in RiskDomain.values if assessment.in_custody or d not in CUSTODY_ONLY_DOMAINS]


def required_rosh_cells(assessment: Assessment) -> list[tuple[str, str]]:
    """The RoSH matrix cells: community and custody (in custody assessed as if release were
    imminent), each with the audiences of the setting."""
    return [
        (setting, audience)
        for setting, audiences in ROSH_AUDIENCES.items()
        for audience in audiences
    ]


def section_object_id(section: AssessmentSection) -> str:
    """The object id bound into the section's sealed body (associated data)."""
    return f"assessment-section-{section.pk}"


def section_label(section: AssessmentSection) -> Any:
    """The section's label as the crypto layer binds it (a label changed in the database
    without the service breaks decryption)."""
    return label_from(
        classification=section.classification,
        originator=section.originator.code,
        caveats=[c.code for c in section.caveats.all()],
        releasable_to=[a.code for a in section.releasable_to.all()],
    )
