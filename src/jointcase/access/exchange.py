"""Who may import partner extracts and handle their quarantine (docs/exchange.md "Who may
import").

A partner source belongs to one agency (``exchange/data/sources.yaml``). Its extracts, their
batches and their quarantined rows are handled by:

- the agency administrators of that agency, or of an agency directly under it (an NSD
  division's administrator handles the probation source owned by NSD);
- system administrators, for every source (imports are platform operations).

Nobody else sees an import batch: to them it is answered as missing (404). Single-object
decisions and the queryset filter sit side by side and read the same list of sources.
"""

from __future__ import annotations

from django.db.models import Q

from jointcase.access.acting import Refusal
from jointcase.access.policy import AnyUser, case_decision, gate_decision, signed_in
from jointcase.accounts.models import Role, User
from jointcase.exchange.models import ImportBatch, WebhookSubscription
from jointcase.exchange.sources import PartnerSource, sources_current

IMPORT_REFUSED = "Only agency administrators and system administrators can import extracts"
SOURCE_REFUSED = "You can import extracts only for your own agency's systems"
NOT_FOUND = "Not found"


def _agency_codes(user: User) -> set[str]:
    agency = user.agency
    if agency is None or not agency.is_active:
        return set()
    codes = {agency.code}
    if agency.parent is not None:
        codes.add(agency.parent.code)
    return codes


def sources_importable_by(user: AnyUser) -> list[PartnerSource]:
    """The sources whose extracts ``user`` may import, see and correct, in file order."""
    if not signed_in(user):
        return []
    sources = list(sources_current().values())
    if user.has_role(Role.SYSTEM_ADMIN):
        return sources
    if not user.has_role(Role.AGENCY_ADMIN):
        return []
    codes = _agency_codes(user)
    return [source for source in sources if source.agency in codes]


def imports_refusal(user: AnyUser) -> Refusal | None:
    """The imports pages and upload at all: for those who may import at least one source."""
    if not signed_in(user):
        return Refusal(reason=gate_decision(user).reason, message=IMPORT_REFUSED)
    if sources_importable_by(user):
        return None
    return Refusal(reason="not_an_importer", message=IMPORT_REFUSED)


def import_refusal(user: AnyUser, source: PartnerSource) -> Refusal | None:
    """Importing an extract of ``source`` (and correcting or dismissing its quarantined rows)."""
    refused = imports_refusal(user)
    if refused is not None:
        return refused
    if any(known.code == source.code for known in sources_importable_by(user)):
        return None
    return Refusal(reason="not_their_source", message=SOURCE_REFUSED)


def batch_filter(user: AnyUser) -> Q:
    """``batch_see_refusal``'s twin, as a filter on ``ImportBatch`` (and, with a ``batch__``
    prefix, on its quarantined rows)."""
    return Q(source__in=[source.code for source in sources_importable_by(user)])


def batch_see_refusal(user: AnyUser, batch: ImportBatch) -> Refusal | None:
    """A batch, its progress and its quarantine: hidden (404 as for none) unless the batch's
    source is one ``user`` may import."""
    if any(source.code == batch.source for source in sources_importable_by(user)):
        return None
    reason = gate_decision(user).reason if not signed_in(user) else "not_their_source"
    return Refusal(reason=reason, message=NOT_FOUND, hidden=True)


def imports_nav_visible(user: AnyUser) -> bool:
    """The "Imports" navigation entry."""
    return imports_refusal(user) is None


# -- Webhook subscriptions ---------------------------------------------------------------------

WEBHOOK_REFUSED = "Only staff of an agency can subscribe to events"


def webhook_subscribe_refusal(user: AnyUser) -> Refusal | None:
    """Making a subscription: any signed-in user of an agency, for themselves. What it hears is
    bounded by their own access (``webhook_hears``), so a subscription never widens it."""
    if not signed_in(user):
        return Refusal(reason=gate_decision(user).reason, message=WEBHOOK_REFUSED)
    if user.agency_id is None:
        return Refusal(reason="no_agency", message=WEBHOOK_REFUSED)
    return None


def webhook_filter(user: AnyUser) -> Q:
    """``webhook_see_refusal``'s twin, as a filter on ``WebhookSubscription`` (and, with a
    ``subscription__`` prefix, on its deliveries)."""
    if not signed_in(user):
        return Q(pk__in=[])
    return Q(owner_id=user.pk)


def webhook_see_refusal(user: AnyUser, subscription: WebhookSubscription) -> Refusal | None:
    """A subscription and its delivery log: its owner's only; hidden (404) from anyone else."""
    if signed_in(user) and subscription.owner_id == user.pk:
        return None
    reason = gate_decision(user).reason if not signed_in(user) else "not_their_subscription"
    return Refusal(reason=reason, message=NOT_FOUND, hidden=True)


def webhook_hears(
    subscription: WebhookSubscription, *, case_id: int, agency_ids: frozenset[int] | None
) -> bool:
    """Does an event about ``case_id`` reach ``subscription``? Only if its owner is active and
    may see the case now (the same case rule as everything else: exclusions, need-to-know), and,
    for an event addressed to some agencies (an action assigned, a request decided), only if
    the owner belongs to one of them."""
    owner = subscription.owner
    if not signed_in(owner) or owner.agency_id is None:
        return False
    if agency_ids is not None and owner.agency_id not in agency_ids:
        return False
    return case_decision(owner, case_id).allowed


# ---------------------------------------------------------------------------------------------
# Linkage review (docs/exchange.md "Linkage review"): deciding whether an imported record is a
# register person. The reviewers of a source's records are those who import it (its agency's
# administrators, those of an agency directly under it, and system administrators): they
# answer for the source's data and its quarantine already. Senior operational roles do not
# review: a reviewer sees partner records whole, which operational roles otherwise never do.

REVIEW_REFUSED = "Only agency administrators and system administrators can review linkage"


def sources_reviewable_by(user: AnyUser) -> list[PartnerSource]:
    """The sources whose imported records ``user`` may review, link and unlink."""
    return sources_importable_by(user)


def reviews_refusal(user: AnyUser) -> Refusal | None:
    """The linkage review queue at all: for those who may review at least one source."""
    if not signed_in(user):
        return Refusal(reason=gate_decision(user).reason, message=REVIEW_REFUSED)
    if sources_reviewable_by(user):
        return None
    return Refusal(reason="not_a_reviewer", message=REVIEW_REFUSED)


def review_record_filter(user: AnyUser) -> Q:
    """``review_record_refusal``'s twin, as a filter on ``SourceRecord`` (prefix ``record__``
    for its linkage)."""
    return Q(source__in=[source.code for source in sources_reviewable_by(user)])


def review_record_refusal(user: AnyUser, source_code: str) -> Refusal | None:
    """A source record's linkage, candidates and decisions (reading and deciding): hidden
    (404 as for none) unless its source is one ``user`` may review."""
    if any(source.code == source_code for source in sources_reviewable_by(user)):
        return None
    reason = gate_decision(user).reason if not signed_in(user) else "not_their_source"
    return Refusal(reason=reason, message=NOT_FOUND, hidden=True)


def linkage_review_nav_visible(user: AnyUser) -> bool:
    """The "Linkage review" navigation entry."""
    return reviews_refusal(user) is None
