"""Seed step: meetings and agreed actions on the seeded cases (synthetic texts only).

- ``scale.actions`` agreed actions spread over the cases with a current case team, owned by a
  team member; an action agreed at a meeting is due one to ten weeks after it, others from two
  months ago to two months ahead: about 55% open, 15% in progress,
  25% done (with evidence), 5% cancelled, so every queue shows overdue and due-soon work.
  Every action at demo scale has its history (created, and completed/cancelled events); above
  it, a sample does. Rows are written without model instances, one ``executemany`` (SQLite)
  or ``COPY`` (PostgreSQL) per batch, so the stress world's 1,000,000 actions take minutes.
- On cases where ``ct.supervisor`` is on the team (the demo's persona cases), a MAPPA level 3
  meeting held a fortnight ago (chaired by ct.supervisor; nsd.practitioner, pom.bpss attended)
  with an OFFICIAL-SENSITIVE probation section and a SECRET police section (sealed when a
  keyring exists), and the next meeting planned in four weeks (the open actions are carried to
  its agenda). Other cases get a held meeting without minutes, one per ``MEETING_EVERY`` cases.
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

from jointcase.cases.models import CaseTeamMember
from jointcase.keyring import keyring_load
from jointcase.material.crypto import seal
from jointcase.meetings.models import (
    ActionEvent,
    ActionEventKind,
    ActionPriority,
    ActionSource,
    ActionStatus,
    AgreedAction,
    Invitation,
    Meeting,
    MeetingStatus,
    MeetingType,
    MinutesSection,
)
from jointcase.meetings.services.minutes import section_label, section_object_id
from jointcase.seed.bulk import Table
from jointcase.seed.context import SeedContext

logger = logging.getLogger(__name__)
BATCH = 5000
MEETING_EVERY = 20
HISTORY_SAMPLE = 0.05
TASKS = (
    "Arrange a joint home visit",
    "Check compliance with the exclusion zone",
    "Review online monitoring arrangements",
    "Share the updated risk management plan",
    "Confirm approved premises placement",
    "Complete a domestic abuse check",
    "Refer to the Desistance and Disengagement Programme",
    "Verify employment details",
    "Review contact with associates",
    "Update the pre-release plan",
)
STATUSES = (
    (ActionStatus.OPEN, 0.55),
    (ActionStatus.IN_PROGRESS, 0.15),
    (ActionStatus.DONE, 0.25),
    (ActionStatus.CANCELLED, 0.05),
)


def _status(rng: Any) -> str:
    roll, total = rng.random(), 0.0
    for status, share in STATUSES:
        total += share
        if roll < total:
            return status
    return ActionStatus.OPEN


class MeetingsSeeder:
    def __init__(self, context: SeedContext) -> None:
        self.context = context
        self.rng = context.rng
        self.today = context.today
        #: The day every seeded meeting was held (its actions are due after it).
        self.held_day = self.today - dt.timedelta(days=14)
        self.now = timezone.now()
        self.demo = context.scale.name == "demo"
        rows = CaseTeamMember.objects.filter(
            Q(end__isnull=True) | Q(end__gte=self.today), user__isnull=False, start__lte=self.today
        ).values_list("case_id", "user_id", "agency_id")
        self.members: dict[int, list[tuple[int, int]]] = {}
        for case_id, user_id, agency_id in rows.iterator(chunk_size=20_000):
            self.members.setdefault(case_id, []).append((user_id, agency_id))
        self.case_ids = sorted(self.members)
        self.meeting_by_case: dict[int, int] = {}
        self.meeting_public_ids: dict[int, str] = {}

    def _at(self, day: dt.date, hour: int = 10) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))

    def meetings(self) -> None:
        personas = self.context.registry.get("personas", {})
        supervisor = personas.get("ct.supervisor")
        persona_cases = set()
        if supervisor is not None:
            persona_cases = {
                c
                for c, members in self.members.items()
                if any(u == supervisor.pk for u, _a in members)
            }
        chosen = sorted(persona_cases) + [
            c for c in self.case_ids[::MEETING_EVERY] if c not in persona_cases
        ]
        held_day = self.held_day
        for case_id in self.context.progress(chosen, total=len(chosen), desc="meetings"):
            members = self.members[case_id]
            chair_id = supervisor.pk if case_id in persona_cases and supervisor else members[0][0]
            meeting = Meeting.objects.create(
                type=MeetingType.MAPPA_L3
                if case_id in persona_cases
                else self.rng.choice(MeetingType.values),
                starts_at=self._at(held_day),
                chair_id=chair_id,
                agenda="1. Actions from the last meeting\n2. Risk update from each agency\n3. Risk management plan",
                status=MeetingStatus.HELD,
                created_by_id=chair_id,
                created_at=self.now,
            )
            meeting.cases.add(case_id)
            invited = {chair_id}
            rows = [Invitation(meeting=meeting, user_id=chair_id, attended=True)]
            for user_id, _agency in members:
                if user_id not in invited:
                    invited.add(user_id)
                    rows.append(
                        Invitation(
                            meeting=meeting, user_id=user_id, attended=self.rng.random() < 0.8
                        )
                    )
            Invitation.objects.bulk_create(rows)
            self.meeting_by_case[case_id] = meeting.pk
            self.meeting_public_ids[meeting.pk] = str(meeting.public_id)
            if case_id in persona_cases:
                self.minutes(meeting, case_id, personas)
                following = Meeting.objects.create(
                    type=MeetingType.MAPPA_L3,
                    starts_at=self._at(self.today + dt.timedelta(days=28)),
                    chair_id=chair_id,
                    agenda="Review of open actions and the risk management plan",
                    created_by_id=chair_id,
                    created_at=self.now,
                )
                following.cases.add(case_id)
                Invitation.objects.bulk_create(
                    Invitation(meeting=following, user_id=u) for u in invited
                )

    def minutes(self, meeting: Meeting, case_id: int, personas: dict[str, Any]) -> None:
        try:
            keyring_load()
        except Exception:  # noqa: BLE001 - no keyring: minutes without sections
            logger.warning("meeting minutes seeded without sections: no keyring")
            return
        sections = [
            (
                "nsd.practitioner",
                "Probation update",
                "OFFICIAL-SENSITIVE",
                "Reporting as required; no breaches of licence conditions this period.",
            ),
            (
                "ct.supervisor",
                "Police intelligence update",
                "SECRET",
                "Synthetic intelligence summary: renewed contact with a known associate.",
            ),
        ]
        for order, (author_name, heading, classification, body) in enumerate(sections, start=1):
            author = personas.get(author_name)
            if author is None:
                continue
            section = MinutesSection.objects.create(
                meeting=meeting,
                case_id=case_id,
                order=order,
                heading=heading,
                classification=classification,
                originator_id=author.agency_id,
                author=author,
            )
            sealed = seal(
                plaintext=body.encode(),
                object_id=section_object_id(section),
                label=section_label(section),
            )
            sealed.data_key.save()
            section.data_key = sealed.data_key
            section.body_ciphertext = bytes(sealed.ciphertext)
            section.save(update_fields=["data_key", "body_ciphertext"])

    def actions(self) -> None:
        target = self.context.scale.actions
        if not self.case_ids or target <= 0:
            return
        actions, events = Table(AgreedAction), Table(ActionEvent)
        for made in self.context.progress(range(target), total=target, desc="actions"):
            case_id = (
                self.case_ids[made % len(self.case_ids)]
                if made < len(self.case_ids)
                else self.rng.choice(self.case_ids)
            )
            owner_id, agency_id = self.rng.choice(self.members[case_id])
            meeting_id = self.meeting_by_case.get(case_id)
            if meeting_id:
                # Agreed at the meeting, due one to ten weeks after it.
                created = self._at(self.held_day, 11)
                due = self.held_day + dt.timedelta(days=self.rng.randint(7, 74))
            else:
                due = self.today + dt.timedelta(days=self.rng.randint(-60, 60))
                created = self._at(due - dt.timedelta(days=self.rng.randint(14, 42)), 11)
            status = _status(self.rng)
            completed = self._at(min(due, self.today), 15) if status == ActionStatus.DONE else None
            action_id = actions(
                # Each row its own opaque id (the table's template holds one default for all).
                public_id=uuid.uuid4(),
                case_id=case_id,
                meeting_id=meeting_id,
                source_kind=ActionSource.MEETING if meeting_id else ActionSource.ASSESSMENT,
                source_id=self.meeting_public_ids.get(meeting_id, "") if meeting_id else "",
                description=self.rng.choice(TASKS),
                owner_id=owner_id,
                owner_agency_id=agency_id,
                due_date=due,
                priority=self.rng.choice(ActionPriority.values),
                status=status,
                created_by_id=owner_id,
                created_at=created,
                completed_at=completed,
                evidence="Completed and recorded on the case (synthetic)"
                if status == ActionStatus.DONE
                else "",
            )
            if self.demo or self.rng.random() < HISTORY_SAMPLE:
                self.history(events, action_id, owner_id, status, created, completed)
            if len(actions.rows) >= BATCH:
                self.flush(actions, events)
        self.flush(actions, events)
        if connection.vendor == "postgresql":  # the ids were allocated here
            statements = connection.ops.sequence_reset_sql(no_style(), [AgreedAction, ActionEvent])
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)

    def history(
        self,
        events: Table,
        action_id: int,
        owner_id: int,
        status: str,
        created: dt.datetime,
        completed: dt.datetime | None,
    ) -> None:
        """The action's history: created, then completed or cancelled."""
        events(
            action_id=action_id,
            at=created,
            actor_id=owner_id,
            kind=ActionEventKind.CREATED,
            to_value=str(owner_id),
        )
        if status == ActionStatus.DONE:
            events(
                action_id=action_id,
                at=completed or created,
                actor_id=owner_id,
                kind=ActionEventKind.COMPLETED,
                from_value=ActionStatus.OPEN,
                to_value=ActionStatus.DONE,
            )
        elif status == ActionStatus.CANCELLED:
            events(
                action_id=action_id,
                at=created,
                actor_id=owner_id,
                kind=ActionEventKind.STATUS,
                from_value=ActionStatus.OPEN,
                to_value=ActionStatus.CANCELLED,
                reason="No longer needed (synthetic)",
            )

    def flush(self, actions: Table, events: Table) -> None:
        with connection.cursor() as cursor:
            actions.flush(cursor)
            events.flush(cursor)

    def run(self) -> None:
        if not self.case_ids:
            return
        self.meetings()
        self.actions()


def seed_meetings(context: SeedContext) -> None:
    """Meetings and agreed actions on the seeded cases."""
    MeetingsSeeder(context).run()
