"""Seed step: 24 months of supervision contacts on every seeded case (synthetic).

Each open case with a lead practitioner gets contacts at about the cadence its phase calls for
(weekly on licence, fortnightly before release, monthly in custody and after licence), held by
its lead, mostly attended, with failed appointments answered by warnings, now and then a breach
and, rarely, a recall request (each with its reason). Realistic gaps: about one case in seven
has had no contact for five to eight weeks, so it is below its standard now, and a few have a
planned contact that was never recorded; most have their next appointment planned in the
coming fortnight. In the demo world the first case each persona leads is below standard, so
"Contacts due" and the nightly alerts have something to show.

Each case's standing is stored once the contacts are written (``supervision.standing_store``),
and again by the world's last step (``seed_standings``: the prison training and workforce
steps add contacts after this one), so the seeded world's lists read stored standings.

Notes are not seeded (they would have to be sealed one by one); the enforcement reasons are.
Rows are written with ``jointcase.seed.bulk.Table`` (no model instances), so the stress world's
contacts take a few minutes (above the demo, history older than a year is sampled at half
the cadence); timeline entries are written for every contact in the demo and for a
sample above it.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from jointcase.accounts.models import User
from jointcase.cases.models import Case, CaseRole, CaseTeamMember, TimelineEvent, TimelineKind
from jointcase.seed.bulk import Table
from jointcase.seed.context import SeedContext
from jointcase.supervision.models import (
    Contact,
    ContactKind,
    ContactOutcome,
    Enforcement,
)
from jointcase.supervision.standing_store import standings_store_all

BATCH = 5000
MONTHS = 24
TIMELINE_SAMPLE = 0.05
#: Share of cases with a recent gap (below standard now) and with a planned contact missed.
GAP_SHARE = 0.15
MISSED_PLAN_SHARE = 0.08
#: Days between contacts, by phase.
CADENCE = {
    "LICENCE": 7,
    "PRE_RELEASE": 14,
    "CUSTODY": 28,
    "RECALLED": 28,
    "POST_LICENCE": 28,
}
KINDS = {
    "LICENCE": (
        (ContactKind.OFFICE, 0.45),
        (ContactKind.HOME_VISIT, 0.25),
        (ContactKind.JOINT_POLICE_VISIT, 0.1),
        (ContactKind.APPROVED_PREMISES, 0.1),
        (ContactKind.POLYGRAPH, 0.04),
        (ContactKind.DDP_SESSION, 0.06),
    ),
    "CUSTODY": (
        (ContactKind.VIDEO, 0.5),
        (ContactKind.OTHER_AGENCY, 0.3),
        (ContactKind.TELEPHONE, 0.2),
    ),
    "POST_LICENCE": (
        (ContactKind.HOME_VISIT, 0.4),
        (ContactKind.JOINT_POLICE_VISIT, 0.3),
        (ContactKind.TELEPHONE, 0.3),
    ),
}
KINDS["PRE_RELEASE"] = KINDS["CUSTODY"]
KINDS["RECALLED"] = KINDS["CUSTODY"]
WARNING_REASONS = (
    "Failed to attend without an acceptable reason (synthetic).",
    "Second missed appointment this month; warned in writing (synthetic).",
)
BREACH_REASON = "Repeated failure to attend after a final warning (synthetic)."
RECALL_REASON = "Whereabouts unknown after missed appointments; risk escalating (synthetic)."


class ContactsSeeder:
    def __init__(self, context: SeedContext) -> None:
        self.context = context
        self.rng = context.rng
        self.today = context.today
        self.now = seed_now(context)
        self.start = self.today - dt.timedelta(days=MONTHS * 30)
        self.demo = context.scale.name == "demo"
        self.leads: dict[int, int] = {}
        for case_id, user_id in (
            CaseTeamMember.objects.filter(
                Q(end__isnull=True) | Q(end__gte=self.today),
                user__isnull=False,
                start__lte=self.today,
                role=CaseRole.LEAD_NSD_PRACTITIONER,
            )
            .order_by("case_id", "start", "pk")
            .values_list("case_id", "user_id")
            .iterator(chunk_size=20_000)
        ):
            self.leads.setdefault(case_id, user_id)
        self.agency_of = dict(
            User.objects.filter(pk__in=set(self.leads.values())).values_list("pk", "agency_id")
        )
        personas = context.registry.get("personas", {})
        self.persona_ids = {user.pk for user in personas.values()}
        self.persona_gap_given: set[int] = set()
        self.contacts = Table(Contact)
        self.timeline = Table(TimelineEvent)

    def _kind(self, phase: str) -> str:
        roll, total = self.rng.random(), 0.0
        for kind, share in KINDS.get(phase, KINDS["CUSTODY"]):
            total += share
            if roll < total:
                return str(kind)
        return str(ContactKind.OFFICE)

    def _at(self, day: dt.date) -> dt.datetime:
        return timezone.make_aware(
            dt.datetime.combine(day, dt.time(self.rng.choice((9, 10, 11, 14, 15, 16))))
        )

    def _outcome(self) -> tuple[str, str, str]:
        roll = self.rng.random()
        if roll < 0.88:
            return ContactOutcome.ATTENDED, Enforcement.NONE, ""
        if roll < 0.93:
            return ContactOutcome.ACCEPTABLE_ABSENCE, Enforcement.NONE, ""
        severity = self.rng.random()
        if severity < 0.03:
            return ContactOutcome.FAILED_TO_ATTEND, Enforcement.RECALL_REQUEST, RECALL_REASON
        if severity < 0.15:
            return ContactOutcome.FAILED_TO_ATTEND, Enforcement.BREACH, BREACH_REASON
        return (
            ContactOutcome.FAILED_TO_ATTEND,
            Enforcement.WARNING,
            self.rng.choice(WARNING_REASONS),
        )

    def add(
        self,
        case_id: int,
        holder: int,
        kind: str,
        *,
        planned: dt.datetime | None,
        occurred: dt.datetime | None,
        outcome: tuple[str, str, str] = ("", Enforcement.NONE, ""),
    ) -> None:
        agency = self.agency_of.get(holder)
        if agency is None:
            return
        result, enforcement, reason = outcome
        when = occurred or planned
        assert when is not None
        self.contacts(
            public_id=uuid.uuid4(),
            case_id=case_id,
            kind=kind,
            practitioner_id=holder,
            agency_id=agency,
            originator_id=agency,
            planned_for=planned,
            occurred_at=occurred,
            outcome=result,
            enforcement=enforcement,
            enforcement_reason=reason,
            recorded_by_id=holder if occurred else None,
            data_key_id=None,
            notes_ciphertext=None,
            cancelled_at=None,
            created_at=min(when, self.now),
            updated_at=min(when, self.now),
        )
        if self.demo or self.rng.random() < TIMELINE_SAMPLE:
            label = ContactKind(kind).label
            title = (
                f"{label}: {ContactOutcome(result).label.lower()}" if result else f"{label} planned"
            )
            if enforcement != Enforcement.NONE:
                title += f" ({Enforcement(enforcement).label.lower()})"
            self.timeline(
                case_id=case_id,
                occurred_at=when,
                agency_id=agency,
                kind=TimelineKind.CONTACT,
                title=title,
                actor_id=holder,
                created_at=min(when, self.now),
            )
        if len(self.contacts.rows) >= BATCH:
            self.flush()

    def _gap_days(self, holder: int) -> int:
        """Days since the last contact: a recent gap for some cases (below standard now)."""
        if holder in self.persona_ids and holder not in self.persona_gap_given:
            self.persona_gap_given.add(holder)
            return 45
        return self.rng.randint(36, 56) if self.rng.random() < GAP_SHARE else 0

    def case_history(self, case_id: int, phase: str, opened_at: dt.date) -> None:
        holder = self.leads[case_id]
        every = CADENCE.get(phase, 28)
        gap = self._gap_days(holder)
        last = self.today - dt.timedelta(days=max(gap, 1))
        day = max(self.start, opened_at) + dt.timedelta(days=self.rng.randint(0, every))
        while day <= last:
            at = self._at(day)
            if at < self.now:
                self.add(
                    case_id,
                    holder,
                    self._kind(phase),
                    planned=at,
                    occurred=at,
                    outcome=self._outcome(),
                )
            # Above the demo, the history older than a year is sampled at half the cadence
            # (the stress world's millions of rows stay quick to write).
            spacing = every if self.demo or (self.today - day).days <= 365 else 2 * every
            day += dt.timedelta(days=max(1, spacing + self.rng.randint(-2, 2)))
        if gap == 0 and self.rng.random() < MISSED_PLAN_SHARE:
            missed = self._at(self.today - dt.timedelta(days=self.rng.randint(1, 6)))
            self.add(case_id, holder, self._kind(phase), planned=missed, occurred=None)
        upcoming = self._at(self.today + dt.timedelta(days=self.rng.randint(1, 14)))
        self.add(case_id, holder, self._kind(phase), planned=upcoming, occurred=None)

    def flush(self) -> None:
        with connection.cursor() as cursor:
            self.contacts.flush(cursor)
            self.timeline.flush(cursor)

    def run(self) -> None:
        rows = list(
            Case.objects.filter(pk__in=list(self.leads))
            .exclude(phase="CLOSED")
            .order_by("pk")
            .values_list("pk", "phase", "opened_at")
        )
        for case_id, phase, opened_at in self.context.progress(
            rows, total=len(rows), desc="contacts"
        ):
            self.case_history(case_id, phase, opened_at)
        self.flush()
        if connection.vendor == "postgresql":  # the ids were allocated here
            statements = connection.ops.sequence_reset_sql(no_style(), [Contact, TimelineEvent])
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)


def seed_now(context: SeedContext) -> dt.datetime:
    """The seeded world's "now": the end of its day, or the real now when that is earlier."""
    return min(
        timezone.now(),
        timezone.make_aware(dt.datetime.combine(context.today, dt.time(23, 59))),
    )


def seed_contacts(context: SeedContext) -> None:
    ContactsSeeder(context).run()
    seed_standings(context)


def seed_standings(context: SeedContext) -> None:
    """Every case's contact standing stored, as of the seeded world's day."""
    standings_store_all(now=seed_now(context), today=context.today)
