"""Assessments in the API: list and create a case's assessments, read one at the caller's
clearance (withheld sections shown as withheld), and complete one.

The same selectors and services as the pages, so the same rules and errors: a case or an
assessment the caller may not see is a 404; a refusal of something they may see is a 403;
bad input (a blank domain at completion, a rating off its scale) is a 400 keyed by field,
audited, with nothing stored.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict

from jointcase.access.acting import NotPermitted
from jointcase.agencies.models import Caveat
from jointcase.api_common import (
    ErrorOut,
    IsoDate,
    PageQuery,
    api_user,
    field_errors,
    paginate,
    refusal_body,
    rules,
    token_auth,
    vocabulary,
    vocabulary_register,
)
from jointcase.cases.selectors import case_get_for
from jointcase.risk.instruments import instruments_current
from jointcase.risk.models.assessments import (
    Assessment,
    RiskDomain,
    RoshAudience,
    RoshLevel,
    RoshSetting,
)
from jointcase.risk.selectors.assessments import (
    AssessmentView,
    assessment_get_for,
    assessment_view,
    assessments_for_case,
)
from jointcase.risk.services.assessment_create import SectionInput, assessment_create
from jointcase.risk.services.assessments import (
    AssessmentInput,
    DomainInput,
    assessment_complete,
)

router = Router(tags=["risk assessments"], auth=token_auth(write_scope="write:risk"))


class DomainIn(Schema):
    model_config = ConfigDict(extra="forbid")
    rating: str = Field(
        ..., max_length=20, description="NO_CONCERNS, LOW, MEDIUM, HIGH or VERY_HIGH"
    )
    evidence: str = Field("", max_length=5000, description="Evidence, or why no concerns")
    material: list[uuid.UUID] = Field(default_factory=list, max_length=20)
    checks: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=20,
        description="Ids of required checks of the same case cited as evidence",
    )


class RoshIn(Schema):
    model_config = ConfigDict(extra="forbid")
    setting: str = Field(
        ...,
        max_length=10,
        description="COMMUNITY or CUSTODY",
        json_schema_extra={"enum": list(RoshSetting.values)},
    )
    audience: str = Field(
        ...,
        max_length=15,
        description="An audience the instrument rates in this setting",
        json_schema_extra={"enum": list(RoshAudience.values), **rules("of-the-instrument")},
    )
    level: str = Field(
        ...,
        max_length=10,
        description="LOW, MEDIUM, HIGH or VERY_HIGH",
        json_schema_extra={"enum": list(RoshLevel.values)},
    )


vocabulary_register(
    "instruments", lambda: sorted(instrument.code for instrument in instruments_current())
)


class AssessmentSectionIn(Schema):
    model_config = ConfigDict(extra="forbid")
    section: str = Field(..., max_length=60, json_schema_extra=rules("of-the-instrument"))
    notes: str = Field("", max_length=20000)
    factors: dict[str, str] = Field(
        default_factory=dict, json_schema_extra=rules("of-the-instrument")
    )
    classification: str = Field(
        "OFFICIAL-SENSITIVE",
        max_length=20,
        json_schema_extra={**vocabulary("classifications"), **rules("within-clearance")},
    )
    caveats: list[str] = Field(
        default_factory=list,
        max_length=10,
        json_schema_extra={**vocabulary("caveats"), **rules("within-clearance")},
    )


class AssessmentIn(Schema):
    model_config = ConfigDict(extra="forbid")
    instrument: str = Field(
        ...,
        max_length=60,
        description="The code of an instrument in force",
        json_schema_extra=vocabulary("instruments"),
    )
    domains: dict[str, DomainIn] = Field(
        default_factory=dict,
        description="Ratings by risk domain (a domain the instrument rates in its setting)",
        json_schema_extra={
            "propertyNames": {"enum": list(RiskDomain.values)},
            **rules("of-the-instrument"),
        },
    )
    rosh: list[RoshIn] = Field(default_factory=list, max_length=20)
    nature_of_risk: str = Field("", max_length=5000)
    who_is_at_risk: str = Field("", max_length=5000)
    when_most_likely: str = Field("", max_length=5000)
    increasing_factors: str = Field("", max_length=5000)
    mitigating_factors: str = Field("", max_length=5000)
    next_review_on: IsoDate | None = None
    sections: list[AssessmentSectionIn] = Field(default_factory=list, max_length=20)


class AssessmentSummaryOut(Schema):
    id: uuid.UUID
    instrument: str
    instrument_version: int
    status: str
    in_custody: bool
    created_at: dt.datetime
    completed_at: dt.datetime | None
    next_review_on: dt.date | None


class AssessmentPageOut(Schema):
    count: int
    page: int
    page_size: int
    results: list[AssessmentSummaryOut]


class DomainOut(Schema):
    domain: str
    rating: str | None
    evidence: str
    material: list[uuid.UUID]
    checks: list[uuid.UUID]


class AssessmentSectionOut(Schema):
    section: str
    title: str
    written: bool
    withheld: bool
    withheld_text: str
    classification: str | None
    notes: str | None
    factors: dict[str, str]


class AssessmentOut(AssessmentSummaryOut):
    marking: str
    domains: list[DomainOut]
    rosh: dict[str, dict[str, str | None]]
    nature_of_risk: str
    who_is_at_risk: str
    when_most_likely: str
    increasing_factors: str
    mitigating_factors: str
    sections: list[AssessmentSectionOut]


def _summary(assessment: Assessment) -> dict[str, Any]:
    return {
        "id": assessment.public_id,
        "instrument": assessment.instrument_code,
        "instrument_version": assessment.instrument_version,
        "status": assessment.status,
        "in_custody": assessment.in_custody,
        "created_at": assessment.created_at,
        "completed_at": assessment.completed_at,
        "next_review_on": assessment.next_review_on,
    }


def _detail(view: AssessmentView) -> dict[str, Any]:
    a = view.assessment
    return {
        **_summary(a),
        "marking": view.marking,
        "domains": [
            {
                "domain": row.domain,
                "rating": row.rating or None,
                "evidence": row.evidence,
                "material": [m.pk for m in row.material],
                "checks": [c.check.public_id for c in row.checks],
            }
            for row in view.domains
        ],
        "rosh": view.rosh.cells,
        "nature_of_risk": a.nature_of_risk,
        "who_is_at_risk": a.who_is_at_risk,
        "when_most_likely": a.when_most_likely,
        "increasing_factors": a.increasing_factors,
        "mitigating_factors": a.mitigating_factors,
        "sections": [
            {
                "section": row.spec.code,
                "title": row.spec.title,
                "written": row.written,
                "withheld": row.withheld,
                "withheld_text": row.withheld_text,
                "classification": row.classification or None if not row.withheld else None,
                "notes": None if row.withheld or not row.written else row.notes,
                "factors": {f.factor.code: f.value for f in row.factors if f.value},
            }
            for row in view.sections
        ],
    }


def _answer(call: Callable[[], Any]) -> Any:
    """A service's result, or its refusal as the API answers it (400 by field; 403 when the
    caller may see the object; 404 when they may not)."""
    try:
        return call()
    except ValidationError as error:
        return Status(400, _request_fields(field_errors(error)))
    except NotPermitted as error:
        if error.hidden:
            raise Http404("Not found") from None
        return Status(403, refusal_body(error.message))


def _request_fields(body: dict[str, Any]) -> dict[str, Any]:
    """Errors named by the request's own fields, not the page form's: a domain's
    (``domain_<DOMAIN>``) as ``domains.<DOMAIN>``, a section's factor (``factor_<CODE>``) as
    ``factors.<CODE>`` of its section, a RoSH cell's (``rosh_<setting>_<audience>``) as
    ``rosh``, its cell in the message."""
    for item in body["errors"]:
        field = str(item["field"])
        head, dot, last = field.rpartition(".")
        if last.startswith("domain_"):
            item["field"] = f"{head}{dot}domains.{last.removeprefix('domain_')}"
        elif last.startswith("factor_"):
            item["field"] = f"{head}{dot}factors.{last.removeprefix('factor_')}"
        elif field.startswith("rosh_"):
            cell = field.removeprefix("rosh_").replace("_", " ", 1)
            item["field"] = "rosh"
            item["message"] = f"{cell}: {item['message']}"
    return body


def _input(payload: AssessmentIn) -> AssessmentInput:
    return AssessmentInput(
        domains={
            name: DomainInput(
                rating=d.rating,
                evidence=d.evidence,
                material=tuple(d.material),
                checks=tuple(d.checks),
            )
            for name, d in payload.domains.items()
        },
        rosh={(r.setting, r.audience): r.level for r in payload.rosh},
        summary={
            "nature_of_risk": payload.nature_of_risk,
            "who_is_at_risk": payload.who_is_at_risk,
            "when_most_likely": payload.when_most_likely,
            "increasing_factors": payload.increasing_factors,
            "mitigating_factors": payload.mitigating_factors,
        },
        next_review_on=payload.next_review_on,
    )


def _sections(payload: AssessmentIn) -> list[SectionInput] | Status:
    wanted = {code for s in payload.sections for code in s.caveats}
    found = {c.code: c for c in Caveat.objects.filter(code__in=wanted, is_active=True)}
    unknown = sorted(wanted - set(found))
    if unknown:
        return Status(
            400, field_errors(ValidationError({"caveats": f"Unknown caveat: {', '.join(unknown)}"}))
        )
    return [
        SectionInput(
            section_code=s.section,
            notes=s.notes,
            factors=s.factors,
            classification=s.classification,
            caveats=[found[code] for code in s.caveats],
        )
        for s in payload.sections
    ]


@router.get(
    "/cases/{case_id}/assessments",
    response={200: AssessmentPageOut, 404: ErrorOut},
    summary="The case's assessments the caller may see, newest first",
)
def assessment_list(
    request: HttpRequest, case_id: uuid.UUID, query: Query[PageQuery]
) -> dict[str, Any]:
    user = api_user(request)
    case = case_get_for(user=user, case_id=case_id, request=request)
    page = paginate(assessments_for_case(user=user, case=case), query)
    page["results"] = [_summary(a) for a in page["results"]]
    return page


@router.post(
    "/cases/{case_id}/assessments",
    response={201: AssessmentSummaryOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Start an assessment of the case, with its ratings and labelled sections",
)
def assessment_add(request: HttpRequest, case_id: uuid.UUID, payload: AssessmentIn) -> Any:
    user = api_user(request)
    case = case_get_for(user=user, case_id=case_id, request=request)
    sections = _sections(payload)
    if isinstance(sections, Status):
        return sections
    result = _answer(
        lambda: assessment_create(
            actor=user,
            case=case,
            instrument_code=payload.instrument,
            data=_input(payload),
            sections=sections,
            request=request,
        )
    )
    return result if isinstance(result, Status) else Status(201, _summary(result))


@router.get(
    "/assessments/{assessment_id}",
    response={200: AssessmentOut, 404: ErrorOut},
    summary="One assessment at the caller's clearance (sections they may not see withheld)",
)
def assessment_get(request: HttpRequest, assessment_id: uuid.UUID) -> dict[str, Any]:
    user = api_user(request)
    assessment = assessment_get_for(user=user, assessment_id=assessment_id, request=request)
    return _detail(assessment_view(user=user, assessment=assessment, request=request))


@router.post(
    "/assessments/{assessment_id}/complete",
    response={200: AssessmentSummaryOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Complete the assessment and send it for countersignature (every domain addressed)",
)
def assessment_complete_op(request: HttpRequest, assessment_id: uuid.UUID) -> Any:
    user = api_user(request)
    assessment = assessment_get_for(user=user, assessment_id=assessment_id, request=request)
    result = _answer(
        lambda: assessment_complete(actor=user, assessment=assessment, request=request)
    )
    return result if isinstance(result, Status) else _summary(result)
