"""Helpers every case service shares: validation of a choice, the audit entry, the timeline entry,
and the subjects ``acts_on`` asks ``jointcase.access.cases`` about.

See ``jointcase.cases.services`` for what every case service does."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from jointcase.access.labels import Classification
from jointcase.agencies.models import Agency
from jointcase.audit.services import audit_record
from jointcase.cases.models import (
    Case,
    TimelineEvent,
)

if TYPE_CHECKING:
    from jointcase.accounts.models import User
    from jointcase.people.models import Person


def _audit(
    action: str, actor: User | None, case: Case, request: HttpRequest | None = None, **details: Any
) -> None:
    audit_record(
        action=action,
        actor=actor,
        object_type="case",
        object_id=case.pk,
        details={key: value for key, value in details.items() if value is not None},
        request=request,
        actor_username="" if actor else "system",
    )


def _case(kwargs: dict[str, Any]) -> Case:
    case: Case = kwargs["case"]
    return case


def _case_of(name: str, *path: str) -> Callable[[dict[str, Any]], Case]:
    """The case of a related object given to a service (``sentence.case``, ...)."""

    def get(kwargs: dict[str, Any]) -> Case:
        value = kwargs[name]
        for step in path:
            value = getattr(value, step)
        case: Case = value.case
        return case

    return get


def _person(kwargs: dict[str, Any]) -> Person:
    person: Person = kwargs["person"]
    return person


def timeline_add(
    *,
    case: Case,
    kind: str,
    title: str,
    actor: User | None = None,
    description: str = "",
    occurred_at: dt.datetime | None = None,
    agency: Agency | None = None,
    label: Any | None = None,
    material_item: Any | None = None,
) -> TimelineEvent:
    """Put an event on the case's chronology (for other domains too: meetings, risk...).

    ``label``: an object whose label the event carries (``classification``, ``caveats``,
    ``releasable_to``, ``originator``: a meeting, minutes); without one the event is
    OFFICIAL-SENSITIVE, the register's own. ``material_item``: the item the event stands
    for; the event is then seen by those who may see the item and its label is the item's
    (``title`` never names the item: its title is added at each reader's clearance).

    The caller audits its own action; this only adds the chronology entry.
    """
    source = material_item if material_item is not None else label
    event = TimelineEvent.objects.create(
        case=case,
        kind=kind,
        title=title[:200],
        description=description,
        actor=actor,
        occurred_at=occurred_at or timezone.now(),
        agency=agency or (actor.agency if actor is not None and actor.agency_id else None),
        material_item=material_item,
        classification=source.classification
        if source is not None
        else Classification.OFFICIAL_SENSITIVE,
        originator_id=getattr(source, "originator_id", None),
    )
    if source is not None:
        caveats, releasable = list(source.caveats.all()), list(source.releasable_to.all())
        if caveats:
            event.caveats.set(caveats)
        if releasable:
            event.releasable_to.set(releasable)
    return event


def _day_start(day: dt.date) -> dt.datetime:
    """A date as the instant it began (local time), for timeline events dated by day."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))


def _touch(case: Case) -> None:
    Case.objects.filter(pk=case.pk).update(version=F("version") + 1, updated_at=timezone.now())
    case.refresh_from_db(fields=["version", "updated_at"])
