"""The nightly run of the contact standards: alert the practitioner and their manager when a
case falls below its standard, once per shortfall, on a working day.

- A case is below its standard once the day a counting contact was due by has passed with
  none recorded (``supervision.standards.standing_of``).
- Alerts go out on England and Wales working days only (``lib.working_days``): a shortfall
  that begins on a Saturday, Sunday or bank holiday is alerted on the next working day.
- Each shortfall is a ``ContactShortfall`` row keyed by (case, due date) under a unique
  constraint: a second run, or two at once, alerts nobody again; a later shortfall (a new due
  date after a contact) is a new alert.
- A contact that brings the case back to standard resolves the shortfall (in the recording
  service; and here, for contacts recorded by other routes).
- Every case's stored standing is computed again on the way (``supervision.standing_store``):
  the run is the store's full refresh, batch by batch, as it alerts.
- The practitioner is whoever leads the case in person now (``LEAD_NSD_PRACTITIONER``); the
  manager is their line manager. Nobody is told about a case they may not see. Notices carry
  a fixed sentence and a link only.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from jointcase.access.policy import case_decision, current_q
from jointcase.accounts.models import User
from jointcase.audit.services import audit_record
from jointcase.cases.models import Case, CaseRole, CaseTeamMember, Phase
from jointcase.lib.working_days import is_working_day
from jointcase.notifications.services import notify
from jointcase.supervision.models import ContactShortfall
from jointcase.supervision.services.contacts import shortfalls_resolve
from jointcase.supervision.standards import StandardSet, Standing, standards_current
from jointcase.supervision.standing_store import standings_store_batch

PRACTITIONER_TEXT = "A case you supervise has fallen below its contact standard"
MANAGER_TEXT = "A case held by someone you manage has fallen below its contact standard"
BATCH = 1000


def practitioners_of(case_id: int, today: dt.date) -> list[User]:
    """Whoever leads ``case_id`` in person today."""
    ids = CaseTeamMember.objects.filter(
        current_q(today),
        case_id=case_id,
        role=CaseRole.LEAD_NSD_PRACTITIONER,
        user__isnull=False,
    ).values("user_id")
    return list(User.objects.filter(pk__in=ids).select_related("line_manager").order_by("pk"))


def _alert(case_id: int, standing: Standing, standards: StandardSet, today: dt.date) -> int:
    assert standing.due_on is not None
    assert standing.standard is not None
    try:
        with transaction.atomic():
            shortfall = ContactShortfall.objects.create(
                case_id=case_id,
                due_on=standing.due_on,
                standard_code=standing.standard.code,
                standards_version=standards.version,
                alerted_on=today,
            )
            holders = practitioners_of(case_id, today)
            managers = [u.line_manager for u in holders if u.line_manager is not None]
            link = reverse("supervision:case-contacts", args=[_public_id(case_id)])
            seen = [u for u in holders if case_decision(u, case_id).allowed]
            seen_managers = [u for u in managers if case_decision(u, case_id).allowed]
            notices = notify(recipients=seen, text=PRACTITIONER_TEXT, link=link)
            notices += notify(
                recipients=[u for u in seen_managers if u.pk not in {h.pk for h in seen}],
                text=MANAGER_TEXT,
                link=link,
            )
            audit_record(
                action="contact.shortfall.alert",
                object_type="case",
                object_id=case_id,
                details={
                    "shortfall": shortfall.pk,
                    "due_on": standing.due_on.isoformat(),
                    "standard": standing.standard.code,
                    "recipients": [n.recipient_id for n in notices],
                },
                actor_username="system",
            )
    except IntegrityError:
        return 0  # already alerted for this shortfall
    return 1


def _public_id(case_id: int) -> str:
    return str(Case.objects.values_list("public_id", flat=True).get(pk=case_id))


def contacts_nightly(
    *, today: dt.date | None = None, now: dt.datetime | None = None
) -> dict[str, int]:
    """The whole nightly run: resolve shortfalls cleared by contacts, store every case's
    standing, then (on a working day) alert the new shortfalls. Returns the counts."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    standards = standards_current()
    ids = list(Case.objects.order_by("pk").values_list("pk", "phase"))
    resolved = alerted = below = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        open_ids = {pk for pk, phase in chunk if phase != Phase.CLOSED}
        with transaction.atomic():
            standings = standings_store_batch(
                [pk for pk, _ in chunk], today=today, now=now, standards=standards
            )
        # The standings just stored are those the resolution reads (when stored for the day
        # of ``now``): not computed twice.
        resolved += shortfalls_resolve(
            open_ids, now=now, standings=standings if today == timezone.localdate(now) else None
        )
        low = {pk: s for pk, s in standings.items() if s.below and pk in open_ids}
        below += len(low)
        if not low or not is_working_day(today):
            continue
        known = set(
            ContactShortfall.objects.filter(case_id__in=list(low)).values_list("case_id", "due_on")
        )
        for case_id, standing in low.items():
            if (case_id, standing.due_on) not in known:
                alerted += _alert(case_id, standing, standards, today)
    return {"below": below, "alerted": alerted, "resolved": resolved}
