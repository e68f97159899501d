"""The case phase, re-evaluated from the case facts (``case_phase_changed`` when it moves).

See ``jointcase.cases.services`` for what every case service does."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from jointcase.cases.models import (
    Case,
    Phase,
    TimelineKind,
)
from jointcase.cases.phases import case_facts, case_facts_bulk, phase_for
from jointcase.cases.services._common import (
    _audit,
    timeline_add,
)
from jointcase.cases.signals import case_phase_changed

if TYPE_CHECKING:
    from jointcase.accounts.models import User


@transaction.atomic
def phase_reevaluate(
    *, case: Case, today: dt.date | None = None, actor: User | None = None
) -> bool:
    """Bring the case's phase in line with its facts. On a change: save, timeline event, audit
    entry and the ``case_phase_changed`` signal. Returns whether the phase changed."""
    day = today or timezone.localdate()
    new = phase_for(case_facts(case), day)
    old = Case.objects.filter(pk=case.pk).values_list("phase", flat=True).get()
    if new == old:
        case.phase = old
        return False
    Case.objects.filter(pk=case.pk).update(phase=new, phase_changed_at=timezone.now())
    case.phase = new
    timeline_add(
        case=case,
        kind=TimelineKind.PHASE,
        actor=actor,
        agency=case.lead_agency if actor is None else None,
        title=f"Phase changed from {Phase(old).label} to {Phase(new).label}",
    )
    _audit("case.phase_change", actor, case, changes={"phase": [old, new]})
    case_phase_changed.send(sender=Case, case=case, old=old, new=new)
    return True


def phases_reevaluate_all(*, today: dt.date | None = None, batch_size: int = 1000) -> int:
    """Re-evaluate every open case (the daily task). Facts are read in bulk; only cases whose
    phase changes are written (each in its own transaction, with timeline, audit and signal).
    Returns how many changed."""
    day = today or timezone.localdate()
    changed = 0
    ids = list(Case.objects.exclude(phase=Phase.CLOSED).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch_size):
        chunk = ids[start : start + batch_size]
        facts = case_facts_bulk(chunk)
        phases = dict(Case.objects.filter(pk__in=chunk).values_list("pk", "phase"))
        stale = [pk for pk in chunk if pk in facts and phase_for(facts[pk], day) != phases.get(pk)]
        for case in Case.objects.filter(pk__in=stale).select_related("lead_agency", "person"):
            if phase_reevaluate(case=case, today=day):
                changed += 1
    return changed
