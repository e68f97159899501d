"""Writing assessments: start, save the ratings, write a labelled section, complete,
countersign or return.

Every service asks ``jointcase.access.assessments`` itself (``permission_require``: a DENY
entry that stays, then ``NotPermitted``, nothing written), validates, and writes its change,
its audit entry, its history event and its timeline entry in one transaction. Bad input (a
rating off the scale, a blank domain at completion) is refused as a ``ValidationError`` with
field-level messages, with a DENY entry in the audit chain and nothing stored.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from jointcase.access.acting import audited_denial, permission_require
from jointcase.access.assessments import (
    BASELINE,
    assessment_countersign_refusal,
    assessment_edit_refusal,
    assessment_section_write_refusal,
    assessment_start_refusal,
)
from jointcase.access.checks import checks_visible_to
from jointcase.access.labels import CLASSIFICATION_RANK
from jointcase.access.material import (
    LabelFields,
    above_system_high,
    material_visible_to,
    system_high,
)
from jointcase.accounts.models import User
from jointcase.agencies.models import Agency, Caveat
from jointcase.audit.reads import uuid_key
from jointcase.audit.services import audit_record
from jointcase.cases.models import Case, Phase, TimelineKind
from jointcase.cases.services import timeline_add
from jointcase.material.crypto import seal
from jointcase.material.models import MaterialItem
from jointcase.risk.domains import (
    required_domains,
    required_rosh_cells,
    section_label,
    section_object_id,
)
from jointcase.risk.instruments import Instrument, instrument_get
from jointcase.risk.models.assessments import (
    Assessment,
    AssessmentDomainRating,
    AssessmentEvent,
    AssessmentEventKind,
    AssessmentSection,
    AssessmentStatus,
    DomainRating,
    RiskDomain,
    RoshLevel,
    RoshRating,
    RoshSetting,
)
from jointcase.risk.models.checks import RequiredCheck
from jointcase.risk.signals import assessment_completed

#: Phases in which the person is in custody (RoSH then assessed as if release were imminent).
CUSTODY_PHASES = frozenset({Phase.CUSTODY, Phase.PRE_RELEASE, Phase.RECALLED})
SUMMARY_FIELDS = (
    "nature_of_risk",
    "who_is_at_risk",
    "when_most_likely",
    "increasing_factors",
    "mitigating_factors",
)


@dataclass(frozen=True)
class DomainInput:
    """What the assessor says about one domain: a rating with evidence, or no concerns
    identified with a reason (in ``evidence``); material items (by id) and required checks
    of the same case (by public id) cited as evidence."""

    rating: str
    evidence: str = ""
    material: tuple[Any, ...] = ()
    checks: tuple[Any, ...] = ()


@dataclass
class Cited:
    """What one domain cites, every item and check already found visible to the assessor."""

    material: list[MaterialItem] = field(default_factory=list)
    checks: list[RequiredCheck] = field(default_factory=list)


@dataclass
class AssessmentInput:
    """The ratings part of an assessment as a form or the API gives it."""

    domains: Mapping[str, DomainInput] = field(default_factory=dict)
    #: (setting, audience) -> level
    rosh: Mapping[tuple[str, str], str] = field(default_factory=dict)
    summary: Mapping[str, str] = field(default_factory=dict)
    next_review_on: dt.date | None = None


def instrument_of(assessment: Assessment) -> Instrument:
    instrument = instrument_get(assessment.instrument_code, assessment.instrument_version)
    if instrument is None:  # start-up validated the files; a row naming a removed one is bad data
        raise ValidationError({"instrument": "This assessment's instrument is no longer held"})
    return instrument


def input_refused(
    actor: User,
    assessment: Assessment | None,
    case: Case,
    errors: dict[str, str],
    action: str,
    request: HttpRequest | None,
) -> ValidationError:
    """A DENY entry (it outlives the refused write) and the field-level error to raise."""
    audited_denial(
        actor=actor,
        action=action,
        reason="invalid_input",
        object_type="assessment" if assessment is not None else "case",
        object_id=assessment.pk if assessment is not None else case.pk,
        request=request,
        details={"fields": sorted(errors)},
    )
    return ValidationError(errors)


def _timeline(assessment: Assessment, actor: User, title: str) -> None:

    timeline_add(case=assessment.case, kind=TimelineKind.ASSESSMENT, title=title, actor=actor)


def event_add(assessment: Assessment, actor: User, kind: str, reason: str = "") -> None:
    AssessmentEvent.objects.create(assessment=assessment, kind=kind, actor=actor, reason=reason)


# --- Start -------------------------------------------------------------------------------------


def start_permitted_instrument(
    *, actor: User, case: Case, instrument_code: str, request: HttpRequest | None
) -> Instrument:
    """Refuse (audited) an actor who may not start an assessment of ``case``, or an unknown
    instrument; shared by the draft start and the one-step API create so both refuse alike."""
    permission_require(
        actor=actor,
        refusal=assessment_start_refusal(actor, case),
        action="risk.assessment.start",
        object_type="case",
        object_id=case.pk,
        request=request,
    )
    instrument = instrument_get(instrument_code)
    if instrument is None:
        raise input_refused(
            actor,
            None,
            case,
            {"instrument": "Select an instrument from the list"},
            "risk.assessment.start",
            request,
        )
    return instrument


def assessment_start(
    *,
    actor: User,
    case: Case,
    instrument_code: str,
    in_custody: bool | None = None,
    request: HttpRequest | None = None,
) -> Assessment:
    """Start a draft assessment of ``case`` with the latest version of an instrument."""
    instrument = start_permitted_instrument(
        actor=actor, case=case, instrument_code=instrument_code, request=request
    )
    custody = case.phase in CUSTODY_PHASES if in_custody is None else in_custody
    with transaction.atomic():
        assessment = Assessment.objects.create(
            case=case,
            instrument_code=instrument.code,
            instrument_version=instrument.version,
            in_custody=custody,
            assessor=actor,
            classification=BASELINE,
            originator_id=int(actor.agency_id or 0),
        )
        event_add(assessment, actor, AssessmentEventKind.STARTED)
        audit_record(
            action="risk.assessment.start",
            actor=actor,
            object_type="assessment",
            object_id=assessment.pk,
            details={"case": case.pk, "instrument": f"{instrument.code} v{instrument.version}"},
            request=request,
        )
    return assessment


# --- Ratings -----------------------------------------------------------------------------------


def _visible_among(
    visible: QuerySet[Any], key_field: str, given: Iterable[Any]
) -> list[Any] | None:
    """The rows of ``visible`` named by ``given`` (ids), or None when any of them is not
    there: missing, malformed, of another case, or not visible are all one refusal, so the
    answer tells the assessor nothing about what they may not see."""
    wanted = {uuid_key(value) for value in given}
    if not wanted:
        return []
    if None in wanted:
        return None
    rows = list(visible.filter(**{f"{key_field}__in": wanted}))
    return rows if len(rows) == len(wanted) else None


def _domain_errors(
    actor: User, assessment: Assessment, domains: Mapping[str, DomainInput]
) -> tuple[dict[str, str], dict[str, Cited]]:
    """Field errors of the domain ratings, and what each domain cites. Cited material and
    checks must be of this case and visible to the assessor, asked of ``jointcase.access``
    (``material_visible_to``, ``checks_visible_to``) as every list of them is."""
    errors: dict[str, str] = {}
    cited: dict[str, Cited] = {}
    material = material_visible_to(actor, case=assessment.case_id)
    checks = checks_visible_to(actor).filter(case_id=assessment.case_id)
    for domain, given in domains.items():
        key = f"domain_{domain}"
        if domain not in required_domains(assessment):
            errors[key] = "This risk domain does not apply to this assessment"
            continue
        if given.rating and given.rating not in DomainRating.values:
            errors[key] = "Select a rating from the scale"
            continue
        items = _visible_among(material, "pk", given.material)
        if items is None:
            errors[key] = "Cite only material items of this case that you can see"
            continue
        found = _visible_among(checks, "public_id", given.checks)
        if found is None:
            errors[key] = "Cite only required checks of this case that you can see"
            continue
        cited[domain] = Cited(material=items, checks=found)
    return errors, cited


def _rosh_errors(assessment: Assessment, rosh: Mapping[tuple[str, str], str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    cells = set(required_rosh_cells(assessment))
    for (setting, audience), level in rosh.items():
        key = f"rosh_{setting}_{audience}"
        if (setting, audience) not in cells:
            errors[key] = "This audience is not rated in this setting"
        elif level and level not in RoshLevel.values:
            errors[key] = "Select Low, Medium, High or Very high"
    return errors


def ratings_errors(
    actor: User, assessment: Assessment, data: AssessmentInput
) -> tuple[dict[str, str], dict[str, Cited]]:
    """Every problem with ``data`` by field, and the cited material and checks (all visible)."""
    errors, cited = _domain_errors(actor, assessment, data.domains)
    errors |= _rosh_errors(assessment, data.rosh)
    for name in data.summary:
        if name not in SUMMARY_FIELDS:
            errors[name] = "Unknown summary field"
    return errors, cited


def ratings_apply(
    assessment: Assessment, data: AssessmentInput, cited: Mapping[str, Cited]
) -> None:
    """Write validated ratings (the caller holds the transaction and writes the audit)."""
    for domain, given in data.domains.items():
        AssessmentDomainRating.objects.filter(assessment=assessment, domain=domain).delete()
        if given.rating:
            row = AssessmentDomainRating.objects.create(
                assessment=assessment,
                domain=domain,
                rating=given.rating,
                evidence=given.evidence.strip(),
            )
            evidence = cited.get(domain, Cited())
            row.material.set(evidence.material)
            row.checks.set(evidence.checks)
    for (setting, audience), level in data.rosh.items():
        RoshRating.objects.filter(
            assessment=assessment, setting=setting, audience=audience
        ).delete()
        if level:
            RoshRating.objects.create(
                assessment=assessment, setting=setting, audience=audience, level=level
            )
    for name, value in data.summary.items():
        setattr(assessment, name, value.strip())
    if data.next_review_on is not None:
        assessment.next_review_on = data.next_review_on
    assessment.updated_at = timezone.now()
    assessment.save()


def assessment_save(
    *,
    actor: User,
    assessment: Assessment,
    data: AssessmentInput,
    request: HttpRequest | None = None,
) -> Assessment:
    """Save the domain ratings, the RoSH matrix, the summary and the next review date of a
    draft. Blank entries are allowed in a draft (completion requires them); a value off its
    scale, or cited material or checks the assessor may not see, is refused and nothing is
    stored."""
    permission_require(
        actor=actor,
        refusal=assessment_edit_refusal(actor, assessment),
        action="risk.assessment.save",
        object_type="assessment",
        object_id=assessment.pk,
        request=request,
    )
    errors, cited = ratings_errors(actor, assessment, data)
    if errors:
        raise input_refused(
            actor, assessment, assessment.case, errors, "risk.assessment.save", request
        )
    with transaction.atomic():
        ratings_apply(assessment, data, cited)
        audit_record(
            action="risk.assessment.save",
            actor=actor,
            object_type="assessment",
            object_id=assessment.pk,
            details={"domains": sorted(data.domains), "rosh_cells": len(data.rosh)},
            request=request,
        )
    return assessment


# --- Sections ----------------------------------------------------------------------------------


def section_errors(
    instrument: Instrument, section_code: str, factors: Mapping[str, str], classification: str
) -> dict[str, str]:
    errors: dict[str, str] = {}
    spec = instrument.section(section_code)
    if spec is None:
        return {"section": "This instrument has no such section"}
    scales = {factor.code: {v.value for v in factor.scale} for factor in spec.factors}
    for code, value in factors.items():
        if code not in scales:
            errors[f"factor_{code}"] = "This section has no such factor"
        elif value and value not in scales[code]:
            errors[f"factor_{code}"] = "Select a rating from the factor's scale"
    if classification not in CLASSIFICATION_RANK:
        errors["classification"] = "Select a classification"
    elif above_system_high(classification):
        errors["classification"] = (
            f"This system holds nothing above {system_high()}: record a reference instead"
        )
    return errors


def section_write(
    actor: User,
    assessment: Assessment,
    instrument: Instrument,
    section_code: str,
    notes: str,
    factors: Mapping[str, str],
    classification: str,
    caveats: list[Caveat],
    releasable: list[Agency],
) -> AssessmentSection:
    """Write a validated section, sealed under its label (a new data key each time; the
    previous one is deleted with the old ciphertext). The caller holds the transaction."""
    order = [s.code for s in instrument.sections].index(section_code)
    section, _ = AssessmentSection.objects.update_or_create(
        assessment=assessment,
        section_code=section_code,
        defaults={
            "case_id": assessment.case_id,
            "order": order,
            "classification": classification,
            "originator_id": int(actor.agency_id or 0),
            "author": actor,
            "updated_at": timezone.now(),
        },
    )
    section.caveats.set(caveats)
    section.releasable_to.set(releasable)
    old_key = section.data_key
    payload = {"notes": notes.strip(), "factors": {k: v for k, v in factors.items() if v}}
    sealed = seal(
        plaintext=json.dumps(payload, sort_keys=True).encode("utf-8"),
        object_id=section_object_id(section),
        label=section_label(section),
    )
    sealed.data_key.save()
    section.data_key = sealed.data_key
    section.body_ciphertext = bytes(sealed.ciphertext)
    section.save(update_fields=["data_key", "body_ciphertext"])
    if old_key is not None:
        old_key.delete()
    return section


def assessment_section_save(
    *,
    actor: User,
    assessment: Assessment,
    section_code: str,
    notes: str,
    factors: Mapping[str, str],
    classification: str = BASELINE,
    caveats: Iterable[Caveat] = (),
    releasable_to: Iterable[Agency] = (),
    request: HttpRequest | None = None,
) -> AssessmentSection:
    """Write one section's factor ratings and notes under the section's own label, sealed
    (a new data key each time; the previous one is deleted with the old ciphertext)."""
    caveats, releasable = list(caveats), list(releasable_to)
    label = LabelFields(
        classification=classification,
        caveat_ids=frozenset(c.pk for c in caveats),
        releasable_ids=frozenset(a.pk for a in releasable),
        originator_id=actor.agency_id,
    )
    permission_require(
        actor=actor,
        refusal=assessment_section_write_refusal(actor, assessment, label),
        action="risk.assessment.section.save",
        object_type="assessment",
        object_id=assessment.pk,
        request=request,
    )
    instrument = instrument_of(assessment)
    errors = section_errors(instrument, section_code, factors, classification)
    if errors:
        raise input_refused(
            actor, assessment, assessment.case, errors, "risk.assessment.section.save", request
        )
    with transaction.atomic():
        section = section_write(
            actor,
            assessment,
            instrument,
            section_code,
            notes,
            factors,
            classification,
            caveats,
            releasable,
        )
        audit_record(
            action="risk.assessment.section.save",
            actor=actor,
            object_type="assessment_section",
            object_id=section.pk,
            details={
                "assessment": assessment.pk,
                "section": section_code,
                "classification": classification,
            },
            request=request,
        )
    return section


# --- Completion and countersignature -----------------------------------------------------------


def completion_errors(assessment: Assessment) -> dict[str, str]:
    """What still stops ``assessment`` being completed, by field (empty when nothing does):
    every risk domain addressed (a rating with evidence, or no concerns with a reason), and
    for an instrument with RoSH every cell of the matrix and the summary; a review date."""
    errors: dict[str, str] = {}
    rated = {row.domain: row for row in assessment.domains.all()}
    for domain in required_domains(assessment):
        row = rated.get(domain)
        label = RiskDomain(domain).label
        if row is None:
            errors[f"domain_{domain}"] = f"Rate {label.lower()}, or record no concerns identified"
        elif not row.evidence.strip():
            errors[f"domain_{domain}"] = (
                f"Give the reason no concerns were identified for {label.lower()}"
                if row.rating == DomainRating.NO_CONCERNS
                else f"Give the evidence for the {label.lower()} rating"
            )
    if instrument_of(assessment).rosh:
        cells = {(r.setting, r.audience) for r in assessment.rosh.all()}
        for setting, audience in required_rosh_cells(assessment):
            if (setting, audience) not in cells:
                errors[f"rosh_{setting}_{audience}"] = (
                    f"Rate the risk of serious harm to {audience.lower().replace('_', ' ')} "
                    f"in {RoshSetting(setting).label.lower()}"
                )
        for name in SUMMARY_FIELDS:
            if not getattr(assessment, name).strip():
                errors[name] = "Complete the risk of serious harm summary"
    if assessment.next_review_on is None:
        errors["next_review_on"] = "Enter the date the next review is due"
    elif assessment.next_review_on <= timezone.localdate():
        errors["next_review_on"] = "The next review must be in the future"
    return errors


def _status_record(
    assessment: Assessment,
    actor: User,
    *,
    fields: list[str],
    event_kind: str,
    title: str,
    action: str,
    request: HttpRequest | None,
    reason: str = "",
) -> None:
    """Save a status step already set on ``assessment`` together with its event, timeline
    entry and audit record, in one transaction, so no step is left half recorded."""
    with transaction.atomic():
        assessment.save(update_fields=fields)
        event_add(assessment, actor, event_kind, reason=reason)
        _timeline(assessment, actor, title)
        audit_record(
            action=action,
            actor=actor,
            object_type="assessment",
            object_id=assessment.pk,
            details={"case": assessment.case_id},
            request=request,
        )


def assessment_complete(
    *, actor: User, assessment: Assessment, request: HttpRequest | None = None
) -> Assessment:
    """The assessor completes the assessment and sends it for countersignature. Refused (and
    audited, nothing changed) while any domain is blank or the RoSH matrix is incomplete."""
    permission_require(
        actor=actor,
        refusal=assessment_edit_refusal(actor, assessment),
        action="risk.assessment.complete",
        object_type="assessment",
        object_id=assessment.pk,
        request=request,
    )
    errors = completion_errors(assessment)
    if errors:
        raise input_refused(
            actor, assessment, assessment.case, errors, "risk.assessment.complete", request
        )
    assessment.status = AssessmentStatus.AWAITING_COUNTERSIGNATURE
    assessment.submitted_at = timezone.now()
    assessment.returned_reason = ""
    _status_record(
        assessment,
        actor,
        fields=["status", "submitted_at", "returned_reason"],
        event_kind=AssessmentEventKind.SUBMITTED,
        title="Risk assessment completed, awaiting countersignature",
        action="risk.assessment.complete",
        request=request,
    )
    return assessment


def assessment_countersign(
    *, actor: User, assessment: Assessment, request: HttpRequest | None = None
) -> Assessment:
    """A senior other than the assessor countersigns: the assessment becomes the case's
    current one, and is never changed again (the next review is a new assessment)."""
    permission_require(
        actor=actor,
        refusal=assessment_countersign_refusal(actor, assessment),
        action="risk.assessment.countersign",
        object_type="assessment",
        object_id=assessment.pk,
        request=request,
    )
    assessment.status = AssessmentStatus.COMPLETED
    assessment.completed_at = timezone.now()
    assessment.countersigned_by = actor
    with transaction.atomic():
        _status_record(
            assessment,
            actor,
            fields=["status", "completed_at", "countersigned_by"],
            event_kind=AssessmentEventKind.COUNTERSIGNED,
            title="Risk assessment countersigned",
            action="risk.assessment.countersign",
            request=request,
        )
        assessment_completed.send(sender=Assessment, assessment=assessment)
    return assessment


def assessment_return(
    *, actor: User, assessment: Assessment, reason: str, request: HttpRequest | None = None
) -> Assessment:
    """A senior returns the assessment to its assessor with a reason."""
    permission_require(
        actor=actor,
        refusal=assessment_countersign_refusal(actor, assessment),
        action="risk.assessment.return",
        object_type="assessment",
        object_id=assessment.pk,
        request=request,
    )
    if not reason.strip():
        raise input_refused(
            actor,
            assessment,
            assessment.case,
            {"reason": "Give the reason for returning the assessment"},
            "risk.assessment.return",
            request,
        )
    assessment.status = AssessmentStatus.RETURNED
    assessment.returned_reason = reason.strip()
    _status_record(
        assessment,
        actor,
        fields=["status", "returned_reason"],
        event_kind=AssessmentEventKind.RETURNED,
        title="Risk assessment returned to the assessor",
        action="risk.assessment.return",
        request=request,
        reason=reason.strip(),
    )
    return assessment
