"""Sentences, their key dates and the notification requirements they set.

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
    case_write_refusal,
)
from jointcase.cases.dates import notification_schedule
from jointcase.cases.models import (
    NOTIFIABLE_COHORTS,
    Case,
    NotificationRequirement,
    Sentence,
    SentenceType,
    TimelineKind,
)
from jointcase.cases.services._common import (
    _audit,
    _case,
    _case_of,
    _day_start,
    _touch,
    timeline_add,
)
from jointcase.cases.services.phases import phase_reevaluate
from jointcase.cases.signals import case_facts_changed
from jointcase.lib.edits import (
    ConcurrentEdit,
    changes_between,
    choice_check,
    jsonable,
    uneditable_refuse,
)

if TYPE_CHECKING:
    from jointcase.accounts.models import User


SENTENCE_DATES = ("crd", "ard", "ped", "led", "sed", "tused", "prrd", "hdced", "released_on")


SENTENCE_EDITABLE = (
    "type",
    "offence",
    "conviction_date",
    "sentence_date",
    "length_days",
    "extended_licence_days",
    "remand_days",
    *SENTENCE_DATES,
)


def sentence_validate(values: dict[str, Any]) -> None:
    """Impossible combinations of sentence dates, keyed by field."""
    errors: dict[str, str] = {}
    choice_check(values.get("type"), SentenceType, "type", "Choose a sentence type from the list")
    conviction, sentenced = values.get("conviction_date"), values.get("sentence_date")
    if conviction is None:
        errors["conviction_date"] = "Enter the date of conviction"
    if sentenced is None:
        errors["sentence_date"] = "Enter the date of sentence"
    if conviction and sentenced and sentenced < conviction:
        errors["sentence_date"] = "The sentence date must be on or after the conviction date"
    for name in ("length_days", "extended_licence_days", "remand_days"):
        value = values.get(name) or 0
        if not isinstance(value, int) or value < 0:
            errors[name] = "Enter a whole number of days, 0 or more"
    if sentenced:
        for name in ("crd", "ard", "ped", "led", "sed", "tused", "prrd", "hdced", "released_on"):
            day = values.get(name)
            if day is not None and day < sentenced:
                label = "release date" if name == "released_on" else name.upper()
                errors.setdefault(name, f"The {label} must be on or after the sentence date")
    release = values.get("released_on")
    if release is not None and release > timezone.localdate():
        errors.setdefault(
            "released_on", "The release date cannot be in the future: record it when it happens"
        )
    led, sed = values.get("led"), values.get("sed")
    earliest_release = values.get("crd") or values.get("ard") or release
    if led and earliest_release and led < earliest_release:
        errors.setdefault("led", "The licence expiry date must be after the release date")
    if led and sed and sed < led:
        errors.setdefault(
            "sed", "The sentence expiry date must be on or after the licence expiry date"
        )
    tused = values.get("tused")
    if tused and led and tused < led:
        errors.setdefault(
            "tused", "The top-up supervision expiry date must be after the licence expiry date"
        )
    if (
        values.get("type") in (SentenceType.SERIOUS_TERRORISM,)
        and (values.get("length_days") or 0) < 14 * 365
    ):
        errors.setdefault(
            "length_days", "A Serious Terrorism Sentence has a custodial term of at least 14 years"
        )
    if errors:
        raise ValidationError(errors)


@acts_on(case_write_refusal, _case, "case.sentence_add")
@transaction.atomic
def sentence_add(
    *,
    actor: User,
    case: Case,
    type: str,
    conviction_date: dt.date,
    sentence_date: dt.date,
    length_days: int = 0,
    extended_licence_days: int = 0,
    remand_days: int = 0,
    offence: str = "",
    request: HttpRequest | None = None,
    **key_dates: dt.date | None,
) -> Sentence:
    """Record a sentence with its key dates (``crd``, ``ard``, ``ped``, ``led``, ``sed``,
    ``tused``, ``prrd``, ``hdced``, ``released_on``); computes the notification requirements."""
    unknown = set(key_dates) - set(SENTENCE_DATES)
    if unknown:
        raise ValidationError({name: "Unknown date" for name in unknown})
    values: dict[str, Any] = {
        "type": type,
        "conviction_date": conviction_date,
        "sentence_date": sentence_date,
        "length_days": length_days,
        "extended_licence_days": extended_licence_days,
        "remand_days": remand_days,
        **key_dates,
    }
    sentence_validate(values)
    sentence = Sentence.objects.create(case=case, offence=(offence or "")[:300], **values)
    _touch(case)
    timeline_add(
        case=case,
        kind=TimelineKind.SENTENCE,
        actor=actor,
        title=f"Sentenced: {SentenceType(type).label}",
        description=offence,
        occurred_at=_day_start(sentence_date),
    )
    _audit(
        "case.sentence_add",
        actor,
        case,
        request,
        sentence_id=sentence.pk,
        changes={
            key: [None, jsonable(value)] for key, value in values.items() if value is not None
        },
    )
    notification_requirement_refresh(case=case, sentence=sentence)
    phase_reevaluate(case=case, actor=actor)
    case_facts_changed.send(sender=Case, case=case, fact="sentence")
    return sentence


@acts_on(case_write_refusal, _case_of("sentence"), "case.sentence_update")
@transaction.atomic
def sentence_update(
    *,
    actor: User,
    sentence: Sentence,
    expected_version: int,
    request: HttpRequest | None = None,
    **changes: Any,
) -> Sentence:
    """Change a sentence (key dates, release...). ``expected_version`` is the case's version."""
    uneditable_refuse(changes, SENTENCE_EDITABLE)
    case = Case.objects.select_for_update().get(pk=sentence.case_id)
    if case.version != expected_version:
        raise ConcurrentEdit()
    current = Sentence.objects.get(pk=sentence.pk)
    values = {name: getattr(current, name) for name in SENTENCE_EDITABLE}
    values.update(changes)
    sentence_validate(values)
    diff = changes_between({name: getattr(current, name) for name in changes}, changes)
    if not diff:
        return current
    for name, value in changes.items():
        setattr(current, name, value)
    current.save()
    _touch(case)
    title = (
        "Released from custody"
        if "released_on" in diff and changes.get("released_on")
        else "Sentence details changed"
    )
    timeline_add(
        case=case,
        kind=TimelineKind.SENTENCE,
        actor=actor,
        title=title,
        description=", ".join(sorted(diff)),
    )
    _audit("case.sentence_update", actor, case, request, sentence_id=current.pk, changes=diff)
    notification_requirement_refresh(case=case, sentence=current)
    phase_reevaluate(case=case, actor=actor)
    case_facts_changed.send(sender=Case, case=case, fact="sentence")
    return current


def notification_requirement_refresh(*, case: Case, sentence: Sentence) -> NotificationRequirement:
    """(Re)compute the notification requirements of a sentence (called by the services)."""
    existing = NotificationRequirement.objects.filter(sentence=sentence).first()
    schedule = notification_schedule(
        notifiable_cohort=case.cohort in NOTIFIABLE_COHORTS,
        date_of_birth=case.person.date_of_birth,
        conviction_date=sentence.conviction_date,
        sentence_date=sentence.sentence_date,
        length_days=sentence.length_days + sentence.extended_licence_days,
        life=sentence.type == SentenceType.LIFE,
        custodial=sentence.type != SentenceType.COMMUNITY_ORDER,
        released_on=sentence.released_on,
        last_notified_on=existing.last_notified_on if existing else None,
    )
    values = {
        "case": case,
        "applies": schedule.applies,
        "reason": schedule.reason[:300],
        "period_years": schedule.period_years,
        "starts_on": schedule.starts_on,
        "ends_on": schedule.ends_on,
        "initial_due_on": schedule.initial_due_on,
        "next_annual_due_on": schedule.next_annual_due_on,
        "computed_at": timezone.now(),
    }
    requirement, _ = NotificationRequirement.objects.update_or_create(
        sentence=sentence, defaults=values
    )
    return requirement


@acts_on(case_write_refusal, _case_of("requirement"), "case.notification_recorded")
@transaction.atomic
def notification_recorded(
    *,
    actor: User,
    requirement: NotificationRequirement,
    notified_on: dt.date,
    request: HttpRequest | None = None,
) -> NotificationRequirement:
    """The person notified the police (initial or annual): the next annual date moves on."""
    if notified_on > timezone.localdate():
        raise ValidationError({"notified_on": "The notification date cannot be in the future"})
    if requirement.starts_on and notified_on < requirement.starts_on:
        raise ValidationError({"notified_on": "The notification date must be on or after release"})
    before = requirement.last_notified_on
    if requirement.initial_notified_on is None:
        requirement.initial_notified_on = notified_on
    requirement.last_notified_on = notified_on
    requirement.save(update_fields=["initial_notified_on", "last_notified_on"])
    refreshed = notification_requirement_refresh(
        case=requirement.case, sentence=requirement.sentence
    )
    _touch(requirement.case)
    timeline_add(
        case=requirement.case,
        kind=TimelineKind.NOTIFICATION,
        actor=actor,
        title="Notification made",
        occurred_at=_day_start(notified_on),
    )
    _audit(
        "case.notification_recorded",
        actor,
        requirement.case,
        request,
        changes={"last_notified_on": [jsonable(before), notified_on.isoformat()]},
    )
    return refreshed
