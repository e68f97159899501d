"""Who holds a role is asked of ``jointcase.access`` (``roles``, ``agencies``, ``accounts``,
``labels``): each predicate answers for every persona as the pages and services need, and a
predicate that a list also needs agrees with its queryset twin."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from jointcase.access.accounts import api_token_manage_allowed, mfa_reset_allowed
from jointcase.access.agencies import agency_user_refusal, users_managed_by
from jointcase.access.labels import Classification, releasable_with_originator
from jointcase.access.policy import gate_decision, signed_in, user_gate
from jointcase.access.roles import (
    agency_managers,
    holds_agency_admin_role,
    is_agency_manager,
    is_auditor,
    is_system_admin,
)
from jointcase.accounts.models import User
from jointcase.home.marking import PageMarking
from tests.conftest import Personas
from tests.factories import UserFactory


def _names(users: object) -> set[str]:
    return {user.username for user in users}  # type: ignore[attr-defined]


def test_only_the_auditor_reads_the_audit_and_only_the_administrator_sees_agency_pages(
    personas: Personas,
) -> None:
    everyone = personas.all().values()
    assert _names(u for u in everyone if is_auditor(u)) == {"auditor"}
    assert _names(u for u in everyone if holds_agency_admin_role(u)) == {"agency.admin"}
    assert _names(u for u in everyone if is_system_admin(u)) == {"sysadmin"}
    for nobody in (AnonymousUser(), None):
        assert not is_auditor(nobody)
        assert not holds_agency_admin_role(nobody)


def test_the_agency_managers_are_exactly_the_users_is_agency_manager_names(
    personas: Personas,
) -> None:
    """``is_agency_manager`` (one user) and ``agency_managers`` (a queryset) are one rule."""
    everyone = list(personas.all().values())
    for agency_id in {user.agency_id for user in everyone if user.agency_id is not None}:
        listed = set(agency_managers(agency_id).values_list("pk", flat=True))
        decided = {u.pk for u in everyone if u.agency_id == agency_id and is_agency_manager(u)}
        assert listed == decided
    managers = {u.username for u in everyone if is_agency_manager(u)}
    assert managers == {"nsd.lead", "ct.supervisor"}


def test_the_users_an_administrator_manages_are_those_the_refusal_lets_them_reach(
    personas: Personas,
) -> None:
    admin = personas.agency_admin
    nsd = admin.agency
    # In the administrator's own agency: a superuser and a system administrator, both beyond
    # reach (platform accounts), beside the ordinary NSD users.
    UserFactory(username="nsd.superuser", agency=nsd, is_superuser=True)
    UserFactory(username="nsd.sysadmin", agency=nsd, roles=["SYSTEM_ADMIN"])
    users = list(User.objects.all())
    listed = set(users_managed_by(admin).values_list("pk", flat=True))
    reachable = {u.pk for u in users if agency_user_refusal(admin, u, self_allowed=True) is None}
    assert listed == reachable
    assert _names(u for u in users if u.pk in listed) == {
        "nsd.practitioner",
        "nsd.lead",
        "agency.admin",
    }
    assert not users_managed_by(personas.nsd_lead).exists()


def test_second_factors_are_reset_only_downwards_and_never_ones_own(personas: Personas) -> None:
    admin, sysadmin = personas.agency_admin, personas.system_admin
    assert mfa_reset_allowed(actor=admin, user=personas.nsd_practitioner)
    assert not mfa_reset_allowed(actor=admin, user=personas.ctnm_officer)  # another agency
    assert not mfa_reset_allowed(actor=admin, user=admin)
    assert not mfa_reset_allowed(actor=admin, user=sysadmin)
    assert mfa_reset_allowed(actor=sysadmin, user=admin)
    assert not mfa_reset_allowed(actor=personas.nsd_lead, user=personas.nsd_practitioner)
    admin.is_active = False
    assert not mfa_reset_allowed(actor=admin, user=personas.nsd_practitioner)


def test_api_tokens_are_managed_by_their_owner_a_system_administrator_or_the_console(
    personas: Personas,
) -> None:
    owner = personas.ctnm_officer
    assert api_token_manage_allowed(owner, owner)
    assert api_token_manage_allowed(personas.system_admin, owner)
    assert api_token_manage_allowed(None, owner)
    assert not api_token_manage_allowed(personas.ct_supervisor, owner)
    assert not api_token_manage_allowed(personas.agency_admin, owner)
    owner.is_active = False
    assert not api_token_manage_allowed(owner, owner)


def test_only_an_active_signed_in_user_passes_the_gate(personas: Personas) -> None:
    user = personas.pom
    assert signed_in(user)
    assert user_gate(user) is None
    for nobody in (AnonymousUser(), None):
        assert not signed_in(nobody)
        assert user_gate(nobody) == gate_decision(nobody)
        assert gate_decision(nobody).reason == "anonymous"
    user.is_active = False
    assert not signed_in(user)
    assert user_gate(user) == gate_decision(user)
    assert gate_decision(user).reason == "inactive_user"


def test_the_originator_always_holds_its_own_material(personas: Personas) -> None:
    police = personas.ctnm_officer.agency
    prison = personas.pom.agency
    assert police is not None
    assert prison is not None
    assert releasable_with_originator([prison], police) == [prison, police]
    assert releasable_with_originator([prison, police], police) == [prison, police]
    # No releasability at all means every agency on the case: nothing to add.
    assert releasable_with_originator([], police) == []


def test_a_page_is_marked_with_the_highest_classification_it_shows() -> None:
    marking = PageMarking()
    assert marking.highest == Classification.OFFICIAL
    for shown in (
        Classification.OFFICIAL_SENSITIVE,
        Classification.SECRET,
        Classification.OFFICIAL,
        Classification.OFFICIAL_SENSITIVE,
    ):
        marking.note(shown)
    assert marking.highest == Classification.SECRET
    assert marking.css_modifier == "secret"
