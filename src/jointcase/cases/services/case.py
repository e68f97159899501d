"""Opening, editing, closing a case and recording its exit from NSD.

See ``jointcase.cases.services`` for what every case service does."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from jointcase.access.cases import (
    acts_on,
    case_open_refusal,
    case_write_refusal,
)
from jointcase.agencies.models import Agency
from jointcase.cases.models import (
    Case,
    CaseRole,
    CaseTeamMember,
    Cohort,
    ExitKind,
    Ideology,
    NsdExit,
    Phase,
    TimelineKind,
)
from jointcase.cases.phases import case_facts, phase_for
from jointcase.cases.services._common import (
    _audit,
    _case,
    _day_start,
    _person,
    _touch,
    timeline_add,
)
from jointcase.cases.services.phases import phase_reevaluate
from jointcase.cases.signals import case_details_changed, case_opened
from jointcase.lib.edits import choice_check, editable_update, jsonable

if TYPE_CHECKING:
    from jointcase.accounts.models import User
    from jointcase.people.models import Person


def reference_next() -> str:
    last = Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    candidate = last + 1
    while Case.objects.filter(reference=f"JC-{candidate:06d}").exists():
        candidate += 1
    return f"JC-{candidate:06d}"


@acts_on(case_open_refusal, _person, "case.case_open")
@transaction.atomic
def case_open(
    *,
    actor: User,
    person: Person,
    cohort: str,
    ideology: str,
    lead_agency: Agency,
    opened_at: dt.date | None = None,
    actor_role: str | None = None,
    reference: str | None = None,
    request: HttpRequest | None = None,
) -> Case:
    """Open a case. With ``actor_role``, the actor joins the case team in that role (otherwise
    whoever opens a case for someone else would lose sight of it at once)."""
    choice_check(cohort, Cohort, "cohort", "Choose a cohort from the list")
    choice_check(ideology, Ideology, "ideology", "Choose an ideology category from the list")
    opened = opened_at or timezone.localdate()
    if opened > timezone.localdate():
        raise ValidationError({"opened_at": "The case cannot be opened in the future"})
    if actor_role is not None:
        choice_check(actor_role, CaseRole, "actor_role", "Choose a case role from the list")
    case = Case.objects.create(
        person=person,
        reference=reference or reference_next(),
        cohort=cohort,
        ideology=ideology,
        lead_agency=lead_agency,
        opened_at=opened,
        created_by=actor,
        phase=Phase.POST_LICENCE,
    )
    new_phase = phase_for(case_facts(case), timezone.localdate())
    Case.objects.filter(pk=case.pk).update(phase=new_phase)
    case.phase = new_phase
    if actor_role is not None:
        CaseTeamMember.objects.create(
            case=case,
            user=actor,
            role=actor_role,
            agency_id=actor.agency_id or lead_agency.pk,
            start=opened,
        )
    timeline_add(
        case=case,
        kind=TimelineKind.CASE,
        title="Case opened",
        actor=actor,
        description=f"{Cohort(cohort).label}; lead agency {lead_agency.name}",
        occurred_at=_day_start(opened) if opened != timezone.localdate() else None,
    )
    _audit(
        "case.open",
        actor,
        case,
        request,
        person_id=person.pk,
        changes={
            "reference": [None, case.reference],
            "cohort": [None, cohort],
            "ideology": [None, ideology],
            "lead_agency": [None, lead_agency.code],
            "opened_at": [None, opened.isoformat()],
        },
    )
    case_opened.send(sender=Case, case=case)
    return case


CASE_EDITABLE = ("cohort", "ideology", "lead_agency")


@acts_on(case_write_refusal, _case, "case.case_update")
@transaction.atomic
def case_update(
    *,
    actor: User,
    case: Case,
    expected_version: int,
    request: HttpRequest | None = None,
    **changes: Any,
) -> Case:
    current, diff = editable_update(
        Case, case.pk, expected_version, changes, editable=CASE_EDITABLE, clean=_case_changes_clean
    )
    if diff:
        timeline_add(
            case=current,
            kind=TimelineKind.CASE,
            title="Case details changed",
            actor=actor,
            description=", ".join(sorted(diff)),
        )
        _audit("case.update", actor, current, request, changes=diff)
        case_details_changed.send(sender=Case, case=current, fields=sorted(diff))
    return current


def _case_changes_clean(changes: dict[str, Any]) -> None:
    if "cohort" in changes:
        choice_check(changes["cohort"], Cohort, "cohort", "Choose a cohort from the list")
    if "ideology" in changes:
        choice_check(
            changes["ideology"], Ideology, "ideology", "Choose an ideology category from the list"
        )


@acts_on(case_write_refusal, _case, "case.case_close")
@transaction.atomic
def case_close(
    *,
    actor: User,
    case: Case,
    closed_at: dt.date,
    reason: str,
    request: HttpRequest | None = None,
) -> Case:
    if closed_at < case.opened_at:
        raise ValidationError({"closed_at": "The case cannot close before it opened"})
    if closed_at > timezone.localdate():
        raise ValidationError({"closed_at": "The closing date cannot be in the future"})
    if not (reason or "").strip():
        raise ValidationError({"reason": "Enter why the case is closing"})
    before = case.closed_at
    Case.objects.filter(pk=case.pk).update(closed_at=closed_at)
    case.refresh_from_db()
    _touch(case)
    timeline_add(
        case=case, kind=TimelineKind.CASE, title="Case closed", actor=actor, description=reason
    )
    _audit(
        "case.close",
        actor,
        case,
        request,
        reason=reason,
        changes={"closed_at": [jsonable(before), closed_at.isoformat()]},
    )
    phase_reevaluate(case=case, actor=actor)
    return case


@acts_on(case_write_refusal, _case, "case.exit_record")
@transaction.atomic
def exit_record(
    *,
    actor: User,
    case: Case,
    exited_on: dt.date,
    to_agency: Agency,
    onward_plan: str,
    kind: str = ExitKind.HANDOVER,
    request: HttpRequest | None = None,
) -> NsdExit:
    """The case leaves NSD management: handover to another agency with the onward plan."""
    choice_check(kind, ExitKind, "kind", "Choose exit or handover")
    errors: dict[str, str] = {}
    if not (onward_plan or "").strip():
        errors["onward_plan"] = "Enter the onward plan"
    if exited_on < case.opened_at:
        errors["exited_on"] = "The exit date must be on or after the case opened"
    if errors:
        raise ValidationError(errors)
    record = NsdExit.objects.create(
        case=case,
        kind=kind,
        exited_on=exited_on,
        to_agency=to_agency,
        onward_plan=onward_plan.strip(),
        recorded_by=actor,
    )
    before = case.lead_agency.code
    Case.objects.filter(pk=case.pk).update(lead_agency=to_agency)
    case.refresh_from_db()
    _touch(case)
    timeline_add(
        case=case,
        kind=TimelineKind.EXIT,
        actor=actor,
        title=f"{ExitKind(kind).label} to {to_agency.name}",
        description=onward_plan,
        occurred_at=_day_start(exited_on),
    )
    _audit(
        "case.exit_record",
        actor,
        case,
        request,
        exit_id=record.pk,
        changes={
            "lead_agency": [before, to_agency.code],
            "exited_on": [None, exited_on.isoformat()],
        },
    )
    return record
