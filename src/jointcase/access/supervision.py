"""The supervision contacts rule: who may see a case's contacts, read a contact's notes, and
plan, record or change contacts (one rule, two forms each: a single-object decision and a
queryset filter, built on ``access.policy``, the case rule, and ``access.material``, the label
rule, never re-written here). tests/supervision/test_contacts_policy_agrees.py proves each
pair agrees on generated worlds.

- A contact (its kind, dates, outcome, enforcement) is case content at the case's baseline:
  visible exactly when its case is (``contact_decision`` / ``contact_filter``).
- Its notes carry their own label and are read at each reader's clearance, like a minutes
  section: the label clauses (system high, exclusion, clearance, caveats, releasability) and
  the case's need-to-know (``contact_notes_decision`` / ``contact_notes_filter``). A reader
  who may see the contact but not its notes is shown the contact with the notes withheld.
- Planning or recording a contact on a case is changing the case's facts
  (``cases.case_write_decision``) by a member of an agency that manages cases (probation,
  police, prisons; the notes' originator): an intelligence partner shares intelligence but
  holds no supervision contacts, so sees the contacts and is refused (403) planning one.
  ``contact_write_decision`` / ``contact_write_filter`` (on ``Case``).
- Changing a contact (recording the outcome of a planned one) also needs its notes: nobody
  overwrites what they could not read (``contact_change_decision`` / ``contact_change_filter``).
- No one writes notes under a label they could not read (``contact_label_refusal``, the reach
  clauses, as for minutes and material writers).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable

from django.db.models import Q, QuerySet

from jointcase.access import material as label_rule
from jointcase.access.acting import Refusal
from jointcase.access.cases import case_write_decision
from jointcase.access.material import (
    LabelFields,
    label_decision,
    label_fields_of,
    user_facts,
    within_reach,
)
from jointcase.access.policy import (
    AnyUser,
    Decision,
    case_decision,
    case_filter,
    moment,
    signed_in,
    user_gate,
)
from jointcase.agencies.models import AgencyKind
from jointcase.cases.models import Case
from jointcase.supervision.models import Contact

NOT_FOUND = "Not found"
NO_AGENCY = "Only the agencies that manage cases plan or record supervision contacts"
#: The agencies whose staff hold supervision contacts.
CONTACT_AGENCY_KINDS = frozenset({AgencyKind.PROBATION, AgencyKind.POLICE, AgencyKind.PRISON})
NOTES_UNREADABLE = "You cannot change a contact whose notes you may not read"
LABEL_OUT_OF_REACH = "You cannot write notes with a label you could not read"


def _none() -> Q:
    return Q(pk__in=[])


# --- Seeing contacts --------------------------------------------------------------------------


def contact_decision(
    user: AnyUser, contact: Contact, *, now: dt.datetime | None = None
) -> Decision:
    """May ``user`` see ``contact`` (not its notes)? Exactly when they may see its case."""
    return case_decision(user, contact.case_id, now=now)


def contact_filter(user: AnyUser, *, now: dt.datetime | None = None) -> Q:
    """``contact_decision`` as a filter on ``Contact``."""
    if user_gate(user) is not None:
        return _none()
    return Q(case_id__in=Case.objects.filter(case_filter(user, now=now)).values("pk"))


def contact_cases_filter(
    user: AnyUser,
    *,
    now: dt.datetime | None = None,
    per_case: bool = False,
    via: Collection[str] | None = None,
) -> Q:
    """The same rule as a filter on ``Case``: the cases whose contacts ``user`` may see
    (``per_case``: asked of each case row in turn; ``via``: narrowed to the named allow
    clauses, a subset of the whole; both as ``case_filter``)."""
    if user_gate(user) is not None:
        return _none()
    return case_filter(user, now=now, per_case=per_case, via=via)


def contacts_visible_to(user: AnyUser, *, now: dt.datetime | None = None) -> QuerySet[Contact]:
    if user_gate(user) is not None:
        return Contact.objects.none()
    return Contact.objects.filter(contact_filter(user, now=now))


def contact_see_refusal(user: AnyUser, contact: Contact) -> Refusal | None:
    """Hidden (404, as for a missing contact) unless ``user`` may see ``contact``."""
    decision = contact_decision(user, contact)
    if decision.allowed:
        return None
    return Refusal(reason=decision.reason, message=NOT_FOUND, hidden=True)


# --- Reading the notes ------------------------------------------------------------------------


def contact_notes_decision(
    user: AnyUser,
    contact: Contact,
    *,
    now: dt.datetime | None = None,
    label: LabelFields | None = None,
) -> Decision:
    """May ``user`` read the notes of ``contact``? The label rule on the contact's case."""
    if not signed_in(user):
        return user_gate(user) or Decision(False, "not_signed_in")
    return label_decision(user, label or label_fields_of(contact), contact.case_id, now=now)


def contact_notes_filter(user: AnyUser, *, now: dt.datetime | None = None) -> Q:
    """``contact_notes_decision`` as a filter on ``Contact``."""
    facts = user_facts(user, now=now)
    if facts.gate is not None:
        return _none()
    ctx = label_rule.QContext(
        facts, moment(now), label_rule.system_high_rank(), Contact, "case", False
    )
    labels = Q()
    for clause in label_rule.CLAUSES:
        labels &= clause.q(ctx)
    return labels & label_rule.need_to_know_q(ctx)


def contacts_notes_visible(
    user: AnyUser,
    contacts: Iterable[Contact],
    *,
    labels: dict[int, LabelFields],
    now: dt.datetime | None = None,
) -> set[int]:
    """The ids among ``contacts`` whose notes ``user`` may read: ``contact_notes_decision``
    with the facts gathered once per case (a handful of queries for a page, none per row).
    ``labels``: each contact's label, read in bulk by the caller."""
    facts = user_facts(user, now=now)
    contacts = list(contacts)
    if facts.gate is not None or not contacts or not signed_in(user):
        return set()
    at = moment(now)
    sh_rank = label_rule.system_high_rank()
    contexts: dict[int, label_rule.CaseContext] = {}
    visible: set[int] = set()
    for contact in contacts:
        if contact.case_id not in contexts:
            contexts[contact.case_id] = label_rule.case_context_for(user, contact.case_id, now=now)
        label = labels[contact.pk]
        obj = label_rule.ObjectFacts(
            case_id=contact.case_id,
            rank=label_rule.CLASSIFICATION_RANK.get(label.classification, 99),
            caveat_ids=label.caveat_ids,
            releasable_ids=label.releasable_ids,
            originator_id=label.originator_id,
        )
        if label_rule.decide_object(facts, obj, contexts[contact.case_id], at, sh_rank).allowed:
            visible.add(contact.pk)
    return visible


# --- Planning, recording and changing ---------------------------------------------------------


def _holds_contacts(user: AnyUser) -> bool:
    """Does ``user`` belong to an agency that holds supervision contacts?"""
    agency = getattr(user, "agency", None) if signed_in(user) else None
    return agency is not None and agency.kind in CONTACT_AGENCY_KINDS


def contact_write_decision(
    user: AnyUser, case: Case | int, *, now: dt.datetime | None = None
) -> Decision:
    """May ``user`` plan or record a contact on ``case``? Whoever may change the case's facts,
    if their agency manages cases (the originator of the notes)."""
    decision = case_write_decision(user, case, now=now)
    if not decision.allowed:
        return decision
    if not _holds_contacts(user):
        return Decision(False, "no_agency")
    return decision


def contact_write_filter(user: AnyUser, *, now: dt.datetime | None = None) -> Q:
    """``contact_write_decision`` as a filter on ``Case``."""
    if user_gate(user) is not None or not _holds_contacts(user):
        return _none()
    return case_filter(user, now=now)


def contact_write_refusal(user: AnyUser, case: Case) -> Refusal | None:
    """Hidden when ``user`` may not see ``case``; 403 when they may but may not write."""
    decision = contact_write_decision(user, case)
    if decision.allowed:
        return None
    if decision.reason == "no_agency":
        return Refusal(reason=decision.reason, message=NO_AGENCY)
    return Refusal(reason=decision.reason, message=NOT_FOUND, hidden=True)


def contact_change_decision(
    user: AnyUser, contact: Contact, *, now: dt.datetime | None = None
) -> Decision:
    """May ``user`` change ``contact`` (record its outcome, cancel it)? Write on its case and
    read its notes."""
    write = contact_write_decision(user, contact.case_id, now=now)
    if not write.allowed:
        return write
    notes = contact_notes_decision(user, contact, now=now)
    if not notes.allowed:
        return Decision(False, f"notes_{notes.reason}")
    return write


def contact_change_filter(user: AnyUser, *, now: dt.datetime | None = None) -> Q:
    """``contact_change_decision`` as a filter on ``Contact``."""
    if user_gate(user) is not None or not _holds_contacts(user):
        return _none()
    return contact_filter(user, now=now) & contact_notes_filter(user, now=now)


def contact_change_refusal(user: AnyUser, contact: Contact) -> Refusal | None:
    """Hidden when ``user`` may not see the contact; 403 when they may but may not change it."""
    seen = contact_see_refusal(user, contact)
    if seen is not None:
        return seen
    decision = contact_change_decision(user, contact)
    if decision.allowed:
        return None
    message = NO_AGENCY if decision.reason == "no_agency" else NOTES_UNREADABLE
    return Refusal(reason=decision.reason, message=message)


def contact_label_refusal(user: AnyUser, label: LabelFields) -> Refusal | None:
    """No one writes notes under a label they could not read (the reach clauses)."""
    reach = within_reach(user, classification=label.classification, caveat_ids=label.caveat_ids)
    if reach.allowed:
        return None
    return Refusal(reason=reach.reason, message=LABEL_OUT_OF_REACH)
