"""The nightly run of the required checks: the date-driven triggers, then reminders and
escalation of overdue checks (like agreed actions, ``meetings.escalation``).

Date-driven triggers, for every open case (facts read in bulk, a thousand cases at a time):
- BEFORE_RELEASE: from ``days`` before the expected release until the release, keyed by the
  release date (a new release date is a new occurrence);
- PERIODIC: every ``every_months`` months from the case's opening, keyed by the date the period
  began, raised within ``CATCH_UP_DAYS`` of it (a missed night is caught up; a case recorded
  years after it opened does not get every past period at once).
A check's dates follow from the event, not from the night it is seen, and the unique key
(case, rule, occurrence) means a second run, or two at once, raises nothing new.

Escalation, on working days only: due within ``DUE_SOON`` working days -> remind whoever holds
the responsible role; overdue by ``MANAGER`` working days -> their line managers; by ``MANAGER``
+ ``SENIOR`` -> the case's senior leads. Each notice is a ``CheckEvent`` keyed by stage and due
date under a unique constraint, so it is sent once; a moved due date starts afresh. Notices
carry a fixed sentence and a link only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from jointcase.access.checks import check_senior_ids
from jointcase.access.policy import case_decision, current_q
from jointcase.accounts.models import User
from jointcase.agencies.models import TeamMembership
from jointcase.audit.services import audit_record
from jointcase.cases.dates import add_months
from jointcase.cases.models import Case, CaseTeamMember, Phase, TimelineEvent
from jointcase.cases.phases import CaseFacts, case_facts_bulk
from jointcase.lib.working_days import working_days_between
from jointcase.meetings.escalation import (
    DUE_SOON,
    MANAGER,
    SENIOR,
    Thresholds,
    escalate_due,
)
from jointcase.notifications.services import notify
from jointcase.risk.check_rules import RuleSet, RuleSpec, rules_current
from jointcase.risk.models.checks import (
    CheckEvent,
    CheckEventKind,
    CheckStatus,
    RequiredCheck,
    TriggerKind,
)
from jointcase.risk.services.checks import (
    Occurrence,
    check_new,
    checks_audit,
    checks_insert_once,
    responsible_teams,
    rule_matches,
    timeline_entry,
)
from jointcase.risk.signals import check_due

#: How long after a period begins the nightly run still raises its check.
CATCH_UP_DAYS = 7
NIGHTLY_KINDS = (TriggerKind.BEFORE_RELEASE, TriggerKind.PERIODIC)


@dataclass(frozen=True)
class NightlyCase:
    pk: int
    cohort: str
    phase: str
    opened_at: dt.date
    region_id: int | None
    facts: CaseFacts | None


def release_occurrence(
    rule: RuleSpec, facts: CaseFacts | None, today: dt.date
) -> Occurrence | None:
    """The BEFORE_RELEASE event on ``today``, if the case is within ``days`` of release."""
    if facts is None or facts.expected_release is None:
        return None
    release = facts.expected_release
    if facts.released_on is not None and facts.released_on <= today:
        return None
    start = release - dt.timedelta(days=rule.trigger.days)
    if not start <= today <= release:
        return None
    return Occurrence(
        kind=TriggerKind.BEFORE_RELEASE, key=f"release:{release.isoformat()}", on=start
    )


def periodic_occurrence(rule: RuleSpec, opened_at: dt.date, today: dt.date) -> Occurrence | None:
    """The PERIODIC event on ``today``: the latest period start (after the first) within
    ``CATCH_UP_DAYS``."""
    months = rule.trigger.every_months
    elapsed = (today.year - opened_at.year) * 12 + (today.month - opened_at.month)
    count = elapsed // months
    while count >= 1:
        anchor = add_months(opened_at, count * months)
        if anchor <= today:
            if (today - anchor).days > CATCH_UP_DAYS:
                return None
            return Occurrence(
                kind=TriggerKind.PERIODIC, key=f"periodic:{anchor.isoformat()}", on=anchor
            )
        count -= 1
    return None


def _occurrence(rule: RuleSpec, case: NightlyCase, today: dt.date) -> Occurrence | None:
    if rule.trigger.kind == TriggerKind.BEFORE_RELEASE:
        return release_occurrence(rule, case.facts, today)
    return periodic_occurrence(rule, case.opened_at, today)


def _wanted(
    cases: list[NightlyCase], rules: tuple[RuleSpec, ...], today: dt.date
) -> list[tuple[NightlyCase, RuleSpec, Occurrence]]:
    wanted = []
    for case in cases:
        for rule in rules:
            if not rule.applies_to(case.cohort, case.phase):
                continue
            event = _occurrence(rule, case, today)
            if event is not None and rule_matches(
                rule, event, cohort=case.cohort, phase=case.phase
            ):
                wanted.append((case, rule, event))
    return wanted


def _raise_batch(
    wanted: list[tuple[NightlyCase, RuleSpec, Occurrence]], rules: RuleSet, today: dt.date
) -> list[RequiredCheck]:
    if not wanted:
        return []
    case_ids = sorted({case.pk for case, _, _ in wanted})
    seen = set(
        RequiredCheck.objects.filter(
            case_id__in=case_ids,
            rule_code__in={rule.code for _, rule, _ in wanted},
            occurrence__in={event.key for _, _, event in wanted},
        ).values_list("case_id", "rule_code", "occurrence")
    )
    fresh = [(c, r, e) for c, r, e in wanted if (c.pk, r.code, e.key) not in seen]
    if not fresh:
        return []
    teams = responsible_teams(sorted({c.pk for c, _, _ in fresh}), today)
    checks = [
        check_new(
            case_id=case.pk,
            region_id=case.region_id,
            rule=rule,
            rules=rules,
            event=event,
            phase=case.phase,
            team_id=teams.get((case.pk, rule.responsible_role)),
        )
        for case, rule, event in fresh
    ]
    with transaction.atomic():
        raised = checks_insert_once(checks)
        TimelineEvent.objects.bulk_create(timeline_entry(c, rules, None) for c in raised)
        checks_audit(case_id=None, checks=raised, event_key="nightly", actor=None)
    return raised


def checks_evaluate(
    *, today: dt.date | None = None, rules: RuleSet | None = None, batch_size: int = 2000
) -> int:
    """Raise the date-driven checks due on ``today`` for every open case; returns how many."""
    today = today or timezone.localdate()
    rules = rules or rules_current()
    nightly = tuple(r for r in rules.rules if r.trigger.kind in NIGHTLY_KINDS)
    if not nightly:
        return 0
    needs_facts = any(r.trigger.kind == TriggerKind.BEFORE_RELEASE for r in nightly)
    rows = list(
        Case.objects.exclude(phase=Phase.CLOSED)
        .order_by("pk")
        .values_list("pk", "cohort", "phase", "opened_at", "lead_agency_id")
    )
    raised = 0
    for start in range(0, len(rows), batch_size):
        chunk = rows[start : start + batch_size]
        facts = case_facts_bulk([row[0] for row in chunk]) if needs_facts else {}
        cases = [
            NightlyCase(pk, cohort, phase, opened_at, region, facts.get(pk))
            for pk, cohort, phase, opened_at, region in chunk
        ]
        raised += len(_raise_batch(_wanted(cases, nightly, today), rules, today))
    return raised


# --- Reminders and escalation -----------------------------------------------------------------

_TEXT = {
    DUE_SOON: "A required check you are responsible for is due soon",
    MANAGER: "A required check held by someone you manage is overdue",
    SENIOR: "A required check on a case you oversee is still overdue",
}


def check_link(check: RequiredCheck) -> str:
    return reverse("risk:case-checks", args=[check.case.public_id])


def responsible_people(check: RequiredCheck, today: dt.date) -> list[User]:
    """Whoever holds the check's responsible role on its case today (in person or by team)."""
    rows = CaseTeamMember.objects.filter(
        current_q(today), case_id=check.case_id, role=check.responsible_role
    )
    direct = rows.filter(user__isnull=False).values("user_id")
    by_team = TeamMembership.objects.filter(
        current_q(today), team_id__in=rows.filter(team__isnull=False).values("team_id")
    ).values("user_id")
    return list(User.objects.filter(Q(pk__in=direct) | Q(pk__in=by_team)).order_by("pk"))


def _recipients(check: RequiredCheck, stage: str, today: dt.date) -> list[User]:
    holders = responsible_people(check, today)
    if stage == DUE_SOON:
        people = holders
    elif stage == MANAGER:
        people = [u.line_manager for u in holders if u.line_manager is not None]
    else:
        people = list(User.objects.filter(pk__in=check_senior_ids(check, today)))
    # Never tell someone who may not see the case (the link would be a dead end).
    return [u for u in people if u.is_active and case_decision(u, check.case_id).allowed]


def _notify(check: RequiredCheck, stage: str, today: dt.date) -> int:
    key = f"{stage}:{check.due_on.isoformat()}"
    try:
        with transaction.atomic():
            CheckEvent.objects.create(
                check_obj=check,
                kind=CheckEventKind.REMINDED if stage == DUE_SOON else CheckEventKind.ESCALATED,
                to_value=key,
            )
            level = {DUE_SOON: 0, MANAGER: 1, SENIOR: 2}[stage]
            if level > check.escalation_level:
                RequiredCheck.objects.filter(pk=check.pk).update(escalation_level=level)
                check.escalation_level = level
            notices = notify(
                recipients=_recipients(check, stage, today),
                text=_TEXT[stage],
                link=check_link(check),
            )
            if stage == DUE_SOON:
                check_due.send(sender=RequiredCheck, check=check)
            audit_record(
                action=f"check.{'remind' if stage == DUE_SOON else 'escalate'}",
                object_type="check",
                object_id=check.pk,
                details={"stage": stage, "recipients": [n.recipient.pk for n in notices]},
                actor_username="system",
            )
    except IntegrityError:
        return 0  # already sent
    return 1


def _check_candidates(
    today: dt.date, horizon: dt.date, overdue_before: dt.date
) -> QuerySet[RequiredCheck]:
    return (
        RequiredCheck.objects.filter(status=CheckStatus.OPEN)
        .filter(Q(due_on__gte=today, due_on__lte=horizon) | Q(due_on__lte=overdue_before))
        .select_related("case")
        .order_by("pk")
    )


def _check_sent_keys(check: RequiredCheck) -> set[str]:
    return set(
        CheckEvent.objects.filter(
            check_obj=check, kind__in=[CheckEventKind.REMINDED, CheckEventKind.ESCALATED]
        ).values_list("to_value", flat=True)
    )


def checks_escalate(*, today: dt.date | None = None, thresholds: Thresholds | None = None) -> int:
    """Send the reminders and escalations of checks due on ``today``; returns how many."""
    return escalate_due(
        today=today,
        thresholds=thresholds,
        candidates=_check_candidates,
        due_of=lambda check: check.due_on,
        sent_keys=_check_sent_keys,
        send=_notify,
    )


def overdue_working_days(check: RequiredCheck, today: dt.date) -> int:
    """How many working days an open check is overdue (0 when not)."""
    if check.status != CheckStatus.OPEN or check.due_on >= today:
        return 0
    return working_days_between(check.due_on, today)


def checks_nightly(*, today: dt.date | None = None) -> dict[str, int]:
    """The whole nightly run: raise date-driven checks, then remind and escalate."""
    today = today or timezone.localdate()
    return {"raised": checks_evaluate(today=today), "notices": checks_escalate(today=today)}


# --- Preview of a changed rules file ------------------------------------------------------------


@dataclass(frozen=True)
class RulePreview:
    code: str
    #: "new", "changed", "unchanged" against the rules in force, or "removed".
    change: str
    check_type: str
    trigger: str
    #: Open cases the rule covers today (cohort and phase).
    cases_in_scope: int
    #: Checks the nightly run would raise today under this rule (date-driven rules only).
    would_raise_today: int


def checks_preview(rules: RuleSet, *, today: dt.date | None = None) -> list[RulePreview]:
    """What ``rules`` would do on today's data, compared with the rules in force; writes
    nothing (``jointcase checks preview RULES_FILE``)."""
    today = today or timezone.localdate()
    current = {rule.code: rule for rule in rules_current().rules}
    rows = list(
        Case.objects.exclude(phase=Phase.CLOSED)
        .order_by("pk")
        .values_list("pk", "cohort", "phase", "opened_at", "lead_agency_id")
    )
    facts = case_facts_bulk([row[0] for row in rows]) if rows else {}
    cases = [NightlyCase(pk, c, p, o, r, facts.get(pk)) for pk, c, p, o, r in rows]
    previews = []
    for rule in rules.rules:
        old = current.get(rule.code)
        change = "new" if old is None else "unchanged" if _same(old, rule) else "changed"
        in_scope = sum(1 for case in cases if rule.applies_to(case.cohort, case.phase))
        raise_today = 0
        if rule.trigger.kind in NIGHTLY_KINDS:
            wanted = _wanted(cases, (rule,), today)
            existing = set(
                RequiredCheck.objects.filter(
                    rule_code=rule.code, occurrence__in={e.key for _, _, e in wanted}
                ).values_list("case_id", "occurrence")
            )
            raise_today = sum(1 for c, _, e in wanted if (c.pk, e.key) not in existing)
        previews.append(
            RulePreview(
                rule.code, change, rule.check_type, rule.trigger.kind, in_scope, raise_today
            )
        )
    kept = {rule.code for rule in rules.rules}
    previews += [
        RulePreview(code, "removed", old.check_type, old.trigger.kind, 0, 0)
        for code, old in current.items()
        if code not in kept
    ]
    return previews


def _same(one: RuleSpec, other: RuleSpec) -> bool:
    return {k: v for k, v in vars(one).items() if k != "line"} == {
        k: v for k, v in vars(other).items() if k != "line"
    }
