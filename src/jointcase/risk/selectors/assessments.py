"""Reading assessments, each already scoped by ``jointcase.access.assessments``.

``assessment_get_for`` opens one assessment by its public id (``audited_read``: 404 alike for
missing and forbidden, the read or the refusal in the audit chain). ``assessment_view``
opens its sections at the reader's clearance: a section the reader may not see is shown as
withheld (who holds it and at what marking), never decrypted, and the withheld sections are
recorded on the read's audit entry.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import QuerySet

from jointcase.access.assessments import (
    assessment_decision,
    assessment_section_decision,
    assessments_visible_to,
)
from jointcase.access.checks import checks_visible_to
from jointcase.access.labels import Classification, classification_max
from jointcase.access.material import CaseContext, material_visible_to
from jointcase.audit.reads import audited_read, uuid_key
from jointcase.audit.services import audit_record
from jointcase.material.crypto import Sealed, open_sealed
from jointcase.risk.check_rules import rules_current
from jointcase.risk.domains import required_domains, section_label, section_object_id
from jointcase.risk.instruments import Factor, Instrument, Section, instrument_get
from jointcase.risk.models.assessments import (
    ROSH_AUDIENCES,
    ROSH_RANK,
    Assessment,
    AssessmentSection,
    AssessmentStatus,
    DomainRating,
    RiskDomain,
    RoshAudience,
    RoshLevel,
    RoshSetting,
)
from jointcase.risk.models.checks import CheckOutcome, RequiredCheck

if TYPE_CHECKING:
    from django.http import HttpRequest

    from jointcase.accounts.models import User
    from jointcase.cases.models import Case
    from jointcase.material.models import MaterialItem

NOT_FOUND = "Assessment not found"


def assessment_get_for(
    *,
    user: User,
    assessment_id: Any,
    request: HttpRequest | None = None,
    on_allowed: Callable[[Assessment], None] | None = None,
) -> Assessment:
    """The assessment with public id ``assessment_id`` if ``user`` may see it; else 404
    (``on_allowed``: as ``audit.reads.audited_read``'s)."""
    return audited_read(
        user=user,
        raw_id=assessment_id,
        key=uuid_key,
        load=lambda key: (
            Assessment.objects.select_related("case", "case__person", "originator")
            .filter(public_id=key)
            .first()
        ),
        decide=lambda assessment: assessment_decision(user, assessment),
        action="risk.assessment.read",
        object_type="assessment",
        not_found=NOT_FOUND,
        request=request,
        details=lambda assessment: {"case": assessment.case_id},
        on_allowed=on_allowed,
    )


def assessments_for_case(*, user: User, case: Case) -> QuerySet[Assessment]:
    """The case's assessments ``user`` may see, newest first (the history)."""
    return (
        assessments_visible_to(user, case=case)
        .select_related("assessor", "countersigned_by")
        .order_by("-created_at", "-pk")
    )


# --- One assessment at the reader's clearance --------------------------------------------------


@dataclass(frozen=True)
class CitedCheck:
    """A required check cited as evidence, with its display labels (never raw codes)."""

    check: RequiredCheck
    label: str
    outcome: str

    @classmethod
    def of(cls, check: RequiredCheck) -> CitedCheck:
        outcome = CheckOutcome(check.outcome).label if check.outcome else ""
        return cls(check=check, label=rules_current().label_of(check.check_type), outcome=outcome)


@dataclass
class DomainRow:
    domain: str
    label: str
    rating: str = ""
    rating_label: str = ""
    evidence: str = ""
    material: list[MaterialItem] = field(default_factory=list)
    checks: list[CitedCheck] = field(default_factory=list)


@dataclass
class FactorRow:
    factor: Factor
    value: str
    value_label: str


@dataclass
class SectionRow:
    spec: Section
    written: bool
    withheld: bool
    withheld_text: str = ""
    classification: str = ""
    notes: str = ""
    factors: list[FactorRow] = field(default_factory=list)


@dataclass
class RoshMatrix:
    """Levels by setting then audience (None where not yet rated); the highest overall."""

    cells: dict[str, dict[str, str | None]]
    highest: str | None

    @property
    def audiences(self) -> list[tuple[str, str]]:
        return list(RoshAudience.choices)

    @property
    def settings(self) -> list[tuple[str, str]]:
        return list(RoshSetting.choices)


@dataclass
class AssessmentView:
    assessment: Assessment
    instrument: Instrument | None
    domains: list[DomainRow]
    rosh: RoshMatrix
    sections: list[SectionRow]
    marking: str


def rosh_matrix(assessment: Assessment) -> RoshMatrix:
    cells: dict[str, dict[str, str | None]] = {
        setting: {audience: None for audience in RoshAudience.values if audience in audiences}
        for setting, audiences in ROSH_AUDIENCES.items()
    }
    highest: str | None = None
    for row in assessment.rosh.all():
        cells.setdefault(row.setting, {})[row.audience] = row.level
        if highest is None or ROSH_RANK[row.level] > ROSH_RANK[highest]:
            highest = row.level
    return RoshMatrix(cells, highest)


def domain_rows(
    assessment: Assessment,
    *,
    visible_material: set[Any] | None = None,
    visible_checks: set[int] | None = None,
) -> list[DomainRow]:
    """Every domain the assessment must address, in the fixed order, rated or not; cited
    material and checks only where ``visible_material`` and ``visible_checks`` (ids the
    reader may see) include them."""
    ratings = assessment.domains.all()
    if visible_material or visible_checks:
        # The citations of every domain in two queries, not two per domain.
        ratings = ratings.prefetch_related("material", "checks")
    rated = {row.domain: row for row in ratings}
    rows = []
    for domain in required_domains(assessment):
        row = DomainRow(domain=domain, label=RiskDomain(domain).label)
        found = rated.get(domain)
        if found is not None:
            row.rating = found.rating
            row.rating_label = DomainRating(found.rating).label
            row.evidence = found.evidence
            if visible_material:
                row.material = [m for m in found.material.all() if m.pk in visible_material]
            if visible_checks:
                row.checks = [
                    CitedCheck.of(c) for c in found.checks.all() if c.pk in visible_checks
                ]
        rows.append(row)
    return rows


def _open_section(section: AssessmentSection) -> dict[str, Any]:
    assert section.data_key is not None
    assert section.body_ciphertext is not None
    plain = open_sealed(
        sealed=Sealed(data_key=section.data_key, ciphertext=bytes(section.body_ciphertext)),
        object_id=section_object_id(section),
        label=section_label(section),
    )
    payload: dict[str, Any] = json.loads(plain)
    return payload


def _section_rows(
    user: User, assessment: Assessment, instrument: Instrument | None
) -> tuple[list[SectionRow], list[int], str]:
    written = {
        s.section_code: s
        for s in assessment.sections.select_related("data_key", "originator").prefetch_related(
            "caveats", "releasable_to"
        )
    }
    seen = assessment_decision(user, assessment)
    rows: list[SectionRow] = []
    withheld: list[int] = []
    marking = str(assessment.classification)
    for spec in instrument.sections if instrument is not None else ():
        section = written.get(spec.code)
        if section is None:
            rows.append(SectionRow(spec=spec, written=False, withheld=False))
            continue
        section.assessment = assessment
        if not assessment_section_decision(user, section, assessment_seen=seen).allowed:
            withheld.append(section.pk)
            rows.append(
                SectionRow(
                    spec=spec,
                    written=True,
                    withheld=True,
                    withheld_text=f"Section withheld: held by {section.originator.name} "
                    f"at {section.classification}",
                )
            )
            continue
        payload = _open_section(section)
        values = payload.get("factors", {})
        rows.append(
            SectionRow(
                spec=spec,
                written=True,
                withheld=False,
                classification=section.classification,
                notes=str(payload.get("notes", "")),
                factors=[
                    FactorRow(f, values.get(f.code, ""), f.label_of(values.get(f.code, "")))
                    for f in spec.factors
                ],
            )
        )
        marking = classification_max(marking, section.classification)
    return rows, withheld, marking


def assessment_view(
    *, user: User, assessment: Assessment, request: HttpRequest | None = None
) -> AssessmentView:
    """``assessment`` (already opened with ``assessment_get_for``) at ``user``'s clearance:
    sections they may not see withheld, cited material they may not see left out."""
    instrument = instrument_get(assessment.instrument_code, assessment.instrument_version)
    with transaction.atomic():
        sections, withheld, marking = _section_rows(user, assessment, instrument)
        audit_record(
            action="risk.assessment.sections.read",
            actor=user,
            object_type="assessment",
            object_id=assessment.pk,
            details={"withheld": withheld, "case": assessment.case_id},
            request=request,
        )
    cited = set(
        material_visible_to(user, case=assessment.case_id)
        .filter(pk__in=assessment.domains.values("material"))
        .values_list("pk", flat=True)
    )
    cited_checks = set(
        checks_visible_to(user)
        .filter(case_id=assessment.case_id, pk__in=assessment.domains.values("checks"))
        .values_list("pk", flat=True)
    )
    return AssessmentView(
        assessment=assessment,
        instrument=instrument,
        domains=domain_rows(assessment, visible_material=cited, visible_checks=cited_checks),
        rosh=rosh_matrix(assessment),
        sections=sections,
        marking=marking or Classification.OFFICIAL_SENSITIVE,
    )


# --- What changed ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One line of "what changed since the last assessment"."""

    what: str
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def _level_label(value: str | None) -> str:
    return RoshLevel(value).label if value else "Not rated"


def assessment_changes(previous: Assessment | None, current: Assessment) -> list[Change]:
    """Domain by domain, then each RoSH cell: the previous rating and this one (both
    assessments already visible to the reader; only ratings, never section content)."""
    before = {r.domain: r for r in domain_rows(previous)} if previous is not None else {}
    changes = [
        Change(
            what=row.label,
            before=before[row.domain].rating_label or "Not rated"
            if row.domain in before
            else "Not assessed",
            after=row.rating_label or "Not rated",
        )
        for row in domain_rows(current)
    ]
    old = rosh_matrix(previous).cells if previous is not None else {}
    for setting, audiences in rosh_matrix(current).cells.items():
        for audience, level in audiences.items():
            changes.append(
                Change(
                    what=f"RoSH: {RoshAudience(audience).label} in "
                    f"{RoshSetting(setting).label.lower()}",
                    before=_level_label(old.get(setting, {}).get(audience)),
                    after=_level_label(level),
                )
            )
    return changes


def previous_completed(*, user: User, assessment: Assessment) -> Assessment | None:
    """The completed assessment of the same case before ``assessment`` that ``user`` sees."""
    earlier = assessments_visible_to(user, case=assessment.case_id).filter(
        status=AssessmentStatus.COMPLETED
    )
    if assessment.completed_at is not None:
        earlier = earlier.filter(completed_at__lt=assessment.completed_at)
    return earlier.exclude(pk=assessment.pk).order_by("-completed_at", "-pk").first()


def public_id_of(raw: Any) -> uuid.UUID | None:
    return uuid_key(raw)


@dataclass
class RiskSummary:
    """The case's current assessment as the overview and the risk tab show it: the RoSH
    matrix, every domain's rating and the date the next review is due."""

    assessment: Assessment
    rosh: RoshMatrix
    domains: list[DomainRow]

    @property
    def next_review_on(self) -> Any:
        return self.assessment.next_review_on


def risk_summary_for(
    *,
    user: User,
    case: Case,
    visible: QuerySet[Assessment] | None = None,
    context: CaseContext | None = None,
) -> RiskSummary | None:
    """The latest countersigned assessment of ``case`` that ``user`` may see, summarised
    (``visible``: the case's assessments already scoped to ``user``, to share one filter;
    ``context``: the case's side of the label rule for ``user``, when the page has it)."""
    scoped = (
        visible if visible is not None else assessments_visible_to(user, case=case, context=context)
    )
    latest = (
        scoped.filter(status=AssessmentStatus.COMPLETED)
        .prefetch_related("rosh", "domains")
        .order_by("-completed_at", "-pk")
        .first()
    )
    if latest is None:
        return None
    return RiskSummary(latest, rosh_matrix(latest), domain_rows(latest))


def case_risk_for(
    *, user: User, case: Case, history: int = 50
) -> tuple[RiskSummary | None, list[Assessment]]:
    """The risk tab's two reads with the access filter built once: the summary of the
    current assessment and the latest ``history`` assessments, newest first."""
    visible = assessments_visible_to(user, case=case)
    summary = risk_summary_for(user=user, case=case, visible=visible)
    rows = list(
        visible.select_related("assessor", "countersigned_by").order_by("-created_at", "-pk")[
            :history
        ]
    )
    return summary, rows


#: How many of the case's material items the ratings form offers to cite (the most recent).
CITABLE_ITEMS = 50


def material_choices(*, user: User, case: Case) -> list[tuple[str, str]]:
    """The case's material items ``user`` may see, to cite as evidence (id, title and marking)."""
    items = (
        material_visible_to(user, case=case)
        .order_by("-created_at")
        .values_list("pk", "title", "classification")[:CITABLE_ITEMS]
    )
    return [(str(pk), f"{title} ({classification})") for pk, title, classification in items]


#: How many of the case's required checks the ratings form offers to cite (the latest due).
CITABLE_CHECKS = 50


def check_choices(*, user: User, case: Case) -> list[tuple[str, str]]:
    """The case's required checks ``user`` may see, to cite as evidence (public id, and the
    check's label with its due date and outcome)."""
    checks = (
        checks_visible_to(user).filter(case_id=case.pk).order_by("-due_on", "-pk")[:CITABLE_CHECKS]
    )
    choices = []
    for check in checks:
        cited = CitedCheck.of(check)
        state = cited.outcome or "open"
        choices.append(
            (str(check.public_id), f"{cited.label}, due {check.due_on:%-d %B %Y} ({state})")
        )
    return choices
