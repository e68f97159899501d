from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from jointcase.accounts.services import user_sessions_end
from jointcase.audit.models import AuditEntry
from tests.conftest import totp_code_for
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _shift(client: Client, **seconds_ago: int) -> None:
    session = client.session
    now = int(timezone.now().timestamp())
    for key, ago in seconds_ago.items():
        session[key] = now - ago
    session.save()


def _signed_out(client: Client) -> bool:
    response = client.get("/")
    return response.status_code == 302 and response["Location"].startswith("/sign-in/")


def test_fifteen_idle_minutes_end_the_session(personas, client_for):
    client = client_for(personas.pom)
    _shift(client, jc_seen=15 * 60 - 5)
    assert client.get("/").status_code == 200
    _shift(client, jc_seen=15 * 60 + 1)
    assert _signed_out(client)
    page = client.get("/sign-in/").content.decode()
    assert "You have been signed out because you were inactive for 15 minutes" in page
    entry = AuditEntry.objects.get(action="auth.session_ended")
    assert (entry.reason, entry.actor_username) == ("idle", "pom.bpss")


def test_activity_keeps_the_session_alive(personas, client_for):
    client = client_for(personas.pom)
    _shift(client, jc_seen=14 * 60)
    assert client.get("/").status_code == 200
    assert client.session["jc_seen"] >= int(timezone.now().timestamp()) - 5


def test_twelve_hours_end_the_session_however_active(personas, client_for):
    client = client_for(personas.pom)
    _shift(client, jc_started=12 * 60 * 60 - 60, jc_seen=10)
    assert client.get("/").status_code == 200
    _shift(client, jc_started=12 * 60 * 60 + 1, jc_seen=10)
    assert _signed_out(client)
    assert "reached its 12 hour limit" in client.get("/sign-in/").content.decode()
    assert AuditEntry.objects.get(action="auth.session_ended").reason == "absolute"


def test_the_idle_limit_is_a_setting(personas, client_for, settings):
    settings.SESSION_IDLE_TIMEOUT_SECONDS = 60
    client = client_for(personas.pom)
    _shift(client, jc_seen=61)
    assert _signed_out(client)


def test_signing_out_ends_the_session_and_its_cookie_cannot_be_reused(personas, client_for):
    client = client_for(personas.pom)
    old_cookie = client.cookies["jointcase_session"].value
    client.post("/sign-out/")
    assert not Session.objects.filter(session_key=old_cookie).exists()
    replay = Client()
    replay.cookies["jointcase_session"] = old_cookie
    assert _signed_out(replay)
    assert AuditEntry.objects.filter(action="auth.sign_out").count() == 1


def test_the_session_key_changes_after_the_password_and_after_the_code(personas):
    client = Client()
    client.get("/sign-in/")
    before = client.cookies.get("jointcase_session")
    client.post("/sign-in/", {"username": "pom.bpss", "password": PASSWORD})
    after_password = client.cookies["jointcase_session"].value
    assert before is None or before.value != after_password
    client.post("/second-factor/", {"code": totp_code_for(personas.pom)})
    after_code = client.cookies["jointcase_session"].value
    assert after_code != after_password
    assert not Session.objects.filter(session_key=after_password).exists()


def test_ending_a_user_s_sessions_signs_them_out_everywhere_on_the_next_request(
    personas, client_for
):
    user = personas.ctnm_officer
    laptop, phone = client_for(user), client_for(user)
    bystander = client_for(personas.pom)
    user_sessions_end(actor=personas.system_admin, user=user, reason="account disabled")
    assert _signed_out(laptop)
    assert _signed_out(phone)
    assert bystander.get("/").status_code == 200
    assert AuditEntry.objects.filter(action="auth.session_ended", reason="revoked").count() == 2


def test_a_disabled_user_is_signed_out_on_the_next_request(personas, client_for):
    user = personas.ctnm_officer
    client = client_for(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert _signed_out(client)


def test_sign_out_everywhere_ends_the_user_s_other_sessions_too(personas, client_for):
    user = personas.ctnm_officer
    here, elsewhere = client_for(user), client_for(user)
    response = here.post("/account/sign-out-everywhere/")
    assert response.status_code == 302
    assert _signed_out(here)
    assert _signed_out(elsewhere)
    assert "You have been signed out" in elsewhere.get("/sign-in/").content.decode()
    assert AuditEntry.objects.filter(action="auth.sign_out_everywhere").count() == 1
    # Signing in again afterwards works as normal.
    again = Client()
    again.post("/sign-in/", {"username": user.username, "password": PASSWORD})
    again.post("/second-factor/", {"code": totp_code_for(user)})
    assert again.get("/").status_code == 200


@pytest.mark.parametrize(
    "cookie",
    ["garbage", "x" * 4000, "../../etc/passwd", "'; DROP TABLE django_session; --", "\u00e9\u00e9"],
)
def test_a_tampered_session_cookie_gets_the_sign_in_page_not_an_error(personas, cookie):
    client = Client()
    client.cookies["jointcase_session"] = cookie
    response = client.get("/", follow=True)
    assert response.status_code == 200
    assert "Sign in to JointCase" in response.content.decode()


def test_a_session_from_before_the_epoch_stamp_is_ended(personas, client_for):
    client = client_for(personas.pom)
    session = client.session
    del session["jc_epoch"]
    session.save()
    assert _signed_out(client)
