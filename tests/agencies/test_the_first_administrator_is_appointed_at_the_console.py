"""Roles cannot be set in the Django admin, so a new agency's first administrator is appointed
at the console: ``jointcase agency-admin appoint|revoke|list --agency CODE USERNAME``. Only a
user of that agency, active and not a platform account, can be appointed; every appointment,
removal and refusal is in the audit chain with the actor "console"."""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from jointcase.accounts.models import Role, User
from jointcase.agencies.models import Agency, AgencyKind, VettingLevel
from jointcase.audit.models import AuditEntry, Outcome
from tests.conftest import Personas
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def new_agency(personas: Personas) -> Agency:
    return AgencyFactory(
        code="ctu-south-west", name="CT Policing South West", kind=AgencyKind.POLICE
    )


@pytest.fixture
def first_user(new_agency: Agency) -> User:
    return UserFactory(
        username="sw.admin", agency=new_agency, roles=[Role.CT_SUPERVISOR], vetting=VettingLevel.SC
    )


def _run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("agency_admin", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _roles(user: User) -> set[str]:
    return set(user.role_assignments.values_list("role", flat=True))


def test_an_appointed_user_administers_their_agency_and_the_console_is_on_record(
    new_agency: Agency, first_user: User, client_for: Callable[[User], Client]
) -> None:
    assert client_for(first_user).get(reverse("agencies:admin-users")).status_code != 200

    out, _ = _run("appoint", "--agency", "ctu-south-west", "sw.admin", "--reason", "New unit")

    assert "sw.admin is now an administrator of ctu-south-west" in out
    assert _roles(first_user) == {Role.CT_SUPERVISOR, Role.AGENCY_ADMIN}
    page = client_for(first_user).get(reverse("agencies:admin-users"))
    assert page.status_code == 200
    entry = AuditEntry.objects.get(action="agencies.admin_appoint")
    assert entry.outcome == Outcome.SUCCESS
    assert entry.actor_id is None
    assert entry.actor_username == "console"
    assert entry.object_id == str(first_user.pk)
    assert entry.reason == "New unit"
    assert entry.details["via"] == "console"
    assert entry.details["agency"] == "ctu-south-west"
    assert _run("list", "--agency", "ctu-south-west")[0].split() == ["sw.admin"]


def test_a_removed_administrator_loses_the_pages_at_the_next_request_and_is_warned_of(
    new_agency: Agency, first_user: User, client_for: Callable[[User], Client]
) -> None:
    _run("appoint", "--agency", "ctu-south-west", "sw.admin")
    client = client_for(first_user)
    assert client.get(reverse("agencies:admin-users")).status_code == 200

    out, err = _run("revoke", "--agency", "ctu-south-west", "sw.admin", "--reason", "Moved on")

    assert "no longer an administrator" in out
    assert "no active administrator left" in err
    assert _roles(first_user) == {Role.CT_SUPERVISOR}
    assert client.get(reverse("agencies:admin-users")).status_code in (403, 404)
    entry = AuditEntry.objects.get(action="agencies.admin_revoke")
    assert (entry.outcome, entry.actor_username, entry.details["via"]) == (
        Outcome.SUCCESS,
        "console",
        "console",
    )


def test_a_user_of_another_agency_is_refused_and_the_attempt_is_on_record(
    new_agency: Agency, personas: Personas
) -> None:
    with pytest.raises(CommandError, match="is not a user of ctu-south-west"):
        _run("appoint", "--agency", "ctu-south-west", personas.ctnm_officer.username)

    assert Role.AGENCY_ADMIN not in _roles(personas.ctnm_officer)
    entry = AuditEntry.objects.get(action="agencies.admin_appoint")
    assert entry.outcome == Outcome.FAILURE
    assert entry.actor_username == "console"
    assert entry.object_id == str(personas.ctnm_officer.pk)


def test_another_agencys_administrator_cannot_be_removed_through_this_agency(
    new_agency: Agency, personas: Personas
) -> None:
    with pytest.raises(CommandError, match="is not a user of ctu-south-west"):
        _run("revoke", "--agency", "ctu-south-west", personas.agency_admin.username)

    assert Role.AGENCY_ADMIN in _roles(personas.agency_admin)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"is_active": False}, "is disabled"),
        ({"is_superuser": True}, "platform account"),
    ],
)
def test_a_disabled_user_or_a_platform_account_is_not_appointed(
    first_user: User, change: dict[str, bool], message: str
) -> None:
    User.objects.filter(pk=first_user.pk).update(**change)

    with pytest.raises(CommandError, match=message):
        _run("appoint", "--agency", "ctu-south-west", "sw.admin")

    assert Role.AGENCY_ADMIN not in _roles(first_user)


def test_the_system_administrator_cannot_be_made_an_agency_administrator(
    personas: Personas,
) -> None:
    sysadmin = personas.system_admin
    assert sysadmin.agency is not None
    with pytest.raises(CommandError, match="platform account"):
        _run("appoint", "--agency", sysadmin.agency.code, sysadmin.username)

    assert _roles(sysadmin) == {Role.SYSTEM_ADMIN}


def test_appointing_twice_or_removing_a_non_administrator_changes_nothing(
    first_user: User,
) -> None:
    _run("appoint", "--agency", "ctu-south-west", "sw.admin")
    with pytest.raises(CommandError, match="already an administrator"):
        _run("appoint", "--agency", "ctu-south-west", "sw.admin")
    _run("revoke", "--agency", "ctu-south-west", "sw.admin")
    with pytest.raises(CommandError, match="is not an administrator"):
        _run("revoke", "--agency", "ctu-south-west", "sw.admin")

    assert _roles(first_user) == {Role.CT_SUPERVISOR}
    outcomes = list(
        AuditEntry.objects.filter(action__startswith="agencies.admin_")
        .order_by("seq")
        .values_list("action", "outcome")
    )
    assert outcomes == [
        ("agencies.admin_appoint", Outcome.SUCCESS),
        ("agencies.admin_appoint", Outcome.FAILURE),
        ("agencies.admin_revoke", Outcome.SUCCESS),
        ("agencies.admin_revoke", Outcome.FAILURE),
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("appoint", "--agency", "no-such-agency", "sw.admin"), "No agency has the code"),
        (("appoint", "--agency", "ctu-south-west", "nobody.here"), "No user is called"),
    ],
)
def test_an_unknown_agency_or_user_is_a_clear_error(
    first_user: User, args: tuple[str, ...], message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        _run(*args)

    assert not AuditEntry.objects.filter(action__startswith="agencies.admin_").exists()
