"""The timeline rule: which events of a case's chronology a reader may see (docs/design.md
"The timeline"). One rule, two forms: ``timeline_event_decision`` (one event) and
``timeline_event_filter`` (a Q on ``TimelineEvent``), both built from the label rule of
``jointcase.access.material``, never re-written here. tests/material/test_policy_agrees.py
proves on generated worlds that they agree.

- An event that stands for a material item (added, share decided, break-glass used) is seen
  exactly by those who may see the item, or one of its tearlines (the reader is then shown
  the tearline's title and label): the material rule, as a queryset filter.
- Any other event carries its own label (OFFICIAL-SENSITIVE for the register's own events;
  a meeting's decision, action or minutes carries the meeting's or the minutes' label) and
  is read with the label rule on its case, as a minutes section is.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import Q

from jointcase.access.material import (
    label_decision,
    label_fields_of,
    label_filter,
    material_decision,
    material_visible_to,
)
from jointcase.access.policy import AnyUser, Decision, gate_decision, signed_in
from jointcase.cases.models import Case, TimelineEvent
from jointcase.material.models import MaterialItem

if TYPE_CHECKING:
    from django.db.models import QuerySet


def timeline_item_seen(
    user: AnyUser, item: MaterialItem, *, now: dt.datetime | None = None
) -> MaterialItem | None:
    """The version of ``item`` that ``user`` may see: the item itself, else one of its
    tearlines they may see (the first made), else None."""
    if material_decision(user, item, now=now).allowed:
        return item
    for tearline in item.tearlines.order_by("created_at", "pk"):
        if material_decision(user, tearline, now=now).allowed:
            return tearline
    return None


def timeline_event_decision(
    user: AnyUser, event: TimelineEvent, *, now: dt.datetime | None = None
) -> Decision:
    """May ``user`` see ``event`` on its case's timeline?"""
    if not signed_in(user):
        return gate_decision(user)
    if event.material_item_id is None:
        return label_decision(user, label_fields_of(event), event.case_id, now=now)
    item = event.material_item
    assert item is not None
    decision = material_decision(user, item, now=now)
    if decision.allowed:
        return decision
    if timeline_item_seen(user, item, now=now) is not None:
        return Decision(True, "tearline")
    return decision


def timeline_items_seen(
    user: AnyUser, *, case: Case | int | None = None, now: dt.datetime | None = None
) -> QuerySet[MaterialItem]:
    """The material items ``user`` may see (on ``case``): the items a timeline event may
    stand for, directly or through one of their tearlines."""
    return material_visible_to(user, now=now, case=case)


def timeline_event_filter(
    user: AnyUser, *, case: Case | int | None = None, now: dt.datetime | None = None
) -> Q:
    """``timeline_event_decision`` as a filter on ``TimelineEvent`` (with ``case``: that
    case's events, its case-level facts read once)."""
    if not signed_in(user):
        return Q(pk__in=[])
    items = timeline_items_seen(user, case=case, now=now)
    own = Q(material_item__isnull=True) & label_filter(
        user, model=TimelineEvent, case=case, now=now
    )
    through_item = Q(material_item__in=items.values("pk")) | Q(
        material_item__in=items.filter(parent__isnull=False).values("parent_id")
    )
    if case is not None:
        through_item &= Q(case_id=case if isinstance(case, int) else case.pk)
    return own | through_item
