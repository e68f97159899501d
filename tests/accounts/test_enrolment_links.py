"""A new user, or one whose second factor is reset, enrols with a single-use link: nobody else
ever holds a working credential for them."""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from jointcase.accounts.enrolment import enrolment_link_issue
from jointcase.accounts.models import EnrolmentLink, EnrolmentReason, User
from jointcase.accounts.services import mfa_reset
from jointcase.audit.models import AuditEntry
from tests.factories import PASSWORD, UserFactory
from tests.support.users import new_user_data

pytestmark = pytest.mark.django_db

OWN_PASSWORD = "quince lantern harbour 5520"


def _link_path(body: str) -> str:
    found = re.search(r"(/sign-in/enrol/[^/\"]+/)", body)
    assert found is not None, "no enrolment link on the page"
    return found.group(1)


def _code(device: TOTPDevice) -> str:
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{value:0{device.digits}d}"


def _pending_device(user: User) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    assert device is not None
    return device


def _enrol(client: Client, path: str, user: User, password: str = OWN_PASSWORD) -> object:
    assert client.get(path).status_code == 200
    device = _pending_device(user)
    return client.post(
        path, {"password": password, "password_confirm": password, "code": _code(device)}
    )


def _new_user_link(admin_client: Client) -> tuple[User, str]:
    response = admin_client.post("/agencies/users/new/", new_user_data())
    assert response.status_code == 200
    return User.objects.get(username="imogen.fairweather"), _link_path(response.content.decode())


@pytest.fixture
def admin_client(personas, client_for) -> Client:
    return client_for(personas.agency_admin)


def test_the_add_user_form_has_no_password_for_the_administrator_to_choose(admin_client):
    body = admin_client.get("/agencies/users/new/").content.decode()
    assert 'name="password"' not in body
    assert "enrolment link" in body


def test_a_password_posted_by_the_administrator_is_ignored(admin_client):
    data = new_user_data(password=OWN_PASSWORD, password_confirm=OWN_PASSWORD)
    assert admin_client.post("/agencies/users/new/", data).status_code == 200
    user = User.objects.get(username="imogen.fairweather")
    assert not user.has_usable_password()
    assert (
        Client()
        .post("/sign-in/", {"username": user.username, "password": OWN_PASSWORD})
        .status_code
        == 400
    )


def test_a_new_user_sets_their_own_password_and_authenticator_with_the_link(admin_client):
    user, path = _new_user_link(admin_client)
    newcomer = Client()
    page = newcomer.get(path)
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    assert page["Referrer-Policy"] == "same-origin"  # never sent to another site
    assert "Set up your authenticator app" in page.content.decode()

    response = _enrol(newcomer, path, user)
    assert response.status_code == 302
    assert newcomer.get("/").status_code == 200  # signed in, second factor verified
    user.refresh_from_db()
    assert user.check_password(OWN_PASSWORD)
    assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1
    assert EnrolmentLink.objects.get(user=user).used_at is not None
    done = AuditEntry.objects.get(action="accounts.enrolment_completed")
    assert done.actor_username == "imogen.fairweather"


def test_an_enrolment_link_works_once(admin_client):
    user, path = _new_user_link(admin_client)
    assert _enrol(Client(), path, user).status_code == 302
    again = Client().get(path)
    assert again.status_code == 410
    assert "This link has expired or has already been used" in again.content.decode()


def test_an_expired_enrolment_link_answers_a_clear_page_and_enrols_nobody(admin_client):
    user, path = _new_user_link(admin_client)
    EnrolmentLink.objects.filter(user=user).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    client = Client()
    response = client.get(path)
    assert response.status_code == 410
    assert "This link has expired or has already been used" in response.content.decode()
    posted = client.post(path, {"password": OWN_PASSWORD, "password_confirm": OWN_PASSWORD})
    assert posted.status_code == 410
    assert not User.objects.get(pk=user.pk).has_usable_password()


@pytest.mark.parametrize("secret", ["not-a-link", "x" * 500, "%00"])
def test_an_unknown_link_answers_the_same_page(personas, secret):
    response = Client().get(f"/sign-in/enrol/{secret}/")
    assert response.status_code == 410
    assert "This link has expired or has already been used" in response.content.decode()


def test_a_link_defaults_to_72_hours(personas):
    user = UserFactory(username="waiting.user", agency=personas.agency_admin.agency, totp=False)
    link, _secret = enrolment_link_issue(
        actor=personas.agency_admin, user=user, reason=EnrolmentReason.NEW_USER
    )
    assert link.expires_at - link.created_at == dt.timedelta(hours=72)


def test_a_new_link_revokes_the_earlier_one(admin_client, personas):
    user, first = _new_user_link(admin_client)
    response = admin_client.post(f"/agencies/users/{user.pk}/enrolment-link/")
    assert response.status_code == 200
    second = _link_path(response.content.decode())
    assert Client().get(first).status_code == 410
    assert _enrol(Client(), second, user).status_code == 302


def test_an_enrolled_user_gets_a_new_link_only_through_a_second_factor_reset(
    admin_client, personas
):
    practitioner = personas.nsd_practitioner
    response = admin_client.post(f"/agencies/users/{practitioner.pk}/enrolment-link/")
    assert response.status_code == 400
    assert "reset their second factor instead" in response.content.decode()
    assert not EnrolmentLink.objects.filter(user=practitioner).exists()
    assert User.objects.get(pk=practitioner.pk).check_password(PASSWORD)


@pytest.mark.parametrize(
    ("data", "field_error"),
    [
        ({"password": "short", "password_confirm": "short"}, "This password is too short"),
        ({"password_confirm": "something else entirely"}, "The passwords do not match"),
        ({"code": "000000"}, "The code does not match"),
        ({"code": "12ab"}, "Enter the security code as 6 digits"),
    ],
)
def test_bad_enrolment_input_shows_the_error_summary_and_changes_nothing(
    admin_client, data, field_error
):
    user, path = _new_user_link(admin_client)
    client = Client()
    client.get(path)
    device = _pending_device(user)
    posted = {
        "password": OWN_PASSWORD,
        "password_confirm": OWN_PASSWORD,
        "code": _code(device),
        **data,
    }
    if data.get("code") == "000000" and _code(device) == "000000":  # pragma: no cover
        posted["code"] = "111111"
    response = client.post(path, posted)
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert field_error in response.content.decode()
    user.refresh_from_db()
    assert not user.has_usable_password()
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    assert EnrolmentLink.objects.get(user=user).used_at is None
    assert client.get("/").status_code == 302


def test_a_password_alone_never_enrols_a_first_second_factor(personas):
    """A user with a password but no second factor (created before enrolment links) cannot
    turn the password into a sign-in by enrolling an authenticator app of their choosing."""
    user = UserFactory(username="legacy.user", agency=personas.agency_admin.agency, totp=False)
    client = Client()
    assert (
        client.post("/sign-in/", {"username": user.username, "password": PASSWORD}).status_code
        == 302
    )
    page = client.get("/second-factor/")
    assert page.status_code == 200
    assert "enrolment link" in page.content.decode()
    assert client.get("/second-factor/authenticator-app/")["Location"].startswith("/second-factor/")
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert client.get("/").status_code == 302


def test_after_a_reset_the_user_enrols_again_with_the_new_link(admin_client, personas):
    practitioner = personas.nsd_practitioner
    response = admin_client.post(f"/agencies/users/{practitioner.pk}/reset-second-factor/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    path = _link_path(response.content.decode())
    assert (
        Client()
        .post("/sign-in/", {"username": practitioner.username, "password": PASSWORD})
        .status_code
        == 400
    )
    assert _enrol(Client(), path, practitioner).status_code == 302
    assert User.objects.get(pk=practitioner.pk).check_password(OWN_PASSWORD)
    link = EnrolmentLink.objects.get(user=practitioner)
    assert link.reason == EnrolmentReason.SECOND_FACTOR_RESET


def test_disabling_a_user_revokes_their_unused_enrolment_link(admin_client, personas):
    user, path = _new_user_link(admin_client)
    admin_client.post(f"/agencies/users/{user.pk}/disable/")
    admin_client.post(f"/agencies/users/{user.pk}/enable/")
    assert Client().get(path).status_code == 410


def test_an_operator_issues_an_enrolment_link_at_the_console(personas):
    user = UserFactory(username="console.user", agency=personas.agency_admin.agency, totp=False)
    out, err = StringIO(), StringIO()
    call_command("enrolment_link", "console.user", stdout=out, stderr=err)
    path = _link_path(out.getvalue())
    assert "shown once only" in err.getvalue()
    assert _enrol(Client(), path, user).status_code == 302
    issued = AuditEntry.objects.get(action="accounts.enrolment_link_issued")
    assert issued.actor_username == "console"
    assert path.split("/")[-2] not in str(issued.details)


def test_the_console_resets_an_enrolled_user_only_when_asked(personas):
    practitioner = personas.nsd_practitioner
    with pytest.raises(CommandError, match="already has a second factor"):
        call_command("enrolment_link", practitioner.username, stdout=StringIO())
    assert TOTPDevice.objects.filter(user=practitioner).exists()
    out = StringIO()
    call_command(
        "enrolment_link",
        practitioner.username,
        "--reset-second-factor",
        stdout=out,
        stderr=StringIO(),
    )
    assert "/sign-in/enrol/" in out.getvalue()
    assert not TOTPDevice.objects.filter(user=practitioner, confirmed=True).exists()


def test_a_reset_of_a_disabled_user_issues_no_link(personas):
    user = personas.nsd_practitioner
    User.objects.filter(pk=user.pk).update(is_active=False)
    user.refresh_from_db()
    assert mfa_reset(actor=personas.agency_admin, user=user) is None
    assert not EnrolmentLink.objects.filter(user=user).exists()
    assert not User.objects.get(pk=user.pk).has_usable_password()
