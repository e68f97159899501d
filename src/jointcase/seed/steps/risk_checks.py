"""Seed step: 24 months of required checks on every seeded case (synthetic, from the rules).

Each case with a lead practitioner gets, over the last 24 months, pairs of police domestic
abuse and children's social care checks (at allocation, before release, on changes of
circumstance), half-yearly MAPPA level reviews, and, in custody, the POM's assessment review.
In the demo world the first 12 months are completed on time about as often as the inspection
found (49% of domestic abuse checks, 55% of safeguarding checks) and the last 12 months close
to 100%, so the compliance page shows the improvement; late checks were completed late, and
only the last weeks hold undone, overdue ones. Every persona on a case team has at least one
check of their own due soon, and the lead practitioner persona one overdue. Rows are written with ``jointcase.seed.bulk.Table`` (no model
instances), so the stress world's checks take minutes; history and timeline entries are
written for every check in the demo and for a sample above it.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import Any

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from jointcase.agencies.models import TeamMembership
from jointcase.cases.models import Case, CaseRole, CaseTeamMember, TimelineEvent, TimelineKind
from jointcase.lib.working_days import add_working_days
from jointcase.risk.check_rules import RuleSet, rules_current
from jointcase.risk.models.checks import (
    CheckEvent,
    CheckEventKind,
    CheckOutcome,
    CheckStatus,
    RequiredCheck,
)
from jointcase.seed.bulk import Table
from jointcase.seed.context import SeedContext

logger = logging.getLogger(__name__)
BATCH = 5000
MONTHS = 24
HISTORY_SAMPLE = 0.05
#: A check missed within this many days may still be undone (the rest were done late).
RECENT_UNDONE_DAYS = 45
#: How many working days the lead practitioner persona's undone check is overdue.
OVERDUE_WORKING_DAYS = 3
#: On-time rates by family: the inspection's baselines in the first year, then the new practice.
BASELINE = {"DOMESTIC_ABUSE": 0.49, "SAFEGUARDING": 0.55}
BASELINE_OTHER = 0.7
IMPROVED = 0.97
#: (rule code, days between occurrences) of the case's recurring history.
STREAMS = (
    (("DA_ON_CHANGE", "CSC_ON_CHANGE"), 240),
    (("MAPPA_REVIEW_HALF_YEARLY",), 182),
)
OUTCOMES = (
    (CheckOutcome.NO_TRACE, 0.6),
    (CheckOutcome.DISCLOSED, 0.35),
    (CheckOutcome.REFUSED, 0.05),
)


class ChecksSeeder:
    def __init__(self, context: SeedContext) -> None:
        self.context = context
        self.rng = context.rng
        self.today = context.today
        self.start = self.today - dt.timedelta(days=MONTHS * 30)
        self.demo = context.scale.name == "demo"
        self.rules: RuleSet = rules_current()
        self.by_code = {rule.code: rule for rule in self.rules.rules}
        self.now = timezone.now()
        rows = CaseTeamMember.objects.filter(
            Q(end__isnull=True) | Q(end__gte=self.today), user__isnull=False, start__lte=self.today
        ).values_list("case_id", "role", "user_id")
        self.holders: dict[int, dict[str, int]] = {}
        for case_id, role, user_id in rows.iterator(chunk_size=20_000):
            self.holders.setdefault(case_id, {}).setdefault(role, user_id)
        self.team_of: dict[int, int] = {}
        for user_id, team_id in TeamMembership.objects.order_by("start", "pk").values_list(
            "user_id", "team_id"
        ):
            self.team_of.setdefault(user_id, team_id)
        personas = context.registry.get("personas", {})
        self.persona_ids = {user.pk for user in personas.values()}
        self.checks = Table(RequiredCheck)
        self.events = Table(CheckEvent)
        self.timeline = Table(TimelineEvent)

    def on_time_rate(self, family: str, day: dt.date) -> float:
        if (self.today - day).days > 365:
            return BASELINE.get(family, BASELINE_OTHER)
        return IMPROVED

    def outcome(self) -> str:
        roll, total = self.rng.random(), 0.0
        for outcome, share in OUTCOMES:
            total += share
            if roll < total:
                return outcome
        return CheckOutcome.NO_TRACE

    def add(
        self,
        case: tuple[Any, ...],
        rule_code: str,
        on: dt.date,
        key: str,
        *,
        force_open: bool = False,
    ) -> None:
        case_id, phase, region_id = case
        rule = self.by_code[rule_code]
        holder = self.holders.get(case_id, {}).get(rule.responsible_role)
        due = add_working_days(on, rule.deadline_working_days)
        family = self.rules.family_of(rule.check_type)
        done_on: dt.date | None = None
        if not force_open:
            if self.rng.random() < self.on_time_rate(family, due):
                done_on = due - dt.timedelta(days=self.rng.randint(0, max(0, (due - on).days)))
            elif (self.today - due).days < RECENT_UNDONE_DAYS and self.rng.random() < 0.6:
                done_on = None  # recently missed: still undone, overdue, escalating
            else:
                done_on = due + dt.timedelta(days=self.rng.randint(3, 45))
            if done_on is not None and done_on > self.today:
                done_on = None  # late and not yet done: open and overdue
        completed = done_on is not None
        check_id = self.checks(
            public_id=uuid.uuid4(),
            case_id=case_id,
            check_type=rule.check_type,
            rule_code=rule.code,
            rules_version=self.rules.version,
            trigger=rule.trigger.kind,
            occurrence=key,
            responsible_role=rule.responsible_role,
            phase=phase,
            team_id=self.team_of.get(holder) if holder else None,
            region_id=region_id,
            triggered_on=on,
            due_on=due,
            original_due_on=due,
            status=CheckStatus.COMPLETED if completed else CheckStatus.OPEN,
            requested_on=on if completed else None,
            sent_to=self.rules.check_types[rule.check_type].sent_to if completed else "",
            received_on=done_on,
            outcome=self.outcome() if completed else "",
            completed_on=done_on,
            completed_at=timezone.make_aware(dt.datetime.combine(done_on, dt.time(15)))
            if done_on
            else None,
            completed_by_id=holder if completed else None,
            escalation_level=0,
            created_at=timezone.make_aware(dt.datetime.combine(on, dt.time(9))),
        )
        if self.demo or self.rng.random() < HISTORY_SAMPLE:
            self.history(check_id, case_id, rule.check_type, on, due, done_on, holder)
        if len(self.checks.rows) >= BATCH:
            self.flush()

    def history(
        self,
        check_id: int,
        case_id: int,
        check_type: str,
        on: dt.date,
        due: dt.date,
        done_on: dt.date | None,
        holder: int | None,
    ) -> None:
        label = self.rules.label_of(check_type)
        at = timezone.make_aware(dt.datetime.combine(on, dt.time(9)))
        self.events(check_obj_id=check_id, at=at, kind=CheckEventKind.CREATED, to_value="seed")
        self.timeline(
            case_id=case_id,
            occurred_at=at,
            kind=TimelineKind.CHECK,
            title=f"{label} required",
            description=f"Due by {due:%d %B %Y}.",
            created_at=at,
        )
        if done_on is not None:
            done_at = timezone.make_aware(dt.datetime.combine(done_on, dt.time(15)))
            self.events(
                check_obj_id=check_id, at=done_at, actor_id=holder, kind=CheckEventKind.COMPLETED
            )
            self.timeline(
                case_id=case_id,
                occurred_at=done_at,
                kind=TimelineKind.CHECK,
                title=f"{label} completed",
                actor_id=holder,
                created_at=done_at,
                description=f"Due {due:%d %B %Y}, completed {done_on:%d %B %Y}.",
            )

    def case_history(self, case: tuple[Any, ...], opened_at: dt.date) -> None:
        phase = case[1]
        begin = max(self.start, opened_at)
        if begin == opened_at:
            for code in ("DA_AT_ALLOCATION", "CSC_AT_ALLOCATION"):
                self.add(case, code, opened_at, f"seed-allocation:{opened_at.isoformat()}")
        for codes, every in STREAMS:
            day = begin + dt.timedelta(days=self.rng.randint(10, every))
            while day <= self.today - dt.timedelta(days=5):
                for code in codes:
                    self.add(case, code, day, f"seed:{day.isoformat()}")
                day += dt.timedelta(days=every + self.rng.randint(-20, 20))
        if phase in ("PRE_RELEASE",):
            day = self.today - dt.timedelta(days=self.rng.randint(5, 60))
            for code in ("DA_PRE_RELEASE", "CSC_PRE_RELEASE"):
                self.add(case, code, day, f"seed-phase:{day.isoformat()}")

    def persona_due(self, case: tuple[Any, ...]) -> None:
        """One check due soon for each persona who holds a responsible role on this case, and
        for the lead practitioner one already overdue and undone.

        The overdue one is placed, not left to chance: with the last year's on-time rate near
        100% a random miss in the last weeks may not happen at all, and the demo must show an
        overdue check for the nightly run to escalate and for the compliance figure to count.
        """
        held = self.holders.get(case[0], {})
        day = self.today - dt.timedelta(days=2)
        for role, code in (
            (CaseRole.LEAD_NSD_PRACTITIONER, "DA_ON_CHANGE"),
            (CaseRole.CTNM_OFFICER, "NOTIFICATION_AT_RELEASE"),
            (CaseRole.POM, "CUSTODY_ASSESSMENT_REVIEW_HALF_YEARLY"),
        ):
            if held.get(role) in self.persona_ids:
                self.add(case, code, day, f"seed-due:{day.isoformat()}", force_open=True)
        if held.get(CaseRole.LEAD_NSD_PRACTITIONER) in self.persona_ids:
            rule = self.by_code["CSC_ON_CHANGE"]
            late = add_working_days(
                self.today, -(rule.deadline_working_days + OVERDUE_WORKING_DAYS)
            )
            self.add(case, rule.code, late, f"seed-overdue:{late.isoformat()}", force_open=True)

    def flush(self) -> None:
        with connection.cursor() as cursor:
            self.checks.flush(cursor)
            self.events.flush(cursor)
            self.timeline.flush(cursor)

    def run(self) -> None:
        rows = list(
            Case.objects.filter(pk__in=list(self.holders))
            .order_by("pk")
            .values_list("pk", "phase", "lead_agency_id", "opened_at")
        )
        for case_id, phase, region_id, opened_at in self.context.progress(
            rows, total=len(rows), desc="checks"
        ):
            case = (case_id, phase, region_id)
            if phase != "CLOSED":
                self.case_history(case, opened_at)
                self.persona_due(case)
        self.flush()
        if connection.vendor == "postgresql":  # the ids were allocated here
            statements = connection.ops.sequence_reset_sql(
                no_style(), [RequiredCheck, CheckEvent, TimelineEvent]
            )
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)


def seed_checks(context: SeedContext) -> None:
    ChecksSeeder(context).run()
