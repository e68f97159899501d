"""Seed step: 24 months of whole-risk assessments on every seeded case (synthetic text only).

Every case with a current case team gets a countersigned WHOLE_RISK assessment every
``interval`` months over the last 24 (6 at demo scale, 12 above it, to keep the stress world
to minutes): every domain rated with short synthetic evidence, the full RoSH matrix, the
summary and the next review date, ratings drifting between versions so "what changed" has
something to show. The assessor is a member of the case team (the lead practitioner where
there is one); the countersignature is another member's. At demo scale each assessment has
its history events and a timeline entry, and on the persona cases (those of
``nsd.practitioner``) the latest assessment has an OFFICIAL-SENSITIVE section and a SECRET
section (sealed when a keyring exists).

The step takes the seed context by duck typing (``scale``, ``rng``, ``today``, ``registry``,
``progress``): domain apps do not import the seed tooling.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from jointcase.access.labels import Classification
from jointcase.cases.models import Case, CaseRole, CaseTeamMember, TimelineEvent, TimelineKind
from jointcase.keyring import keyring_load
from jointcase.risk.domains import required_domains, required_rosh_cells
from jointcase.risk.instruments import instrument_get
from jointcase.risk.models.assessments import (
    Assessment,
    AssessmentDomainRating,
    AssessmentEvent,
    AssessmentEventKind,
    AssessmentStatus,
    DomainRating,
    RiskDomain,
    RoshLevel,
    RoshRating,
)
from jointcase.risk.services.assessment_create import SectionInput
from jointcase.risk.services.assessments import CUSTODY_PHASES, section_write

logger = logging.getLogger(__name__)
BATCH = 2000
MONTHS = 24
LEVELS = [RoshLevel.LOW, RoshLevel.MEDIUM, RoshLevel.HIGH, RoshLevel.VERY_HIGH]
DOMAIN_LEVELS = [
    DomainRating.NO_CONCERNS,
    DomainRating.LOW,
    DomainRating.MEDIUM,
    DomainRating.HIGH,
    DomainRating.VERY_HIGH,
]
EVIDENCE = {
    DomainRating.NO_CONCERNS: "No concerns identified: checks returned no trace (synthetic).",
    DomainRating.LOW: "Historic concern only; nothing current (synthetic).",
    DomainRating.MEDIUM: "Some current indicators noted at supervision (synthetic).",
    DomainRating.HIGH: "Current indicators corroborated by a partner agency (synthetic).",
    DomainRating.VERY_HIGH: "Imminent risk indicators; multi-agency plan in place (synthetic).",
}


class AssessmentSeeder:
    def __init__(self, context: Any) -> None:
        self.context = context
        self.rng = context.rng
        self.today: dt.date = context.today
        self.demo = context.scale.name == "demo"
        self.interval = 6 if self.demo else 12
        instrument = instrument_get("WHOLE_RISK")
        assert instrument is not None  # start-up validated the instruments
        self.instrument = instrument
        rows = CaseTeamMember.objects.filter(
            Q(end__isnull=True) | Q(end__gte=self.today), user__isnull=False, start__lte=self.today
        ).values_list("case_id", "user_id", "agency_id", "role")
        self.members: dict[int, list[tuple[int, int, str]]] = {}
        for case_id, user_id, agency_id, role in rows.iterator(chunk_size=20_000):
            self.members.setdefault(case_id, []).append((user_id, agency_id, role))
        self.phases = dict(
            Case.objects.filter(pk__in=list(self.members)).values_list("pk", "phase")
        )

    def _at(self, day: dt.date, hour: int = 10) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))

    def _people(self, case_id: int) -> tuple[tuple[int, int], int | None]:
        members = self.members[case_id]
        lead = next((m for m in members if m[2] == CaseRole.LEAD_NSD_PRACTITIONER), members[0])
        others = [m[0] for m in members if m[0] != lead[0]]
        return (lead[0], lead[1]), (others[0] if others else None)

    def _drift(self, level: int, top: int) -> int:
        return max(0, min(top, level + self.rng.choice((-1, 0, 0, 0, 1))))

    def run(self) -> None:
        case_ids = sorted(self.members)
        pending: list[tuple[Assessment, dict[str, int], dict[tuple[str, str], int]]] = []
        for case_id in self.context.progress(case_ids, total=len(case_ids), desc="assessments"):
            (assessor, agency), countersigner = self._people(case_id)
            domains = {d: self.rng.randint(0, 3) for d in RiskDomain.values}
            rosh: dict[tuple[str, str], int] = {}
            for months_ago in range(
                MONTHS - self.rng.randint(0, self.interval - 1), 0, -self.interval
            ):
                day = self.today - dt.timedelta(days=months_ago * 30)
                completed = self._at(day, 15)
                assessment = Assessment(
                    case_id=case_id,
                    instrument_code=self.instrument.code,
                    instrument_version=self.instrument.version,
                    in_custody=self.phases.get(case_id) in CUSTODY_PHASES,
                    status=AssessmentStatus.COMPLETED,
                    assessor_id=assessor,
                    originator_id=agency,
                    classification=Classification.OFFICIAL_SENSITIVE,
                    nature_of_risk="Synthetic: violence in support of an ideology.",
                    who_is_at_risk="Synthetic: the public, and a former partner.",
                    when_most_likely="Synthetic: in the weeks after release, or after setbacks.",
                    increasing_factors="Synthetic: contact with associates; loss of housing.",
                    mitigating_factors="Synthetic: stable accommodation; engagement with mentoring.",
                    next_review_on=day + dt.timedelta(days=self.interval * 30),
                    created_at=self._at(day - dt.timedelta(days=7)),
                    updated_at=completed,
                    submitted_at=self._at(day - dt.timedelta(days=2)),
                    completed_at=completed,
                    countersigned_by_id=countersigner,
                )
                domains = {d: self._drift(v, 4) for d, v in domains.items()}
                rosh = {
                    cell: self._drift(rosh.get(cell, self.rng.randint(0, 2)), 3)
                    for cell in required_rosh_cells(assessment)
                }
                pending.append((assessment, dict(domains), dict(rosh)))
            if len(pending) >= BATCH:
                self.flush(pending)
                pending = []
        self.flush(pending)
        if self.demo:
            self.persona_cases()

    def flush(
        self, pending: list[tuple[Assessment, dict[str, int], dict[tuple[str, str], int]]]
    ) -> None:
        if not pending:
            return
        with transaction.atomic():
            made = Assessment.objects.bulk_create([a for a, _d, _r in pending], batch_size=BATCH)
            ratings, cells, events, timeline = [], [], [], []
            for assessment, (_a, domains, rosh) in zip(made, pending, strict=True):
                for domain in required_domains(assessment):
                    rating = DOMAIN_LEVELS[domains[domain]]
                    ratings.append(
                        AssessmentDomainRating(
                            assessment=assessment,
                            domain=domain,
                            rating=rating,
                            evidence=EVIDENCE[rating],
                        )
                    )
                for (setting, audience), level in rosh.items():
                    cells.append(
                        RoshRating(
                            assessment=assessment,
                            setting=setting,
                            audience=audience,
                            level=LEVELS[level],
                        )
                    )
                if self.demo:
                    events.extend(self._events(assessment))
                    timeline.append(
                        TimelineEvent(
                            case_id=assessment.case_id,
                            occurred_at=assessment.completed_at or assessment.created_at,
                            agency_id=assessment.originator_id,
                            kind=TimelineKind.ASSESSMENT,
                            title="Risk assessment countersigned",
                            actor_id=assessment.countersigned_by_id,
                        )
                    )
            AssessmentDomainRating.objects.bulk_create(ratings, batch_size=BATCH)
            RoshRating.objects.bulk_create(cells, batch_size=BATCH)
            AssessmentEvent.objects.bulk_create(events, batch_size=BATCH)
            TimelineEvent.objects.bulk_create(timeline, batch_size=BATCH)

    def _events(self, assessment: Assessment) -> list[AssessmentEvent]:
        return [
            AssessmentEvent(
                assessment=assessment,
                kind=AssessmentEventKind.STARTED,
                actor_id=assessment.assessor_id,
                occurred_at=assessment.created_at,
            ),
            AssessmentEvent(
                assessment=assessment,
                kind=AssessmentEventKind.SUBMITTED,
                actor_id=assessment.assessor_id,
                occurred_at=assessment.submitted_at or assessment.created_at,
            ),
            AssessmentEvent(
                assessment=assessment,
                kind=AssessmentEventKind.COUNTERSIGNED,
                actor_id=assessment.countersigned_by_id,
                occurred_at=assessment.completed_at or assessment.created_at,
            ),
        ]

    def persona_cases(self) -> None:
        """On the persona cases: labelled sections on the latest assessment."""
        personas = self.context.registry.get("personas", {})
        practitioner = personas.get("nsd.practitioner")
        if practitioner is None:
            return
        try:
            keyring_load()
        except Exception:  # noqa: BLE001 - no keyring: assessments without sections
            logger.warning("assessment sections not seeded: no keyring")
            return
        cases = [
            c
            for c, members in self.members.items()
            if any(m[0] == practitioner.pk for m in members)
        ]
        for case_id in cases:
            latest = (
                Assessment.objects.filter(case_id=case_id, status=AssessmentStatus.COMPLETED)
                .order_by("-completed_at")
                .first()
            )
            if latest is None or latest.assessor_id != practitioner.pk:
                continue
            with transaction.atomic():
                for given in (
                    SectionInput(
                        "OFFENDING",
                        "Synthetic: offending planned over months; online material shared.",
                        {"CURRENT_OFFENCE": "SIGNIFICANT", "PATTERN": "SOME"},
                    ),
                    SectionInput(
                        "RELATIONSHIPS",
                        "Synthetic SECRET-informed judgement: renewed contact with a former partner.",
                        {"INTIMATE_PARTNER": "SIGNIFICANT"},
                        Classification.SECRET,
                    ),
                ):
                    section_write(
                        practitioner,
                        latest,
                        self.instrument,
                        given.section_code,
                        given.notes,
                        given.factors,
                        given.classification,
                        [],
                        [],
                    )


def seed_assessments(context: Any) -> None:
    """Whole-risk assessments over the last 24 months on the seeded cases."""
    AssessmentSeeder(context).run()
