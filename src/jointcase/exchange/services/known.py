""" "Known to you?" and the person form's match (docs/exchange.md "Known to you?" and
"Real-time matching").

A question (names, a date of birth, perhaps an identifier) is matched against the whole
register (``services.matching``). The answer is built by ``known_answer`` alone: either no
managed record matches, or one does and the asker is told which agency and role to contact
(the lead agency of the person's case and that agency's case-owning role), plus a link when
the asker may see the person. Nothing else: no name, no case reference, no label, no count.

Every ask is audited (``exchange.known_ask``, ``exchange.person_match``) with who asked, the
fields given, a SHA-256 of the question and the answer class, and is rate-limited per user by
counting those entries (``JOINTCASE_KNOWN_RATE_LIMIT`` per
``JOINTCASE_KNOWN_RATE_WINDOW_SECONDS``); over the limit the ask is refused with a DENY entry
(``exchange.known_refused``) and how long to wait.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from jointcase.access.acting import audited_denial, permission_require
from jointcase.access.known import known_ask_refusal, persons_visible_among
from jointcase.accounts.models import User
from jointcase.agencies.models import AgencyKind
from jointcase.audit.models import AuditEntry, Outcome
from jointcase.audit.services import audit_record
from jointcase.cases.models import Case, CaseRole
from jointcase.exchange.linkage.model import Candidate
from jointcase.exchange.records import IDENTIFIER_TYPES, LABELS, birth_date_clean
from jointcase.exchange.services.matching import record_matches
from jointcase.people.models import Person
from jointcase.people.validators import identifier_clean

ASK_ACTION = "exchange.known_ask"
MATCH_ACTION = "exchange.person_match"
REFUSED_ACTION = "exchange.known_refused"
#: The asks counted by the rate limit.
COUNTED_ACTIONS = (ASK_ACTION, MATCH_ACTION)

NO_MATCH = "No managed record matches"
#: The role to contact at the lead agency of the person's case, by the agency's kind.
CONTACT_ROLES: dict[str, str] = {
    AgencyKind.PROBATION: CaseRole.LEAD_NSD_PRACTITIONER.label,
    AgencyKind.POLICE: CaseRole.CTNM_OFFICER.label,
    AgencyKind.PRISON: CaseRole.POM.label,
}
#: Any other lead agency.
CONTACT_ROLE_OTHER = "Case owner"
#: The identifier types a question may carry (the import's identifier fields).
IDENTIFIER_CHOICES = (
    ("pnc_id", LABELS["pnc_id"]),
    ("crn", LABELS["crn"]),
    ("prison_number", LABELS["prison_number"]),
)
NAME_MAX = 200


@dataclass(frozen=True)
class KnownAnswer:
    """The documented answer: ``known`` and, when known, the agency and role to contact, and
    the person's public id only when the asker may see the person."""

    known: bool
    agency: str = ""
    role: str = ""
    person_id: str | None = None
    #: The matched person's public id, for the audit entry only (never shown or compared).
    matched: str | None = field(default=None, compare=False, repr=False)

    @property
    def sentence(self) -> str:
        if not self.known:
            return NO_MATCH
        return f"A managed record exists: contact {self.agency}, {self.role}"

    @property
    def person_url(self) -> str | None:
        return reverse("people:person", args=[self.person_id]) if self.person_id else None

    @property
    def answer_class(self) -> str:
        if not self.known:
            return "no_match"
        return "managed_visible" if self.person_id else "managed_hidden"

    def as_json(self) -> dict[str, Any]:
        """The API's body: always these keys."""
        contact = {"agency": self.agency, "role": self.role} if self.known else None
        return {
            "known": self.known,
            "answer": self.sentence,
            "contact": contact,
            "person_id": self.person_id,
        }


class KnownRateLimited(Exception):
    """Too many asks in the window: wait ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many checks: try again in {retry_after} seconds")
        self.retry_after = retry_after

    @property
    def wait_words(self) -> str:
        minutes = math.ceil(self.retry_after / 60)
        if self.retry_after < 60:
            return f"{self.retry_after} second{'s' if self.retry_after != 1 else ''}"
        return f"{minutes} minute{'s' if minutes != 1 else ''}"


@dataclass(frozen=True)
class Question:
    """A cleaned question: the import format's fields it gives."""

    record: dict[str, str]

    @property
    def fields(self) -> list[str]:
        return sorted(name for name, value in self.record.items() if value)

    @property
    def digest(self) -> str:
        """SHA-256 of the question in normal form (lower case names, ISO date): the same
        question hashes the same however it was typed, so an auditor can tell whether a given
        question was asked without the log holding the names."""
        normal = {
            name: (" ".join(value.lower().split()) if name in ("given_names", "surname") else value)
            for name, value in self.record.items()
            if value
        }
        text = json.dumps(normal, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------------------------
# The question.


def question_clean(
    *,
    given_names: str,
    surname: str,
    date_of_birth: str | dt.date | None,
    identifier_type: str = "",
    identifier_value: str = "",
    extra: Mapping[str, str] | None = None,
    today: dt.date | None = None,
) -> Question:
    """The question, or ``ValidationError`` keyed by field: names required (up to 200
    characters), a real date of birth in the past, an identifier in the register's format
    (``people.validators``) when one is given, with its type."""
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    given = " ".join((given_names or "").split())
    family = " ".join((surname or "").split())
    for name, value, label in (
        ("given_names", given, "given names"),
        ("surname", family, "surname"),
    ):
        if not value:
            errors[name] = f"Enter the {label}"
        elif len(value) > NAME_MAX:
            errors[name] = f"{label.capitalize()} must be {NAME_MAX} characters or fewer"
    born = ""
    if date_of_birth is None or date_of_birth == "":
        errors["date_of_birth"] = "Enter the date of birth"
    else:
        text = date_of_birth.isoformat() if isinstance(date_of_birth, dt.date) else date_of_birth
        try:
            born = birth_date_clean(str(text).strip(), today=today)
        except ValidationError as error:
            errors["date_of_birth"] = error.messages[0]
    record = {"given_names": given, "surname": family, "date_of_birth": born}
    kind = (identifier_type or "").strip()
    value = (identifier_value or "").strip()
    if kind and kind not in IDENTIFIER_TYPES:
        errors["identifier_type"] = "Choose an identifier type from the list"
    elif kind and not value:
        errors["identifier_value"] = "Enter the identifier"
    elif value and not kind:
        errors["identifier_type"] = "Choose the identifier type"
    elif kind:
        try:
            record[kind] = identifier_clean(IDENTIFIER_TYPES[kind], value)
        except ValidationError as error:
            errors["identifier_value"] = error.messages[0]
    for name, extra_value in (extra or {}).items():
        record[name] = extra_value
    if errors:
        raise ValidationError(errors)
    return Question(record=record)


# ---------------------------------------------------------------------------------------------
# The answer.


def _contact(person_pk: int) -> tuple[str, str] | None:
    """The lead agency (and its case-owning role) of the person's open case, newest first,
    else of their latest case; None for a person with no case (not a managed record)."""
    case = (
        Case.objects.filter(person_id=person_pk)
        .select_related("lead_agency")
        .order_by(F("closed_at").asc(nulls_first=True), "-opened_at", "-pk")
        .first()
    )
    if case is None:
        return None
    agency = case.lead_agency
    return agency.name, CONTACT_ROLES.get(agency.kind, CONTACT_ROLE_OTHER)


def known_answer(user: User, candidates: Iterable[Candidate]) -> KnownAnswer:
    """The documented answer for ``user`` about these candidates (most likely first): the
    first that is a managed record (a person with a case) gives the agency and role to
    contact, and its link when ``user`` may see the person; none: no managed record."""
    ordered = list(candidates)
    ids = [candidate.person_id for candidate in ordered]
    pks = {
        str(public_id): pk
        for public_id, pk in Person.objects.filter(public_id__in=ids).values_list("public_id", "pk")
    }
    visible = persons_visible_among(user, ids)
    for candidate in ordered:
        pk = pks.get(candidate.person_id)
        if pk is None:
            continue
        contact = _contact(pk)
        if contact is None:
            continue
        agency, role = contact
        shown = candidate.person_id if candidate.person_id in visible else None
        return KnownAnswer(
            known=True, agency=agency, role=role, person_id=shown, matched=candidate.person_id
        )
    return KnownAnswer(known=False)


# ---------------------------------------------------------------------------------------------
# The rate limit.


def rate_retry_after(user: User, *, now: dt.datetime | None = None) -> int | None:
    """Seconds ``user`` must wait before the next ask, or None when they may ask now."""
    now = now or timezone.now()
    limit = settings.JOINTCASE_KNOWN_RATE_LIMIT
    window = dt.timedelta(seconds=settings.JOINTCASE_KNOWN_RATE_WINDOW_SECONDS)
    asks = AuditEntry.objects.filter(
        actor_id=user.pk,
        action__in=COUNTED_ACTIONS,
        outcome=Outcome.SUCCESS,
        occurred_at__gt=now - window,
    )
    count = asks.count()
    if count < limit:
        return None
    times = asks.order_by("occurred_at", "seq").values_list("occurred_at", flat=True)
    frees_at = times[count - limit] + window
    return max(1, math.ceil((frees_at - now).total_seconds()))


def _rate_check(user: User, request: HttpRequest | None, action: str) -> None:
    wait = rate_retry_after(user)
    if wait is None:
        return
    audited_denial(
        actor=user,
        action=REFUSED_ACTION,
        reason="rate_limited",
        object_type="known",
        object_id="",
        request=request,
        details={"asked_through": action, "retry_after": wait},
    )
    raise KnownRateLimited(wait)


# ---------------------------------------------------------------------------------------------
# Asking.


def known_ask(
    *, actor: User, question: Question, request: HttpRequest | None = None
) -> KnownAnswer:
    """Answer "Known to you?" for ``actor``: refused (403) unless ``known_ask_refusal`` allows,
    ``KnownRateLimited`` over the limit; otherwise the documented answer, audited."""
    permission_require(
        actor=actor,
        refusal=known_ask_refusal(actor),
        action=ASK_ACTION,
        object_type="known",
        object_id="",
        request=request,
    )
    _rate_check(actor, request, ASK_ACTION)
    answer = known_answer(actor, record_matches(question.record))
    _audit_ask(ASK_ACTION, actor, question, answer, request)
    return answer


def _audit_ask(
    action: str,
    actor: User,
    question: Question,
    answer: KnownAnswer,
    request: HttpRequest | None,
    **more: Any,
) -> None:
    with transaction.atomic():
        audit_record(
            action=action,
            actor=actor,
            object_type="known",
            object_id="",
            details={
                "fields": question.fields,
                "question_sha256": question.digest,
                "answer": answer.answer_class,
                "matched_person": answer.matched or "",
                **more,
            },
            request=request,
        )


@dataclass
class PersonMatches:
    """The person form's (and ``POST /api/v1/persons/matches``') answer: the likely persons
    the asker may see, and the documented answer about the others."""

    visible: list[Person] = field(default_factory=list)
    probabilities: dict[str, float] = field(default_factory=dict)
    others: KnownAnswer = field(default_factory=lambda: KnownAnswer(known=False))

    @property
    def any(self) -> bool:
        return bool(self.visible) or self.others.known

    def matches_json(self) -> list[dict[str, Any]]:
        """The likely persons the asker may see, most likely first, as the API shows them."""
        return [
            {
                "id": person.public_id,
                "display_name": person.display_name,
                "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else None,
                "identifiers": [
                    {"type": identifier.type, "value": identifier.value}
                    for identifier in person.identifiers.all()
                ],
                "match_probability": round(self.probabilities[str(person.public_id)], 4),
            }
            for person in self.visible
        ]

    def as_json(self) -> dict[str, Any]:
        """The API's body (``POST /api/v1/persons/matches``)."""
        return {"matches": self.matches_json(), "others": self.others.as_json()}


def person_matches(
    *, actor: User, question: Question, request: HttpRequest | None = None
) -> PersonMatches:
    """Match a new person before it is saved: the likely persons ``actor`` may see (with their
    names and identifiers, for the list) and, for the others, only the documented answer.
    Audited and rate-limited with "Known to you?"."""
    _rate_check(actor, request, MATCH_ACTION)
    candidates = record_matches(question.record)
    ids = [candidate.person_id for candidate in candidates]
    visible_ids = persons_visible_among(actor, ids)
    shown = [candidate for candidate in candidates if candidate.person_id in visible_ids]
    hidden = [candidate for candidate in candidates if candidate.person_id not in visible_ids]
    people = {
        str(person.public_id): person
        for person in Person.objects.filter(
            public_id__in=[candidate.person_id for candidate in shown]
        ).prefetch_related("names", "identifiers")
    }
    outcome = PersonMatches(
        visible=[people[c.person_id] for c in shown if c.person_id in people],
        probabilities={c.person_id: c.match_probability for c in shown},
        others=known_answer(actor, hidden),
    )
    _audit_ask(
        MATCH_ACTION,
        actor,
        question,
        outcome.others,
        request,
        shown=[str(person.public_id) for person in outcome.visible],
    )
    return outcome
