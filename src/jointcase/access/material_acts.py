"""Who may *act* on material (docs/design.md "The security model": ``access`` decides who may see and
who may act). ``jointcase.access.material`` decides who may see an item; this module decides
what a reader who sees it may do to it.

Each ``*_refusal(user, obj)`` answers whether ``user`` (who may see the object: check that
first) may use one form or operation on it: ``None`` when they may, else a
``jointcase.access.acting.Refusal``. The views ask before showing a form (GET) and the
services ask again before writing (``permission_require``), so a reader who may not is told
why with a 403, never a 400 or a 200, and nothing changes (SECURITY-TESTS class 3).

The label rules writers meet live here too: the writer's own reach (no one records what they
could not read: ``writer_label_errors``) and the tearline's "lower label" order
(``label_is_lower``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils import timezone

from jointcase.access.acting import Refusal
from jointcase.access.labels import CLASSIFICATION_RANK, Classification
from jointcase.access.material import (
    LabelFields,
    label_decision,
    label_fields_of,
    material_decision,
    material_write_access,
    within_reach,
)
from jointcase.access.policy import DENY_CLAUSES, case_facts_for, current_q, moment
from jointcase.access.roles import SENIOR_ROLES
from jointcase.accounts.models import User
from jointcase.agencies.models import TeamMembership
from jointcase.cases.models import CaseTeamMember
from jointcase.material.models import MaterialItem, ShareStatus, TearlineStatus

if TYPE_CHECKING:
    from jointcase.agencies.models import Caveat
    from jointcase.cases.models import Case
    from jointcase.material.models import BreakGlass, MaterialGrant, ShareRequest

__all__ = [
    "BREAKGLASS_REFUSED",
    "READ_ONLY_MESSAGES",
    "Audience",
    "add_refusal",
    "approve_refusal",
    "breakglass_open_refusal",
    "breakglass_review_refusal",
    "decide_refusal",
    "destroy_refusal",
    "export_refusal",
    "file_refusal",
    "fuller_version_reach_refusal",
    "grant_revoke_refusal",
    "grantee_cleared",
    "in_originating_agency",
    "is_senior",
    "label_is_lower",
    "lowering_refusal",
    "new_readers",
    "relabel_refusal",
    "retention_refusal",
    "share_deciders",
    "share_refusal",
    "tearline_approvers",
    "tearline_audience",
    "tearline_refusal",
    "tearline_request_reach_refusal",
    "write_refusal",
    "writer_label_errors",
]


def in_originating_agency(user: User, originator_id: int | None) -> bool:
    """Whether ``user`` belongs to the agency that originated a piece of material."""
    return user.agency_id is not None and user.agency_id == originator_id


def is_senior(user: User) -> bool:
    """A senior of their agency (``access.roles.SENIOR_ROLES``): reviews break-glass."""
    return user.is_active and user.has_role(*SENIOR_ROLES)


# --- Labels writers meet ---------------------------------------------------------------------


def _rank(level: str) -> int:
    return CLASSIFICATION_RANK.get(level, 99)


def label_is_lower(
    *,
    classification: str,
    caveat_ids: Iterable[int],
    than_classification: str,
    than_caveat_ids: Iterable[int],
) -> bool:
    """Whether a label is strictly lower than another (a tearline's against its parent's): a
    lower classification, or the same with fewer caveats, and never a caveat the other lacks."""
    caveats, than = frozenset(caveat_ids), frozenset(than_caveat_ids)
    if not caveats <= than:
        return False
    rank, than_rank = _rank(classification), _rank(than_classification)
    return rank < than_rank or (rank == than_rank and caveats < than)


def writer_label_errors(
    user: User, *, classification: str | None, caveats: Iterable[Caveat]
) -> dict[str, list[str]]:
    """The writer's label check: no one records a label they could not read themselves.

    ``classification`` None skips the clearance check (it was refused for another reason).
    Returns field errors (``classification``, ``caveats``), empty when the writer may."""
    errors: dict[str, list[str]] = {}
    if (
        classification is not None
        and within_reach(user, classification=classification, caveat_ids=()).reason == "clearance"
    ):
        errors["classification"] = ["You cannot record material above your own clearance"]
    not_held = sorted(
        c.code
        for c in caveats
        if within_reach(user, classification=Classification.OFFICIAL, caveat_ids=[c.pk]).reason
        == "caveats"
    )
    if not_held:
        errors["caveats"] = [f"You can only use caveats you hold: {', '.join(not_held)}"]
    return errors


def grantee_cleared(user: User, item: MaterialItem) -> bool:
    """Whether ``user`` could ever use a grant on ``item``: no grant goes to someone not
    cleared for its classification and caveats (a grant never extends either)."""
    return within_reach(
        user, classification=item.classification, caveat_ids=[c.pk for c in item.caveats.all()]
    ).allowed


# --- View versus edit ------------------------------------------------------------------------

#: Why a reader whose access is read-only (break-glass, an item grant) may not write.
READ_ONLY_MESSAGES = {
    "break_glass_read_only": "Break-glass access is read-only: you cannot change this case's "
    "material",
    "read_only": "Your access to this material is read-only: only the case team can change it",
}


def write_refusal(user: User, case: Case | int) -> Refusal | None:
    """Every write on a case's material needs the case relationship (``access``): never
    break-glass alone, never an item grant alone."""
    access = material_write_access(user, case)
    if access.allowed:
        return None
    return Refusal(
        access.reason, READ_ONLY_MESSAGES.get(access.reason, READ_ONLY_MESSAGES["read_only"])
    )


def add_refusal(user: User, case: Case) -> Refusal | None:
    """Adding material to a case (the case's material tab is open to the user: check that
    first) needs write access to it."""
    return write_refusal(user, case)


def share_refusal(user: User, item: MaterialItem) -> Refusal | None:
    """Asking for an item (its fuller version, or onward sharing) is a write on the case."""
    return write_refusal(user, item.case_id)


def _destroyed(item: MaterialItem) -> Refusal | None:
    if item.destroyed_at is not None:
        return Refusal("destroyed", "This item's content has been destroyed: it cannot be changed")
    return None


def _not_originator(user: User, item: MaterialItem, message: str) -> Refusal | None:
    if in_originating_agency(user, item.originator_id):
        return None
    return Refusal("not_originator", message.format(originator=item.originator.name))


def relabel_refusal(user: User, item: MaterialItem) -> Refusal | None:
    """Anyone on the case who sees an item may narrow its label; nobody but the originator
    agency may change an originator-controlled item's label (the consent). Widening is
    checked against the proposed label (``lowering_refusal``)."""
    if refusal := _destroyed(item):
        return refusal
    if item.orcon and not in_originating_agency(user, item.originator_id):
        return Refusal(
            "orcon_not_originator",
            f"This item is originator controlled: only {item.originator.name} may change its "
            "label or its sharing",
        )
    return write_refusal(user, item.case_id)


def lowering_refusal(user: User, item: MaterialItem, *, widening: bool) -> Refusal | None:
    """A label change that could let someone new read (``access.material.label_widening``)
    is the originator agency's alone."""
    if not widening or in_originating_agency(user, item.originator_id):
        return None
    return Refusal(
        "lowering_not_originator",
        f"Only {item.originator.name}, the originator, may lower this label or widen who it is "
        "released to",
    )


def tearline_refusal(user: User, parent: MaterialItem) -> Refusal | None:
    if refusal := _destroyed(parent):
        return refusal
    if refusal := _not_originator(
        user, parent, "Only {originator}, the originator, may write a tearline of this item"
    ):
        return refusal
    if parent.is_reference:
        return Refusal("reference", "A reference has no content to write a tearline of")
    if parent.parent_id is not None:
        return Refusal(
            "tearline_of_tearline",
            "This is already a tearline: write a tearline of the item it comes from",
        )
    return write_refusal(user, parent.case_id)


def approve_refusal(user: User, tearline: MaterialItem) -> Refusal | None:
    """Four eyes: a second person of the originating agency, never the author, once."""
    if tearline.parent_id is None:
        return Refusal("not_tearline", "This item is not a tearline: there is nothing to approve")
    if refusal := _not_originator(
        user, tearline, "Only a second person of {originator} may approve this tearline"
    ):
        return refusal
    if tearline.author_id == user.pk:
        return Refusal("own_tearline", "You wrote this tearline: a second person must approve it")
    if tearline.tearline_status != TearlineStatus.DRAFT:
        return Refusal("already_decided", "This tearline has already been decided")
    return write_refusal(user, tearline.case_id)


def destroy_refusal(user: User, item: MaterialItem) -> Refusal | None:
    if refusal := _destroyed(item):
        return refusal
    if refusal := _not_originator(
        user, item, "Only {originator}, the originator, may destroy this item"
    ):
        return refusal
    return write_refusal(user, item.case_id)


def retention_refusal(user: User, item: MaterialItem) -> Refusal | None:
    """Only the originator agency changes how long its material is kept."""
    if refusal := _destroyed(item):
        return refusal
    if refusal := _not_originator(
        user, item, "Only {originator}, the originator, may change how long this item is kept"
    ):
        return refusal
    return write_refusal(user, item.case_id)


def file_refusal(user: User, item: MaterialItem) -> Refusal | None:
    """Files are content: only the originator agency adds them, never to a reference or a
    destroyed item, and to a tearline only while it is a draft (so the second person approves
    the file with the text)."""
    if refusal := _destroyed(item):
        return refusal
    if refusal := _not_originator(
        user, item, "Only {originator}, the originator, may add files to it"
    ):
        return refusal
    if item.is_reference:
        return Refusal("reference", "A reference records where material is held: it has no files")
    if item.parent_id is not None and item.tearline_status != TearlineStatus.DRAFT:
        return Refusal(
            "tearline_decided",
            "This tearline has been decided: write a new tearline to add a sanitised file",
        )
    return write_refusal(user, item.case_id)


def export_refusal(user: User, item: MaterialItem) -> Refusal | None:
    """An originator-controlled item is exported only with the originator's consent: by its
    own users."""
    if item.orcon and not in_originating_agency(user, item.originator_id):
        return Refusal(
            "orcon_no_consent", "This item is originator controlled: it cannot be exported"
        )
    return None


def decide_refusal(user: User, share_request: ShareRequest) -> Refusal | None:
    """Only the originator agency decides a share request, and only once."""
    item = share_request.item
    if refusal := _not_originator(
        user, item, "Only {originator}, the originator, may decide this request"
    ):
        return refusal
    if share_request.status != ShareStatus.PENDING:
        return Refusal("already_decided", "This request has already been decided")
    return write_refusal(user, item.case_id)


def grant_revoke_refusal(user: User, grant: MaterialGrant) -> Refusal | None:
    """The originator agency, or the person who approved the grant, revokes it while live."""
    item = grant.item
    if not (in_originating_agency(user, item.originator_id) or grant.granted_by_id == user.pk):
        return Refusal(
            "not_originator",
            f"Only {item.originator.name}, the originator, or the person who approved this "
            "access may revoke it",
        )
    if grant.expires_at <= timezone.now():
        return Refusal("grant_ended", "This access has already ended")
    return write_refusal(user, item.case_id)


#: The one refusal for a case that does not exist and one the user is excluded from.
BREAKGLASS_REFUSED = "Break-glass access cannot be opened for this case"


def breakglass_open_refusal(user: User, case: Case) -> Refusal | None:
    """Break-glass overrides need-to-know only: never an exclusion (the DENY clauses of the
    case rule). The message is the one given for a case that does not exist."""
    facts = case_facts_for(user, case.pk)
    if any(clause.holds(facts, moment()) for clause in DENY_CLAUSES):
        return Refusal("excluded", BREAKGLASS_REFUSED)
    return None


def breakglass_review_refusal(user: User, break_glass: BreakGlass) -> Refusal | None:
    """A senior reviews someone else's break-glass access, once (seniority is checked first:
    to anyone else the queue does not exist)."""
    if break_glass.user_id == user.pk:
        return Refusal("own_breakglass", "You cannot review your own break-glass access")
    if break_glass.reviewed_at is not None:
        return Refusal("already_reviewed", "This access has already been reviewed")
    return None


# --- Whom a step waits for -------------------------------------------------------------------


def _case_people(case_id: int) -> list[User]:
    """The active people on a case now: its case team in person, the current members of teams
    on it, and the managers of those in person (their line managers and the managers of their
    current teams, as ``access.management`` defines them): those who may work it."""
    today = timezone.localdate()
    rows = CaseTeamMember.objects.filter(current_q(today), case_id=case_id)
    in_person = rows.filter(user__isnull=False).order_by().values("user_id")
    through_teams = (
        TeamMembership.objects.filter(
            current_q(today), team_id__in=rows.filter(team__isnull=False).values("team_id")
        )
        .order_by()
        .values("user_id")
    )
    line_managers = (
        User.objects.filter(pk__in=in_person, line_manager__isnull=False)
        .order_by()
        .values("line_manager_id")
    )
    team_managers = (
        TeamMembership.objects.filter(
            current_q(today), user_id__in=in_person, team__manager__isnull=False
        )
        .order_by()
        .values("team__manager_id")
    )
    return list(
        User.objects.filter(is_active=True)
        .filter(pk__in=in_person.union(through_teams, line_managers, team_managers))
        .select_related("agency")
        .order_by("pk")
    )


def tearline_approvers(tearline: MaterialItem) -> list[User]:
    """The people who may approve a draft tearline (a second person of its originating agency
    who works the case): the ones it waits for."""
    return [
        user
        for user in _case_people(tearline.case_id)
        if in_originating_agency(user, tearline.originator_id)
        and approve_refusal(user, tearline) is None
    ]


def share_deciders(share_request: ShareRequest) -> list[User]:
    """The people of the originating agency who may decide a share request."""
    item = share_request.item
    return [
        user
        for user in _case_people(item.case_id)
        if in_originating_agency(user, item.originator_id)
        and user.pk != share_request.requester_id
        and decide_refusal(user, share_request) is None
    ]


def new_readers(tearline: MaterialItem, *, besides: Iterable[int] = ()) -> list[User]:
    """The people working the case who may read an approved tearline but not the item it comes
    from: those the tearline was written for (a POM, a non-specialist practitioner)."""
    if tearline.parent_id is None:
        return []
    parent = MaterialItem.objects.get(pk=tearline.parent_id)
    skip = set(besides)
    return [
        user
        for user in _case_people(tearline.case_id)
        if user.pk not in skip
        and material_decision(user, tearline).allowed
        and not material_decision(user, parent).allowed
    ]


# --- Who a tearline reaches, and whether a request can ever be granted ----------------------


@dataclass(frozen=True)
class AudienceGroup:
    """The people of one agency a tearline reaches: "Jo Bloggs (Prison offender manager)"."""

    agency: str
    people: tuple[str, ...]


@dataclass(frozen=True)
class Audience:
    """Who will be able to read a tearline once approved, in plain English, by agency."""

    groups: tuple[AudienceGroup, ...]

    @property
    def count(self) -> int:
        return sum(len(group.people) for group in self.groups)

    def sentence(self) -> str:
        """One sentence for a message: "2 people: Jo Bloggs (...) of HMP X; Sam Roe (...) of Y"."""
        if not self.groups:
            return "no one on the case team"
        parts = [f"{', '.join(group.people)} of {group.agency}" for group in self.groups]
        noun = "person" if self.count == 1 else "people"
        return f"{self.count} {noun} on the case team: {'; '.join(parts)}"


def _person(user: User) -> str:
    roles = user.role_labels
    return f"{user} ({', '.join(roles)})" if roles else str(user)


def tearline_audience(tearline: MaterialItem) -> Audience:
    """The people working the case who will be able to read ``tearline`` once it is approved:
    the material rule itself (``label_decision``: clearance, caveats, releasability,
    need-to-know, exclusions) on the tearline's label, so this list cannot disagree with what
    readers will see. Only the approval (the draft clause) is left out: that is what is being
    decided."""
    label = label_fields_of(tearline)
    readers = [
        user
        for user in _case_people(tearline.case_id)
        if label_decision(user, label, tearline.case_id).allowed
    ]
    by_agency: dict[str, list[str]] = {}
    for user in readers:
        agency = user.agency.name if user.agency is not None else "no agency"
        by_agency.setdefault(agency, []).append(_person(user))
    return Audience(
        tuple(AudienceGroup(agency, tuple(people)) for agency, people in sorted(by_agency.items()))
    )


#: Why a request for the fuller version could never be granted (the requester's own reach).
_REACH_MESSAGES = {
    "clearance": "Your vetting does not reach the classification of the fuller version, so no "
    "one could approve a request for it",
    "caveats": "The fuller version carries a caveat you do not hold, so no one could approve "
    "a request for it",
}


def fuller_version_reach_refusal(user: User, item: MaterialItem) -> Refusal | None:
    """Could an access request by ``user`` for ``item`` ever be granted? Not when their own
    reach (vetting, caveats) falls short of its label: no grant ever extends either
    (``grantee_cleared``). They may ask the originator for a tearline at their level instead."""
    reach = within_reach(
        user, classification=item.classification, caveat_ids=[c.pk for c in item.caveats.all()]
    )
    if reach.allowed:
        return None
    message = _REACH_MESSAGES.get(reach.reason, _REACH_MESSAGES["clearance"])
    return Refusal(reach.reason, message)


def tearline_request_reach_refusal(
    requester: User, label: LabelFields, case_id: int
) -> Refusal | None:
    """A tearline written to answer a request must be one the requester can read once it is
    approved (the material rule on its label, as ``tearline_audience``)."""
    if label_decision(requester, label, case_id).allowed:
        return None
    return Refusal(
        "requester_cannot_read",
        f"{requester} could not read a tearline with this label: choose a lower "
        "classification, fewer caveats or release it to their agency",
    )
