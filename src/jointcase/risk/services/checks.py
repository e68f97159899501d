"""Raising required checks: the rules of ``risk/data/rules`` applied to one event on one case.

``checks_raise`` is called in the transaction of the event itself (a team member added, a
phase entered, a change of circumstance recorded, an address added to the register; see
``risk.triggers``), so the checks an event calls for exist as soon as the event does, or
neither does. The nightly run (``risk.services.checks_nightly``) raises the date-driven ones.

Every check is keyed by (case, rule, occurrence) under a unique constraint: ``occurrence``
names the one event (``allocation:<member>``, ``phase:<phase>:<when>``, ``change:<id>``,
``address:<id>``, ``release:<date>``, ``periodic:<date>``), so an event seen twice (a retried
request, the nightly run repeated, two workers at once) raises nothing new. The deadline is
the rule's number of working days (England and Wales) after the event.

Each raised check gets a timeline entry on its case, and the event one audit entry listing
the checks it raised (actor: whoever caused the event, or the system).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from jointcase.access.policy import current_q
from jointcase.agencies.models import TeamMembership
from jointcase.audit.services import audit_record
from jointcase.cases.models import Case, CaseTeamMember, TimelineEvent, TimelineKind
from jointcase.lib.working_days import add_working_days
from jointcase.risk.check_rules import RuleSet, RuleSpec, rules_current
from jointcase.risk.models.checks import (
    ChangeOfCircumstance,
    RequiredCheck,
    TriggerKind,
)

if TYPE_CHECKING:
    from jointcase.accounts.models import User


@dataclass(frozen=True)
class Occurrence:
    """One event a rule may fire on: what happened, to which case, when, and its key."""

    kind: str
    key: str
    on: dt.date
    phase: str = ""
    change_kind: str = ""
    role: str = ""


def rule_matches(rule: RuleSpec, event: Occurrence, *, cohort: str, phase: str) -> bool:
    """Does ``rule`` fire on ``event`` for a case of ``cohort`` now in ``phase``? (Pure.)"""
    trigger = rule.trigger
    if trigger.kind != event.kind or not rule.applies_to(cohort, phase):
        return False
    if trigger.kind == TriggerKind.ALLOCATION:
        return event.role == trigger.role
    if trigger.kind == TriggerKind.PHASE_ENTERED:
        return event.phase == trigger.phase
    if trigger.kind == TriggerKind.CHANGE_OF_CIRCUMSTANCE:
        return event.change_kind in trigger.changes
    return True


def due_date_for(rule: RuleSpec, on: dt.date) -> dt.date:
    """The deadline: the rule's working days after the day of the event."""
    return add_working_days(on, rule.deadline_working_days)


def responsible_teams(
    case_ids: list[int], today: dt.date, roles: set[str] | None = None
) -> dict[tuple[int, str], int]:
    """(case, role) -> the team that holds the role now (a team row's team, else the first
    current team of the person holding it): the "team" of the compliance figures. One query."""
    first_team = (
        TeamMembership.objects.filter(current_q(today), user_id=OuterRef("user_id"))
        .order_by("start", "pk")
        .values("team_id")[:1]
    )
    rows = CaseTeamMember.objects.filter(current_q(today), case_id__in=case_ids)
    if roles is not None:
        rows = rows.filter(role__in=sorted(roles))
    teams: dict[tuple[int, str], int] = {}
    for case_id, role, team_id, user_team in (
        rows.annotate(user_team=Subquery(first_team))
        .order_by("start", "pk")
        .values_list("case_id", "role", "team_id", "user_team")
    ):
        found = team_id if team_id is not None else user_team
        if found is not None:
            teams.setdefault((case_id, role), found)
    return teams


def check_new(
    *,
    case_id: int,
    region_id: int | None,
    rule: RuleSpec,
    rules: RuleSet,
    event: Occurrence,
    phase: str,
    team_id: int | None,
    change: ChangeOfCircumstance | None = None,
) -> RequiredCheck:
    """The (unsaved) check ``rule`` raises for ``event`` on a case."""
    due = due_date_for(rule, event.on)
    return RequiredCheck(
        case_id=case_id,
        check_type=rule.check_type,
        rule_code=rule.code,
        rules_version=rules.version,
        trigger=event.kind,
        occurrence=event.key[:120],
        change=change,
        responsible_role=rule.responsible_role,
        phase=phase,
        team_id=team_id,
        region_id=region_id,
        triggered_on=event.on,
        due_on=due,
        original_due_on=due,
    )


def timeline_entry(check: RequiredCheck, rules: RuleSet, actor: User | None) -> TimelineEvent:
    return TimelineEvent(
        case_id=check.case_id,
        kind=TimelineKind.CHECK,
        title=f"{rules.label_of(check.check_type)} required"[:200],
        description=f"Due by {check.due_on:%d %B %Y} ({check.get_trigger_display().lower()}).",
        actor=actor,
        agency_id=actor.agency_id if actor is not None else check.region_id,
    )


def checks_audit(
    *, case_id: int | None, checks: list[RequiredCheck], event_key: str, actor: User | None
) -> None:
    if not checks:
        return
    audit_record(
        action="check.raise",
        actor=actor,
        object_type="case" if case_id is not None else "checks",
        object_id=case_id if case_id is not None else "nightly",
        details={
            "event": event_key,
            "checks": [str(check.public_id) for check in checks],
            "rules": sorted({check.rule_code for check in checks}),
        },
        actor_username="" if actor is not None else "system",
    )


def checks_insert_once(checks: list[RequiredCheck]) -> list[RequiredCheck]:
    """Insert ``checks`` (one statement); if a concurrent run inserted some meanwhile, insert
    the rest one by one, skipping those (the unique key keeps one per occurrence)."""
    try:
        with transaction.atomic():
            return RequiredCheck.objects.bulk_create(checks)
    except IntegrityError:
        raised = []
        for check in checks:
            try:
                with transaction.atomic():
                    check.pk = None
                    check.save()
            except IntegrityError:
                continue
            raised.append(check)
        return raised


def checks_raise(
    *,
    case: Case,
    event: Occurrence,
    actor: User | None = None,
    change: ChangeOfCircumstance | None = None,
    rules: RuleSet | None = None,
) -> list[RequiredCheck]:
    """Raise every check the rules call for on ``event``; returns the checks raised now
    (none for an event already seen). Runs in the caller's transaction."""
    rules = rules or rules_current()
    # The case as the caller holds it: fresh from the database, or just moved to its new
    # phase by ``phase_reevaluate`` (which sets ``case.phase`` before it signals).
    phase = case.phase
    wanted = [
        rule
        for rule in rules.rules_for(event.kind)
        if rule_matches(rule, event, cohort=case.cohort, phase=phase)
    ]
    if not wanted:
        return []
    # No look-up first: the unique key (case, rule, occurrence) refuses an event seen before,
    # and ``checks_insert_once`` then keeps only what is new.
    teams = responsible_teams(
        [case.pk], timezone.localdate(), {rule.responsible_role for rule in wanted}
    )
    fresh = [
        check_new(
            case_id=case.pk,
            region_id=case.lead_agency_id,
            rule=rule,
            rules=rules,
            event=event,
            phase=phase,
            team_id=teams.get((case.pk, rule.responsible_role)),
            change=change,
        )
        for rule in wanted
    ]
    raised = checks_insert_once(fresh)
    TimelineEvent.objects.bulk_create(timeline_entry(check, rules, actor) for check in raised)
    checks_audit(case_id=case.pk, checks=raised, event_key=event.key, actor=actor)
    return raised
