"""Creating an assessment with its content in one step (the API's ``POST
/cases/{case_id}/assessments``): everything is validated before anything is written, so bad
input is refused with field-level errors, audited, and leaves no draft behind."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.http import HttpRequest

from jointcase.access.assessments import (
    BASELINE,
    section_label_refusal,
)
from jointcase.access.material import LabelFields
from jointcase.accounts.models import User
from jointcase.agencies.models import Agency, Caveat
from jointcase.audit.services import audit_record
from jointcase.cases.models import Case
from jointcase.risk.models.assessments import Assessment, AssessmentEventKind
from jointcase.risk.services.assessments import (
    CUSTODY_PHASES,
    AssessmentInput,
    event_add,
    input_refused,
    ratings_apply,
    ratings_errors,
    section_errors,
    section_write,
    start_permitted_instrument,
)


@dataclass
class SectionInput:
    section_code: str
    notes: str = ""
    factors: dict[str, str] = field(default_factory=dict)
    classification: str = BASELINE
    caveats: list[Caveat] = field(default_factory=list)
    releasable_to: list[Agency] = field(default_factory=list)


def assessment_create(
    *,
    actor: User,
    case: Case,
    instrument_code: str,
    data: AssessmentInput,
    sections: Sequence[SectionInput] = (),
    in_custody: bool | None = None,
    request: HttpRequest | None = None,
) -> Assessment:
    """Start a draft of ``case`` with ``data`` and ``sections`` written, or refuse it all."""
    instrument = start_permitted_instrument(
        actor=actor, case=case, instrument_code=instrument_code, request=request
    )
    draft = Assessment(
        case=case,
        instrument_code=instrument.code,
        instrument_version=instrument.version,
        in_custody=case.phase in CUSTODY_PHASES if in_custody is None else in_custody,
        assessor=actor,
        classification=BASELINE,
        originator_id=int(actor.agency_id or 0),
    )
    errors, cited = ratings_errors(actor, draft, data)
    for index, given in enumerate(sections):
        found = section_errors(instrument, given.section_code, given.factors, given.classification)
        errors |= {f"sections[{index}].{name}": message for name, message in found.items()}
        label = LabelFields(
            classification=given.classification,
            caveat_ids=frozenset(c.pk for c in given.caveats),
            originator_id=actor.agency_id,
        )
        if not found and (refusal := section_label_refusal(actor, label)) is not None:
            errors[f"sections[{index}].classification"] = refusal.message
    if len({s.section_code for s in sections}) != len(sections):
        errors["sections"] = "Give each section once"
    if errors:
        raise input_refused(actor, None, case, errors, "risk.assessment.start", request)
    with transaction.atomic():
        draft.save()
        event_add(draft, actor, AssessmentEventKind.STARTED)
        ratings_apply(draft, data, cited)
        for given in sections:
            section_write(
                actor,
                draft,
                instrument,
                given.section_code,
                given.notes,
                given.factors,
                given.classification,
                given.caveats,
                given.releasable_to,
            )
        audit_record(
            action="risk.assessment.start",
            actor=actor,
            object_type="assessment",
            object_id=draft.pk,
            details={
                "case": case.pk,
                "instrument": f"{instrument.code} v{instrument.version}",
                "sections": [s.section_code for s in sections],
            },
            request=request,
        )
    return draft
