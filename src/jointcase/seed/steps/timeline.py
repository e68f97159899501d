"""Seed step: the case timelines tell the whole story of the demo world.

The domains' services put each event on its case's timeline as it happens (material added, an
action agreed or completed, minutes written); the seed steps before this one write their rows
in bulk, without the services, so this step adds the events those services would have written,
at the times the rows carry, with the same titles and labels: each top-level material item
(its event stands for the item, seen by those who may see it or one of its tearlines), each
agreed action agreed and completed, and each minutes section at its own label.

At demo scale only: the larger worlds are for the benchmarks, whose timelines hold the
register's own events.
"""

from __future__ import annotations

from jointcase.cases.models import TimelineEvent, TimelineKind
from jointcase.cases.services import timeline_add
from jointcase.material.models import ItemKind, MaterialItem
from jointcase.meetings.models import ActionStatus, AgreedAction, MinutesSection
from jointcase.seed.context import SeedContext


def seed_timeline(context: SeedContext) -> None:
    if context.scale.name != "demo":
        return
    items = (
        MaterialItem.objects.filter(parent__isnull=True)
        .select_related("case", "author")
        .order_by("pk")
    )
    for item in context.progress(items, total=items.count(), desc="timeline: material"):
        timeline_add(
            case=item.case,
            kind=TimelineKind.MATERIAL,
            title=str(ItemKind(item.kind).label),
            actor=item.author,
            occurred_at=item.created_at,
            material_item=item,
        )
    sections = MinutesSection.objects.select_related("meeting", "author").order_by("pk")
    for section in sections:
        for case in section.meeting.cases.all():
            timeline_add(
                case=case,
                kind=TimelineKind.MINUTES,
                title=f"{section.heading} ({section.meeting.get_type_display()})",
                actor=section.author,
                occurred_at=section.created_at,
                label=section,
            )
    events = []
    for action in AgreedAction.objects.select_related("owner", "owner_agency").order_by("pk"):
        events.append(_action_event(action, done=False))
        if action.status == ActionStatus.DONE and action.completed_at is not None:
            events.append(_action_event(action, done=True))
    TimelineEvent.objects.bulk_create(events, batch_size=2000)


def _action_event(action: AgreedAction, *, done: bool) -> TimelineEvent:
    """As ``meetings.services.actions`` writes it: OFFICIAL-SENSITIVE, the baseline of case
    content (an action is read wherever its case is)."""
    title = f"{action.description} (completed)" if done else action.description
    at = action.completed_at if done and action.completed_at else action.created_at
    return TimelineEvent(
        case_id=action.case_id,
        kind=TimelineKind.ACTION,
        title=title[:200],
        actor=action.owner,
        agency=action.owner_agency,
        occurred_at=at,
    )
