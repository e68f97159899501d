"""The events of other apps that raise required checks, connected at start-up
(``RiskConfig.ready``).

Each receiver runs inside the transaction of the event (the register sends its signals there),
so the checks an event calls for are created with it or not at all (docs/design.md invariant:
no partial write). The date-driven triggers (before release, periodic) are the nightly run's.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from jointcase.cases.models import Case, CaseTeamMember, Phase
from jointcase.cases.signals import case_phase_changed, case_team_member_added
from jointcase.people.signals import address_added
from jointcase.risk.models.checks import ChangeKind, TriggerKind
from jointcase.risk.services.checks import Occurrence, checks_raise


def on_phase_changed(sender: Any, case: Case, old: str, new: str, **_: Any) -> None:
    """A case entered a phase: the PHASE_ENTERED rules for it."""
    changed_at = Case.objects.filter(pk=case.pk).values_list("phase_changed_at", flat=True).get()
    event = Occurrence(
        kind=TriggerKind.PHASE_ENTERED,
        key=f"phase:{new}:{changed_at.isoformat()}",
        on=timezone.localdate(changed_at),
        phase=new,
    )
    checks_raise(case=case, event=event)


def on_team_member_added(sender: Any, case: Case, member: CaseTeamMember, **_: Any) -> None:
    """A person or team joined the case team: an allocation, for the ALLOCATION rules of its
    role. Dated the day it is recorded, or the day the membership starts if that is later (a
    membership recorded after it began is due from when JointCase learnt of it)."""
    event = Occurrence(
        kind=TriggerKind.ALLOCATION,
        key=f"allocation:{member.pk}",
        on=max(member.start, timezone.localdate()),
        role=member.role,
    )
    checks_raise(case=case, event=event)


def on_address_added(sender: Any, address: Any, actor: Any = None, **_: Any) -> None:
    """A new address in the register: a change of circumstance on each open case of the
    person, dated the day it is recorded (the day it became known)."""
    today = timezone.localdate()
    cases = Case.objects.filter(person_id=address.person_id).exclude(phase=Phase.CLOSED)
    for case in cases:
        event = Occurrence(
            kind=TriggerKind.CHANGE_OF_CIRCUMSTANCE,
            key=f"address:{address.pk}",
            on=today,
            change_kind=ChangeKind.NEW_ADDRESS,
        )
        checks_raise(case=case, event=event, actor=actor)


def connect() -> None:
    case_phase_changed.connect(on_phase_changed, dispatch_uid="risk_checks_phase")
    case_team_member_added.connect(on_team_member_added, dispatch_uid="risk_checks_allocation")
    address_added.connect(on_address_added, dispatch_uid="risk_checks_address")
