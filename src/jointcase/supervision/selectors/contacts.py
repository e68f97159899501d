"""Reads of supervision contacts, scoped to the reader by ``jointcase.access.supervision``.

A contact is seen with its case; its notes are opened only for a reader the label rule allows
(``contacts_notes_visible``), and every read of notes is audited: one entry per page or API
call listing the contacts whose notes were read and those withheld. A reader below the label
sees the contact (kind, dates, outcome) and "withheld", never the text.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from jointcase.access.management import managed_user_ids
from jointcase.access.material import LabelFields
from jointcase.access.policy import current_q
from jointcase.access.supervision import (
    contact_cases_filter,
    contacts_notes_visible,
    contacts_visible_to,
)
from jointcase.accounts.models import User
from jointcase.audit.services import audit_record
from jointcase.cases.models import Case, CaseRole, CaseTeamMember
from jointcase.keyring import Keyring
from jointcase.material.crypto import Sealed, SealError, keyring_current, label_from, open_sealed
from jointcase.supervision.models import Contact
from jointcase.supervision.standards import Standing, standards_current
from jointcase.supervision.standing_store import STORED_FIELDS, standings_from_rows, standings_read

NOT_FOUND = "Contact not found"
PERSON_NOT_FOUND = "Person not found"
#: How a ``Case`` row reads its stored standing (``supervision.standing_store``).
STORED = "contact_standing__"
#: How far ahead "Contacts due" lists planned appointments.
UPCOMING_DAYS = 28
DUE_ROWS = 200
#: The most planned, unrecorded contacts "Contacts due" reads before scoping them.
CANDIDATE_ROWS = 2000
#: What "Contacts due" shows of a planned contact, its case and person (``DueContact``):
#: read alone, since hundreds of rows are built on every request.
LISTED_FIELDS = (
    "public_id",
    "case_id",
    "kind",
    "planned_for",
    "case__public_id",
    "case__reference",
    "case__person__display_name",
)


def case_contacts_for(user: User, case: Case) -> QuerySet[Contact]:
    """The contacts of ``case`` that ``user`` may see, newest first."""
    return (
        contacts_visible_to(user)
        .filter(case=case)
        .select_related("practitioner", "originator", "data_key")
        .order_by("-occurred_at", "-planned_for", "-pk")
    )


def contact_get_for(user: User, case: Case, contact_id: uuid.UUID | str) -> Contact:
    """A contact of ``case`` (already opened through the case's audited read) that ``user``
    may see; ``Http404`` alike for missing, forbidden and another case's contact."""
    try:
        key = uuid.UUID(str(contact_id))
    except ValueError:
        raise Http404(NOT_FOUND) from None
    contact = case_contacts_for(user, case).filter(public_id=key).first()
    if contact is None:
        raise Http404(NOT_FOUND)
    return contact


@dataclass
class ContactView:
    """A contact as one reader may see it: ``notes`` is None when withheld (or none)."""

    contact: Contact
    notes: str | None
    notes_withheld: bool
    notes_unreadable: bool = False
    caveat_codes: list[str] = field(default_factory=list)


def _labels(
    contacts: list[Contact],
) -> tuple[dict[int, LabelFields], dict[int, list[str]], dict[int, list[str]]]:
    """Every contact's label in two flat queries (caveats, releasable agencies)."""
    ids = [c.pk for c in contacts]
    caveats: dict[int, list[tuple[int, str]]] = {}
    for contact_id, caveat_id, code in Contact.caveats.through.objects.filter(
        contact_id__in=ids
    ).values_list("contact_id", "caveat_id", "caveat__code"):
        caveats.setdefault(contact_id, []).append((caveat_id, code))
    releasable: dict[int, list[tuple[int, str]]] = {}
    for contact_id, agency_id, code in Contact.releasable_to.through.objects.filter(
        contact_id__in=ids
    ).values_list("contact_id", "agency_id", "agency__code"):
        releasable.setdefault(contact_id, []).append((agency_id, code))
    labels = {
        c.pk: LabelFields(
            classification=c.classification,
            caveat_ids=frozenset(i for i, _ in caveats.get(c.pk, ())),
            releasable_ids=frozenset(i for i, _ in releasable.get(c.pk, ())),
            originator_id=c.originator_id,
        )
        for c in contacts
    }
    caveat_codes = {pk: sorted(code for _, code in rows) for pk, rows in caveats.items()}
    agency_codes = {pk: sorted(code for _, code in rows) for pk, rows in releasable.items()}
    return labels, caveat_codes, agency_codes


def _open(contact: Contact, caveats: list[str], agencies: list[str], keyring: Keyring) -> str:
    assert contact.data_key is not None
    assert contact.notes_ciphertext is not None
    return open_sealed(
        sealed=Sealed(data_key=contact.data_key, ciphertext=bytes(contact.notes_ciphertext)),
        object_id=f"contact-{contact.pk}",
        label=label_from(
            classification=contact.classification,
            originator=contact.originator.code,
            caveats=caveats,
            releasable_to=agencies,
        ),
        keyring=keyring,
    ).decode("utf-8")


def contacts_rendered(
    user: User,
    contacts: list[Contact],
    *,
    request: HttpRequest | None = None,
    action: str = "contact.notes.read",
    open_notes: bool = True,
) -> list[ContactView]:
    """``contacts`` (already scoped to ``user``; ``originator`` and ``data_key`` selected) with
    their notes opened where the label rule allows, and one audit entry for the read.
    ``open_notes=False`` (a list that shows no notes): only which are withheld; nothing is
    opened, so nothing is read or audited."""
    if not contacts:
        return []
    labels, caveats, agencies = _labels(contacts)
    with_notes = [c for c in contacts if c.notes_ciphertext is not None and c.data_key is not None]
    readable = contacts_notes_visible(user, with_notes, labels=labels)
    keyring: Keyring | None = None
    views: list[ContactView] = []
    read: list[int] = []
    withheld: list[int] = []
    failed: list[int] = []
    for contact in contacts:
        has_notes = contact.notes_ciphertext is not None and contact.data_key is not None
        view = ContactView(contact, None, False, caveat_codes=caveats.get(contact.pk, []))
        if has_notes and contact.pk in readable and not open_notes:
            pass
        elif has_notes and contact.pk in readable:
            keyring = keyring or keyring_current()
            try:
                view.notes = _open(
                    contact, caveats.get(contact.pk, []), agencies.get(contact.pk, []), keyring
                )
                read.append(contact.pk)
            except SealError:
                view.notes_unreadable = True
                failed.append(contact.pk)
        elif has_notes:
            view.notes_withheld = True
            withheld.append(contact.pk)
        views.append(view)
    if read or withheld or failed:
        audit_record(
            action=action,
            actor=user,
            object_type="case",
            object_id=contacts[0].case_id,
            details={"read": read, "withheld": withheld, "failed": failed},
            request=request,
        )
    return views


# --- Contacts due -------------------------------------------------------------------------------


@dataclass
class BelowStandard:
    """A case below its standard as "Contacts due" lists it."""

    case_id: int
    case_public_id: uuid.UUID
    reference: str
    person_name: str
    standing: Standing
    practitioner: User | None


@dataclass(frozen=True)
class DueContact:
    """A planned contact as "Contacts due" lists it (never its notes)."""

    public_id: uuid.UUID
    case_id: int
    kind: str
    planned_for: dt.datetime
    case_public_id: uuid.UUID
    case_reference: str
    person_name: str


@dataclass
class ContactsDue:
    upcoming: list[DueContact]
    overdue: list[DueContact]
    below: list[BelowStandard]
    #: ``scope="team"``: everyone the reader manages (the page chooses one at a time).
    people: list[User]
    #: Whose contacts these are (None: a manager of nobody).
    person: User | None = None


def _led_cases(holder_ids: Any, today: dt.date) -> QuerySet[CaseTeamMember]:
    return CaseTeamMember.objects.filter(
        current_q(today),
        role=CaseRole.LEAD_NSD_PRACTITIONER,
        user_id__in=holder_ids,
    )


def _team_person(people: list[User], person_id: int | str | None) -> User | None:
    """The managed person asked for (the first when none is); ``Http404`` alike for someone
    missing and someone the reader does not manage."""
    if person_id in (None, ""):
        return people[0] if people else None
    try:
        key = int(str(person_id))
    except ValueError:
        raise Http404(PERSON_NOT_FOUND) from None
    for person in people:
        if person.pk == key:
            return person
    raise Http404(PERSON_NOT_FOUND)


def _rows_seen(rule: Q, case_ids: set[int]) -> dict[int, dict[str, Any]]:
    """The cases of ``case_ids`` that ``rule`` lets through, with their stored standings."""
    rows = (
        Case.objects.filter(rule, pk__in=sorted(case_ids))
        .order_by()
        .values(
            "pk",
            "public_id",
            "reference",
            "person__display_name",
            *(STORED + name for name in STORED_FIELDS),
        )
    )
    return {row["pk"]: row for row in rows}


def _theirs_seen(
    user: User,
    person: User,
    planned_qs: QuerySet[Contact],
    candidates: list[DueContact],
    *,
    now: dt.datetime,
) -> tuple[set[int], list[BelowStandard]]:
    """The cases among ``person``'s (those they lead, those of their planned contacts) that
    ``user`` may see (the case rule asked of each of those cases), read with the stored
    standing of those ``person`` leads; a standing the staleness rule refuses (or none
    stored) is computed live, for those cases only. Returns the cases seen and those led
    below their standard."""
    today = timezone.localdate(now)
    led = set(_led_cases([person.pk], today).values_list("case_id", flat=True))
    # The planned contacts' cases are those of the candidates already read, unless the
    # candidates were cut short (then the database lists them).
    theirs = led | {c.case_id for c in candidates}
    if len(candidates) >= CANDIDATE_ROWS:
        theirs |= set(planned_qs.order_by().values_list("case_id", flat=True).distinct())
    # A practitioner's own list: their cases are seen through their case team, which one
    # clause of the rule answers cheaply; the whole rule is asked of the rest only (the
    # clauses together are the whole rule: ``tests/access/test_policy_agrees.py``).
    likely = ("case_team",) if person.pk == user.pk else None
    seen = _rows_seen(contact_cases_filter(user, now=now, per_case=True, via=likely), theirs)
    rest = theirs - set(seen)
    if likely is not None and rest:
        seen.update(_rows_seen(contact_cases_filter(user, now=now, per_case=True), rest))
    standings = standings_from_rows(
        ((pk, row) for pk, row in seen.items() if pk in led),
        now=now,
        standards=standards_current(),
        prefix=STORED,
    )
    below = [
        BelowStandard(
            pk,
            seen[pk]["public_id"],
            seen[pk]["reference"],
            seen[pk]["person__display_name"],
            standing,
            person,
        )
        for pk, standing in standings.items()
        if standing.below
    ]
    below.sort(key=lambda row: (row.standing.due_on or today, row.reference))
    return set(seen), below


def contacts_due_for(
    user: User,
    *,
    scope: str = "mine",
    person_id: int | str | None = None,
    now: dt.datetime | None = None,
) -> ContactsDue:
    """A practitioner's contacts coming up (``UPCOMING_DAYS``), their planned contacts not
    recorded, and the cases they lead that are below standard; ``scope="team"``: the same for
    one of the people ``user`` manages (``access.management``; ``person_id``, else the first
    by name), so a request never weighs a whole team's cases. Always within what ``user`` may
    see."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if scope == "team":
        people = list(
            User.objects.filter(pk__in=managed_user_ids(user, today=today))
            .only("pk", "username", "first_name", "last_name")
            .order_by("last_name", "first_name", "pk")
        )
        person = _team_person(people, person_id)
    else:
        people, person = [user], user
    if person is None:
        return ContactsDue(upcoming=[], overdue=[], below=[], people=people)
    # The person's planned contacts (the holder is ``person``: joined in Python, not SQL),
    # read as plain rows: hundreds are listed on every request.
    planned_qs = Contact.objects.filter(
        practitioner_id=person.pk,
        outcome="",
        cancelled_at__isnull=True,
        planned_for__lte=now + dt.timedelta(days=UPCOMING_DAYS),
    )
    candidates = [
        DueContact(*row)
        for row in planned_qs.order_by("planned_for", "pk").values_list(*LISTED_FIELDS)[
            :CANDIDATE_ROWS
        ]
    ]
    seen, below = _theirs_seen(user, person, planned_qs, candidates, now=now)
    planned = [c for c in candidates if c.case_id in seen]
    upcoming = [c for c in planned if c.planned_for >= now]
    overdue = [c for c in planned if c.planned_for < now]
    return ContactsDue(
        upcoming=upcoming[:DUE_ROWS],
        overdue=overdue[:DUE_ROWS],
        below=below,
        people=people,
        person=person,
    )


def case_standing_for(case: Case, *, now: dt.datetime | None = None) -> Standing:
    """The standing of one case the caller has already opened (through its audited read):
    the stored one while current, else computed live."""
    return standings_read([case.pk], now=now)[case.pk]
