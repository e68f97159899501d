"""Writes to a case: validated, atomic, audited (``object_type="case"``), and timelined.

Every service that changes a case writes a ``TimelineEvent`` and an audit entry whose
``details["changes"]`` maps each changed field to ``[old, new]``; services that can move the
case between phases re-evaluate the phase (``phase_reevaluate``), which sends
``case_phase_changed``. Impossible dates raise ``ValidationError`` keyed by field.

Every service that acts for a user asks ``jointcase.access.cases`` first (``_acts_on``), before
its transaction opens: a refusal writes a DENY entry (which stays) and raises
``ActionRefused`` (a ``PermissionDenied``; ``hidden`` when the actor may not see the case, so
pages answer 404). Nothing is written. ``people.services`` uses the same ``acts_on``. Callers need not, and must not be trusted to, check.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from jointcase.access.cases import (
    ActionRefused,
    case_open_decision,
    case_team_manage_decision,
    case_write_decision,
)
from jointcase.agencies.models import Agency, AgencyKind, Team
from jointcase.audit.models import Outcome
from jointcase.audit.services import audit_record
from jointcase.cases.conditions import catalogue, condition_parameters_clean
from jointcase.cases.dates import notification_schedule
from jointcase.cases.models import (
    NOTIFIABLE_COHORTS,
    Case,
    CaseAccessGrant,
    CaseExclusion,
    CaseRole,
    CaseTeamMember,
    Cohort,
    CustodyPlacement,
    ExitKind,
    Ideology,
    Licence,
    LicenceCondition,
    MappaCategory,
    MappaRegistration,
    NotificationRequirement,
    NsdExit,
    Phase,
    Recall,
    RecallType,
    ReviewFrequency,
    SecurityCategory,
    Sentence,
    SentenceType,
    TimelineEvent,
    TimelineKind,
)
from jointcase.cases.phases import case_facts, case_facts_bulk, phase_for
from jointcase.cases.signals import case_phase_changed
from jointcase.lib.edits import ConcurrentEdit, changes_between, jsonable, versioned_update

if TYPE_CHECKING:
    from jointcase.access.policy import Decision
    from jointcase.accounts.models import User
    from jointcase.people.models import Person

__all__ = ["ActionRefused", "ConcurrentEdit", "acts_on", "case_act_require"]

P = ParamSpec("P")
T = TypeVar("T")


def _choice(value: Any, choices: Any, field: str, message: str) -> None:
    if value not in choices.values:
        raise ValidationError({field: message})


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


def case_act_require(
    *,
    actor: User | None,
    decision: Decision,
    action: str,
    object_type: str = "case",
    object_id: str | int,
    request: HttpRequest | None = None,
) -> None:
    """Raise ``ActionRefused`` after a DENY entry (its own transaction: it stays) if refused."""
    if decision.allowed:
        return
    with transaction.atomic():
        audit_record(
            action=action,
            actor=actor,
            outcome=Outcome.DENY,
            object_type=object_type,
            object_id=object_id,
            reason=decision.reason,
            request=request,
        )
    raise ActionRefused(decision)


def acts_on(
    decide: Callable[[Any, Any], Decision], subject: Callable[[dict[str, Any]], Any], action: str
) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Ask ``decide(actor, subject(kwargs))`` before the service (and its transaction) runs."""

    def wrap(service: Callable[P, T]) -> Callable[P, T]:
        @functools.wraps(service)
        def checked(*args: P.args, **kwargs: P.kwargs) -> T:
            actor = kwargs.get("actor")
            target = subject(kwargs)
            case_act_require(
                actor=actor,  # type: ignore[arg-type]
                decision=decide(actor, target),
                action=action,
                object_type="case" if isinstance(target, Case) else "person",
                object_id=target.pk,
                request=kwargs.get("request"),  # type: ignore[arg-type]
            )
            return service(*args, **kwargs)

        return checked

    return wrap


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
) -> TimelineEvent:
    """Put an event on the case's chronology (for other domains too: meetings, risk...).

    The caller audits its own action; this only adds the chronology entry.
    """
    return TimelineEvent.objects.create(
        case=case,
        kind=kind,
        title=title[:200],
        description=description,
        actor=actor,
        occurred_at=occurred_at or timezone.now(),
        agency=agency or (actor.agency if actor is not None and actor.agency_id else None),
    )


def _day_start(day: dt.date) -> dt.datetime:
    """A date as the instant it began (local time), for timeline events dated by day."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))


def _touch(case: Case) -> None:
    Case.objects.filter(pk=case.pk).update(version=F("version") + 1, updated_at=timezone.now())
    case.refresh_from_db(fields=["version", "updated_at"])


# --- The case itself -----------------------------------------------------------------------


def reference_next() -> str:
    last = Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    candidate = last + 1
    while Case.objects.filter(reference=f"JC-{candidate:06d}").exists():
        candidate += 1
    return f"JC-{candidate:06d}"


@acts_on(case_open_decision, _person, "case.case_open")
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
    _choice(cohort, Cohort, "cohort", "Choose a cohort from the list")
    _choice(ideology, Ideology, "ideology", "Choose an ideology category from the list")
    opened = opened_at or timezone.localdate()
    if opened > timezone.localdate():
        raise ValidationError({"opened_at": "The case cannot be opened in the future"})
    if actor_role is not None:
        _choice(actor_role, CaseRole, "actor_role", "Choose a case role from the list")
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
    return case


CASE_EDITABLE = ("cohort", "ideology", "lead_agency")


@acts_on(case_write_decision, _case, "case.case_update")
@transaction.atomic
def case_update(
    *,
    actor: User,
    case: Case,
    expected_version: int,
    request: HttpRequest | None = None,
    **changes: Any,
) -> Case:
    unknown = set(changes) - set(CASE_EDITABLE)
    if unknown:
        raise ValidationError({field: "This field cannot be changed here" for field in unknown})
    if "cohort" in changes:
        _choice(changes["cohort"], Cohort, "cohort", "Choose a cohort from the list")
    if "ideology" in changes:
        _choice(
            changes["ideology"], Ideology, "ideology", "Choose an ideology category from the list"
        )
    current, diff = versioned_update(Case, case.pk, expected_version, changes)
    if not diff:
        return current
    timeline_add(
        case=current,
        kind=TimelineKind.CASE,
        title="Case details changed",
        actor=actor,
        description=", ".join(sorted(diff)),
    )
    _audit("case.update", actor, current, request, changes=diff)
    return current


@acts_on(case_write_decision, _case, "case.case_close")
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


# --- MAPPA and custody ---------------------------------------------------------------------


@acts_on(case_write_decision, _case, "case.mappa_register")
@transaction.atomic
def mappa_register(
    *,
    actor: User,
    case: Case,
    category: str,
    level: int,
    review_date: dt.date,
    valid_from: dt.date | None = None,
    request: HttpRequest | None = None,
) -> MappaRegistration:
    """Record a MAPPA registration (category, level, review date); it ends the current one."""
    _choice(category, MappaCategory, "category", "Choose a MAPPA category from the list")
    try:
        level = int(level)
    except (TypeError, ValueError):
        level = 0
    if level not in (1, 2, 3):
        raise ValidationError({"level": "Choose MAPPA level 1, 2 or 3"})
    start = valid_from or timezone.localdate()
    if review_date < start:
        raise ValidationError(
            {"review_date": "The review date must be on or after the registration date"}
        )
    current = case.mappa_registrations.filter(valid_to__isnull=True).first()
    if current is not None:
        if start < current.valid_from:
            raise ValidationError(
                {"valid_from": "The new registration must start after the current one"}
            )
        current.valid_to = max(current.valid_from, start - dt.timedelta(days=1))
        current.save(update_fields=["valid_to"])
    registration = MappaRegistration.objects.create(
        case=case, category=category, level=level, review_date=review_date, valid_from=start
    )
    _touch(case)
    timeline_add(
        case=case,
        kind=TimelineKind.MAPPA,
        actor=actor,
        title=f"MAPPA category {category[1]} level {level}",
        description=f"Review by {review_date:%d %B %Y}",
    )
    _audit(
        "case.mappa_register",
        actor,
        case,
        request,
        registration_id=registration.pk,
        changes={
            "mappa": [
                f"{current.category}/L{current.level}" if current else None,
                f"{category}/L{level}",
            ],
            "review_date": [
                jsonable(current.review_date) if current else None,
                review_date.isoformat(),
            ],
        },
    )
    return registration


@acts_on(case_write_decision, _case, "case.placement_add")
@transaction.atomic
def placement_add(
    *,
    actor: User,
    case: Case,
    establishment: Agency,
    security_category: str,
    in_separation_centre: bool = False,
    valid_from: dt.date | None = None,
    request: HttpRequest | None = None,
) -> CustodyPlacement:
    """Record a custody placement; it ends the current one."""
    if establishment.kind != AgencyKind.PRISON:
        raise ValidationError({"establishment": "Choose a prison"})
    _choice(
        security_category,
        SecurityCategory,
        "security_category",
        "Choose a security category from the list",
    )
    if in_separation_centre and not establishment.holds_separation_centre:
        raise ValidationError(
            {"in_separation_centre": f"{establishment.name} has no separation centre"}
        )
    start = valid_from or timezone.localdate()
    current = case.placements.filter(valid_to__isnull=True).first()
    if current is not None:
        if start < current.valid_from:
            raise ValidationError(
                {"valid_from": "The new placement must start after the current one"}
            )
        current.valid_to = max(current.valid_from, start - dt.timedelta(days=1))
        current.save(update_fields=["valid_to"])
    placement = CustodyPlacement.objects.create(
        case=case,
        establishment=establishment,
        security_category=security_category,
        in_separation_centre=in_separation_centre,
        valid_from=start,
    )
    _touch(case)
    timeline_add(
        case=case,
        kind=TimelineKind.CUSTODY,
        actor=actor,
        agency=establishment,
        title=f"Placed at {establishment.name}"
        + (" (separation centre)" if in_separation_centre else ""),
        description=SecurityCategory(security_category).label,
    )
    _audit(
        "case.placement_add",
        actor,
        case,
        request,
        placement_id=placement.pk,
        changes={
            "establishment": [current.establishment.code if current else None, establishment.code],
            "security_category": [
                current.security_category if current else None,
                security_category,
            ],
            "in_separation_centre": [
                current.in_separation_centre if current else None,
                in_separation_centre,
            ],
        },
    )
    phase_reevaluate(case=case, actor=actor)
    return placement


# --- Sentence, licence, notification requirements -----------------------------------------

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
    _choice(values.get("type"), SentenceType, "type", "Choose a sentence type from the list")
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


@acts_on(case_write_decision, _case, "case.sentence_add")
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
    return sentence


@acts_on(case_write_decision, _case_of("sentence"), "case.sentence_update")
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
    unknown = set(changes) - set(SENTENCE_EDITABLE)
    if unknown:
        raise ValidationError({name: "This field cannot be changed here" for name in unknown})
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


@acts_on(case_write_decision, _case_of("requirement"), "case.notification_recorded")
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


@acts_on(case_write_decision, _case, "case.licence_add")
@transaction.atomic
def licence_add(
    *,
    actor: User,
    case: Case,
    starts_on: dt.date,
    expires_on: dt.date,
    sentence: Sentence | None = None,
    request: HttpRequest | None = None,
) -> Licence:
    errors: dict[str, str] = {}
    if expires_on < starts_on:
        errors["expires_on"] = "The licence expiry date must be after the release date"
    if sentence is not None:
        if sentence.case_id != case.pk:
            errors["sentence"] = "Choose a sentence of this case"
        elif starts_on < sentence.sentence_date:
            errors["starts_on"] = "The licence cannot start before the sentence date"
    if errors:
        raise ValidationError(errors)
    licence = Licence.objects.create(
        case=case, sentence=sentence, starts_on=starts_on, expires_on=expires_on
    )
    _touch(case)
    timeline_add(
        case=case,
        kind=TimelineKind.LICENCE,
        actor=actor,
        title="Licence issued",
        description=f"{starts_on:%d %B %Y} to {expires_on:%d %B %Y}",
        occurred_at=_day_start(starts_on) if starts_on <= timezone.localdate() else None,
    )
    _audit(
        "case.licence_add",
        actor,
        case,
        request,
        licence_id=licence.pk,
        changes={
            "starts_on": [None, starts_on.isoformat()],
            "expires_on": [None, expires_on.isoformat()],
        },
    )
    phase_reevaluate(case=case, actor=actor)
    return licence


@acts_on(case_write_decision, _case_of("licence"), "case.licence_condition_add")
@transaction.atomic
def licence_condition_add(
    *,
    actor: User,
    licence: Licence,
    code: str,
    parameters: dict[str, Any] | None = None,
    review_frequency: str | None = None,
    added_on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> LicenceCondition:
    """Add a condition from the catalogue; parameters are validated against its schema."""
    cleaned = condition_parameters_clean(code, parameters)
    spec = catalogue()[code]
    frequency = review_frequency or spec.review_frequency
    _choice(
        frequency, ReviewFrequency, "review_frequency", "Choose a review frequency from the list"
    )
    condition = LicenceCondition.objects.create(
        licence=licence,
        code=code,
        parameters=cleaned,
        review_frequency=frequency,
        added_on=added_on or timezone.localdate(),
    )
    _touch(licence.case)
    timeline_add(
        case=licence.case,
        kind=TimelineKind.LICENCE,
        actor=actor,
        title=f"Licence condition added: {spec.title}",
    )
    _audit(
        "case.licence_condition_add",
        actor,
        licence.case,
        request,
        condition_id=condition.pk,
        changes={
            "condition": [None, code],
            "parameters": [None, cleaned],
            "review_frequency": [None, frequency],
        },
    )
    return condition


@acts_on(case_write_decision, _case_of("condition", "licence"), "case.licence_condition_remove")
@transaction.atomic
def licence_condition_remove(
    *,
    actor: User,
    condition: LicenceCondition,
    removed_on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> LicenceCondition:
    day = removed_on or timezone.localdate()
    if day < condition.added_on:
        raise ValidationError({"removed_on": "The condition cannot end before it was added"})
    condition.removed_on = day
    condition.save(update_fields=["removed_on"])
    case = condition.licence.case
    _touch(case)
    timeline_add(
        case=case,
        kind=TimelineKind.LICENCE,
        actor=actor,
        title=f"Licence condition removed: {condition}",
    )
    _audit(
        "case.licence_condition_remove",
        actor,
        case,
        request,
        condition_id=condition.pk,
        changes={"removed_on": [None, day.isoformat()]},
    )
    return condition


# --- Recall and exit -----------------------------------------------------------------------


@acts_on(case_write_decision, _case, "case.recall_record")
@transaction.atomic
def recall_record(
    *,
    actor: User,
    case: Case,
    recalled_on: dt.date,
    reason: str,
    type: str = RecallType.STANDARD,
    returned_to_custody_on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Recall:
    """Record a recall. Terrorist offenders (TACT, TACT-connected) get standard recall only."""
    _choice(type, RecallType, "type", "Choose a recall type from the list")
    errors: dict[str, str] = {}
    if not (reason or "").strip():
        errors["reason"] = "Enter the reason for recall"
    if type == RecallType.FIXED_TERM and case.cohort in NOTIFIABLE_COHORTS:
        errors["type"] = (
            "Terrorist and terrorism-connected offenders can only have a standard recall"
        )
    sentence = case.sentences.order_by("-sentence_date", "-pk").first()
    if sentence is None or sentence.released_on is None:
        errors["recalled_on"] = "Only someone released on licence can be recalled"
    elif recalled_on < sentence.released_on:
        errors["recalled_on"] = "The recall date must be on or after the release date"
    if recalled_on > timezone.localdate():
        errors.setdefault("recalled_on", "The recall date cannot be in the future")
    if returned_to_custody_on is not None and returned_to_custody_on < recalled_on:
        errors["returned_to_custody_on"] = "The return to custody must be on or after the recall"
    if errors:
        raise ValidationError(errors)
    recall = Recall.objects.create(
        case=case,
        recalled_on=recalled_on,
        reason=reason.strip(),
        type=type,
        returned_to_custody_on=returned_to_custody_on,
    )
    _touch(case)
    timeline_add(
        case=case,
        kind=TimelineKind.RECALL,
        actor=actor,
        title=f"{RecallType(type).label}",
        description=reason,
        occurred_at=_day_start(recalled_on),
    )
    _audit(
        "case.recall_record",
        actor,
        case,
        request,
        recall_id=recall.pk,
        changes={
            "recalled_on": [None, recalled_on.isoformat()],
            "type": [None, type],
        },
    )
    phase_reevaluate(case=case, actor=actor)
    return recall


@acts_on(case_write_decision, _case_of("recall"), "case.recall_re_release")
@transaction.atomic
def recall_re_release(
    *, actor: User, recall: Recall, re_released_on: dt.date, request: HttpRequest | None = None
) -> Recall:
    if re_released_on < recall.recalled_on:
        raise ValidationError({"re_released_on": "Re-release must be on or after the recall date"})
    if re_released_on > timezone.localdate():
        raise ValidationError({"re_released_on": "The re-release date cannot be in the future"})
    recall.re_released_on = re_released_on
    recall.save(update_fields=["re_released_on"])
    _touch(recall.case)
    timeline_add(
        case=recall.case,
        kind=TimelineKind.RECALL,
        actor=actor,
        title="Re-released after recall",
        occurred_at=_day_start(re_released_on),
    )
    _audit(
        "case.recall_re_release",
        actor,
        recall.case,
        request,
        recall_id=recall.pk,
        changes={"re_released_on": [None, re_released_on.isoformat()]},
    )
    phase_reevaluate(case=recall.case, actor=actor)
    return recall


@acts_on(case_write_decision, _case, "case.exit_record")
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
    _choice(kind, ExitKind, "kind", "Choose exit or handover")
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


# --- Team, exclusions, grants (the facts access.policy decides on) ------------------------


@acts_on(case_team_manage_decision, _case, "case.team_member_add")
@transaction.atomic
def team_member_add(
    *,
    actor: User,
    case: Case,
    role: str,
    user: User | None = None,
    team: Team | None = None,
    agency: Agency | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    request: HttpRequest | None = None,
) -> CaseTeamMember:
    _choice(role, CaseRole, "role", "Choose a case role from the list")
    if (user is None) == (team is None):
        raise ValidationError({"user": "Choose a person or a team (one, not both)"})
    if user is not None and not user.is_active:
        raise ValidationError({"user": "This user's account is not active"})
    if user is not None and CaseExclusion.objects.filter(case=case, user=user).exists():
        raise ValidationError({"user": "This user is excluded from the case"})
    begin = start or timezone.localdate()
    if end is not None and end < begin:
        raise ValidationError({"end": "The end date must be on or after the start date"})
    member_agency = agency or (user.agency if user is not None else team.agency if team else None)
    if member_agency is None:
        raise ValidationError({"agency": "Choose the member's agency"})
    member = CaseTeamMember.objects.create(
        case=case, user=user, team=team, role=role, agency=member_agency, start=begin, end=end
    )
    _touch(case)
    who = str(user) if user is not None else f"team {team}"
    timeline_add(
        case=case,
        kind=TimelineKind.TEAM,
        actor=actor,
        agency=member_agency,
        title=f"{who} joined the case team as {CaseRole(role).label}",
    )
    _audit(
        "case.team_member_add",
        actor,
        case,
        request,
        member_id=member.pk,
        member_user_id=user.pk if user else None,
        member_team_id=team.pk if team else None,
        changes={
            "member": [None, f"{who}:{role}"],
            "start": [None, begin.isoformat()],
            "end": [None, jsonable(end)],
        },
    )
    return member


@acts_on(case_team_manage_decision, _case_of("member"), "case.team_member_remove")
@transaction.atomic
def team_member_remove(
    *, actor: User, member: CaseTeamMember, request: HttpRequest | None = None
) -> None:
    """Take a member off the case team with immediate effect (their next request is denied).

    The membership's last day becomes yesterday; a membership that started today is deleted
    (the audit entry and the timeline keep the record).
    """
    today = timezone.localdate()
    case = member.case
    who = str(member.user) if member.user_id else f"team {member.team}"
    before = member.end
    if member.start >= today:
        member_id = member.pk
        member.delete()
        after = "deleted"
    else:
        member_id = member.pk
        member.end = today - dt.timedelta(days=1) if before is None or before >= today else before
        member.save(update_fields=["end"])
        after = member.end.isoformat()
    _touch(case)
    timeline_add(case=case, kind=TimelineKind.TEAM, actor=actor, title=f"{who} left the case team")
    _audit(
        "case.team_member_remove",
        actor,
        case,
        request,
        member_id=member_id,
        changes={"end": [jsonable(before), after]},
    )


@acts_on(case_team_manage_decision, _case, "case.exclusion_add")
@transaction.atomic
def exclusion_add(
    *, actor: User, case: Case, user: User, reason: str, request: HttpRequest | None = None
) -> CaseExclusion:
    """Exclude a named user: they never see the case, whatever else they hold, and their
    invitations to the planned meetings about it are withdrawn in the same transaction
    (``meetings.services.invitations_withdraw_for_exclusion``)."""
    if not (reason or "").strip():
        raise ValidationError({"reason": "Enter the reason for the exclusion"})
    try:
        with transaction.atomic():
            exclusion = CaseExclusion.objects.create(
                case=case, user=user, reason=reason.strip(), created_by=actor
            )
    except IntegrityError as error:
        raise ValidationError({"user": "This user is already excluded from the case"}) from error
    _touch(case)
    timeline_add(
        case=case, kind=TimelineKind.ACCESS, actor=actor, title="A user was excluded from the case"
    )
    _audit(
        "case.exclusion_add",
        actor,
        case,
        request,
        reason=reason,
        excluded_user_id=user.pk,
        changes={"exclusion": [None, user.get_username()]},
    )
    # Their invitations to the planned meetings about the case go in the same transaction
    # (imported here: meetings depends on cases, never the other way at import time).
    from jointcase.meetings.services import invitations_withdraw_for_exclusion

    invitations_withdraw_for_exclusion(actor=actor, case=case, user=user, request=request)
    return exclusion


@acts_on(case_team_manage_decision, _case_of("exclusion"), "case.exclusion_remove")
@transaction.atomic
def exclusion_remove(
    *, actor: User, exclusion: CaseExclusion, reason: str, request: HttpRequest | None = None
) -> None:
    if not (reason or "").strip():
        raise ValidationError({"reason": "Enter the reason for lifting the exclusion"})
    case = exclusion.case
    _audit(
        "case.exclusion_remove",
        actor,
        case,
        request,
        reason=reason,
        excluded_user_id=exclusion.user_id,
        changes={"exclusion": [exclusion.user.get_username(), None]},
    )
    exclusion.delete()
    _touch(case)
    timeline_add(case=case, kind=TimelineKind.ACCESS, actor=actor, title="An exclusion was lifted")


@acts_on(case_team_manage_decision, _case, "case.grant_create")
@transaction.atomic
def grant_create(
    *,
    actor: User,
    case: Case,
    user: User,
    reason: str,
    expires_at: dt.datetime,
    starts_at: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> CaseAccessGrant:
    """An explicit, time-limited grant of need-to-know (an exclusion still beats it)."""
    begin = starts_at or timezone.now()
    errors: dict[str, str] = {}
    if not (reason or "").strip():
        errors["reason"] = "Enter the reason for the grant"
    if expires_at <= begin:
        errors["expires_at"] = "The grant must expire after it starts"
    if errors:
        raise ValidationError(errors)
    grant = CaseAccessGrant.objects.create(
        case=case,
        user=user,
        reason=reason.strip(),
        granted_by=actor,
        starts_at=begin,
        expires_at=expires_at,
    )
    _touch(case)
    timeline_add(
        case=case,
        kind=TimelineKind.ACCESS,
        actor=actor,
        title=f"Access granted to {user} until {timezone.localtime(expires_at):%d %B %Y %H:%M}",
    )
    _audit(
        "case.grant_create",
        actor,
        case,
        request,
        reason=reason,
        grant_id=grant.pk,
        grantee_id=user.pk,
        changes={"grant": [None, f"{user.get_username()} until {expires_at.isoformat()}"]},
    )
    return grant


@acts_on(case_team_manage_decision, _case_of("grant"), "case.grant_revoke")
@transaction.atomic
def grant_revoke(
    *, actor: User, grant: CaseAccessGrant, request: HttpRequest | None = None
) -> CaseAccessGrant:
    if grant.revoked_at is None:
        grant.revoked_at = timezone.now()
        grant.save(update_fields=["revoked_at"])
        _touch(grant.case)
        timeline_add(
            case=grant.case,
            kind=TimelineKind.ACCESS,
            actor=actor,
            title=f"Access grant to {grant.user} revoked",
        )
        _audit(
            "case.grant_revoke",
            actor,
            grant.case,
            request,
            grant_id=grant.pk,
            changes={"revoked_at": [None, grant.revoked_at.isoformat()]},
        )
    return grant


# --- Phases --------------------------------------------------------------------------------


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
