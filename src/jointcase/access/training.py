"""The prison training and POM involvement rules: who may see an establishment's figures, whose
training records one may read, for whom one may record a completion, and who answers the
confidence survey (docs/prison-training.md "Who may see what").

One rule, two forms, as everywhere in ``access``: each single-object decision has its queryset
twin beside it, and tests/workforce/test_training_policy_agrees.py proves on generated worlds
that they agree.

- An *establishment* is an active prison agency that is not the parent of other prisons (the
  HMPPS counter-terrorism unit is a prison agency, but a headquarters, not an establishment).
- Its *staff* are its active users holding a role the course catalogue sets requirements for
  (``courses.yaml``: POM, prison CT lead).
- Establishment figures (compliance, confidence averages, the POM involvement share) are
  aggregates: national roles see every establishment's, a regional CT coordinator those of the
  establishments under their agency (their region), a prison CT lead their own establishment's.
  Nobody else sees them.
- Named training records: a member of staff sees their own; the prison CT lead of an
  establishment sees and records those of its staff. Regional coordinators and national roles
  never see a named record (aggregates only).
- The POM involvement *list* names cases: it is filtered by the case rule
  (``policy.case_filter``), never widened here; national roles therefore see aggregates only.
"""

from __future__ import annotations

from django.db.models import Q

from jointcase.access.acting import Refusal
from jointcase.access.policy import (
    AnyUser,
    Decision,
    gate_decision,
    is_national_role,
    signed_in,
)
from jointcase.accounts.models import Role, RoleAssignment, User
from jointcase.agencies.models import Agency, AgencyKind
from jointcase.workforce.courses import courses_current
from jointcase.workforce.models import TrainingCompletion

OVERVIEW_REFUSED = (
    "Only prison CT leads, regional CT coordinators and national roles can see training figures"
)
RECORD_REFUSED = "Only the prison CT lead of an establishment can record its staff's training"
SURVEY_REFUSED = "Only the staff of a prison establishment can answer the confidence survey"
NOT_FOUND = "Not found"


# --- Establishments and their staff ---------------------------------------------------------


def establishment_q() -> Q:
    """Establishments, as a filter on ``Agency``: active prisons that head no other prison."""
    parents = Agency.objects.filter(kind=AgencyKind.PRISON, parent__isnull=False).values(
        "parent_id"
    )
    return Q(kind=AgencyKind.PRISON, is_active=True) & ~Q(pk__in=parents)


def is_establishment(agency: Agency | None) -> bool:
    """``establishment_q`` for one agency."""
    if agency is None or agency.kind != AgencyKind.PRISON or not agency.is_active:
        return False
    return not Agency.objects.filter(kind=AgencyKind.PRISON, parent_id=agency.pk).exists()


def is_prison_staff(user: AnyUser) -> bool:
    """Is ``user`` a member of staff of an establishment (active, of an establishment, holding
    a role the catalogue sets requirements for)?"""
    if not signed_in(user) or user.agency_id is None:
        return False
    if not user.has_role(*courses_current().staff_roles):
        return False
    return is_establishment(user.agency)


def prison_staff_filter() -> Q:
    """``is_prison_staff``'s twin, as a filter on ``User``."""
    holders = RoleAssignment.objects.filter(role__in=sorted(courses_current().staff_roles)).values(
        "user_id"
    )
    return Q(
        is_active=True,
        pk__in=holders,
        agency_id__in=Agency.objects.filter(establishment_q()).values("pk"),
    )


# --- Establishment figures (aggregates) -----------------------------------------------------


def _oversees(user: User) -> str:
    """Why ``user`` may see some establishment figures ("" when they may see none)."""
    if is_national_role(user):
        return "national"
    if user.agency_id is not None and user.has_role(Role.REGIONAL_CT_COORDINATOR):
        return "region"
    if user.agency_id is not None and user.has_role(Role.PRISON_CT_LEAD):
        return "own_establishment"
    return ""


def establishment_decision(user: AnyUser, establishment: Agency) -> Decision:
    """May ``user`` see ``establishment``'s figures (compliance, survey averages, the POM
    involvement share)?"""
    if not signed_in(user):
        return gate_decision(user)
    if not is_establishment(establishment):
        return Decision(False, "not_an_establishment")
    why = _oversees(user)
    if why == "national":
        return Decision(True, why)
    if why == "region" and user.agency_id in (establishment.parent_id, establishment.pk):
        return Decision(True, why)
    if user.has_role(Role.PRISON_CT_LEAD) and user.agency_id == establishment.pk:
        return Decision(True, "own_establishment")
    return Decision(False, "not_overseeing" if why else "not_prison_oversight")


def establishment_filter(user: AnyUser) -> Q:
    """``establishment_decision``'s twin, as a filter on ``Agency``."""
    if not signed_in(user):
        return Q(pk__in=[])
    why = _oversees(user)
    if why == "national":
        return establishment_q()
    allowed = Q(pk__in=[])
    if why == "region":
        allowed |= Q(parent_id=user.agency_id) | Q(pk=user.agency_id)
    if user.agency_id is not None and user.has_role(Role.PRISON_CT_LEAD):
        allowed |= Q(pk=user.agency_id)
    return establishment_q() & allowed


def training_overview_refusal(user: AnyUser) -> Refusal | None:
    """The training overview (establishments and their compliance): for those who oversee at
    least one establishment by role (``establishment_filter`` then says which)."""
    if not signed_in(user):
        return Refusal(reason=gate_decision(user).reason, message=OVERVIEW_REFUSED)
    if _oversees(user):
        return None
    return Refusal(reason="not_prison_oversight", message=OVERVIEW_REFUSED)


def establishment_see_refusal(user: AnyUser, establishment: Agency) -> Refusal | None:
    """An establishment page: hidden (404 as for none) unless ``establishment_decision``."""
    decision = establishment_decision(user, establishment)
    if decision.allowed:
        return None
    return Refusal(reason=decision.reason, message=NOT_FOUND, hidden=True)


def training_nav_visible(user: AnyUser) -> bool:
    """The "Prison training" navigation entry: overseers and prison staff."""
    return training_overview_refusal(user) is None or is_prison_staff(user)


# --- Named training records -----------------------------------------------------------------


def _leads_establishment(user: User) -> bool:
    return user.agency_id is not None and user.has_role(Role.PRISON_CT_LEAD)


def staff_names_decision(user: AnyUser, establishment: Agency) -> Decision:
    """May ``user`` see who at ``establishment`` has expired or missing training (names)? Its
    own prison CT lead only."""
    if not signed_in(user):
        return gate_decision(user)
    if _leads_establishment(user) and user.agency_id == establishment.pk:
        return Decision(True, "establishment_lead")
    return Decision(False, "aggregates_only")


def completion_decision(user: AnyUser, completion: TrainingCompletion) -> Decision:
    """May ``user`` see ``completion``? Their own, or any of their establishment's staff's as
    its prison CT lead."""
    if not signed_in(user):
        return gate_decision(user)
    if completion.staff_id == user.pk:
        return Decision(True, "own_record")
    if _leads_establishment(user):
        staff_agency = (
            User.objects.filter(pk=completion.staff_id).values_list("agency_id", flat=True).first()
        )
        if staff_agency == user.agency_id:
            return Decision(True, "establishment_lead")
    if is_national_role(user) or user.has_role(Role.REGIONAL_CT_COORDINATOR):
        return Decision(False, "aggregates_only")
    return Decision(False, "not_own_record")


def completion_filter(user: AnyUser) -> Q:
    """``completion_decision``'s twin, as a filter on ``TrainingCompletion``."""
    if not signed_in(user):
        return Q(pk__in=[])
    allowed = Q(staff_id=user.pk)
    if _leads_establishment(user):
        allowed |= Q(staff__agency_id=user.agency_id)
    return allowed


def completions_visible_to(user: AnyUser) -> Q:
    return completion_filter(user)


def completion_record_decision(user: AnyUser, staff: User) -> Decision:
    """May ``user`` record a completion for ``staff``? The prison CT lead of the
    establishment ``staff`` belongs to, for its staff only (themselves included)."""
    if not signed_in(user):
        return gate_decision(user)
    if not _leads_establishment(user) or not is_establishment(user.agency):
        return Decision(False, "not_prison_ct_lead")
    if staff.agency_id != user.agency_id or not is_prison_staff(staff):
        return Decision(False, "not_establishment_staff")
    return Decision(True, "establishment_lead")


def completion_record_filter(user: AnyUser) -> Q:
    """``completion_record_decision``'s twin, as a filter on ``User``: whom ``user`` may
    record completions for."""
    if not signed_in(user) or not _leads_establishment(user):
        return Q(pk__in=[])
    return prison_staff_filter() & Q(agency_id=user.agency_id)


def completion_record_refusal(user: AnyUser, establishment: Agency | None = None) -> Refusal | None:
    """Recording completions at all (the form): prison CT leads of an establishment, and with
    ``establishment`` given, for that establishment only (their own). Which staff member is
    refused on the form's field (``completion_record_decision``)."""
    if not signed_in(user):
        return Refusal(reason=gate_decision(user).reason, message=RECORD_REFUSED)
    if not (_leads_establishment(user) and is_establishment(user.agency)):
        return Refusal(reason="not_prison_ct_lead", message=RECORD_REFUSED)
    if establishment is not None and establishment.pk != user.agency_id:
        return Refusal(reason="not_their_establishment", message=RECORD_REFUSED)
    return None


# --- The confidence survey ------------------------------------------------------------------


def survey_refusal(user: AnyUser) -> Refusal | None:
    """Answering the confidence survey: the staff of an establishment (``is_prison_staff``)."""
    if not signed_in(user):
        return Refusal(reason=gate_decision(user).reason, message=SURVEY_REFUSED)
    if is_prison_staff(user):
        return None
    return Refusal(reason="not_prison_staff", message=SURVEY_REFUSED)
