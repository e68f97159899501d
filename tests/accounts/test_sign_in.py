from __future__ import annotations

import re

import pytest
from django.test import Client

from jointcase.audit.models import AuditEntry
from tests.conftest import totp_code_for
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_password_then_code_reaches_the_home_page(personas):
    client = Client()
    response = client.post("/sign-in/", {"username": "nsd.practitioner", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/second-factor/"
    response = client.post("/second-factor/", {"code": totp_code_for(personas.nsd_practitioner)})
    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    assert "Welcome" in home.content.decode()
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert actions == ["auth.password_accepted", "auth.sign_in"]


def test_password_only_session_never_reaches_content(personas):
    client = Client()
    client.post("/sign-in/", {"username": "nsd.practitioner", "password": PASSWORD})
    for path in ("/", "/account/", "/admin/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/second-factor/")


def test_wrong_password_shows_the_error_summary_and_is_audited(personas):
    response = Client().post("/sign-in/", {"username": "nsd.practitioner", "password": "nope"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in body
    assert "Enter a correct username and password" in body
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.outcome, entry.actor_username) == (
        "auth.sign_in_failed",
        "FAILURE",
        "nsd.practitioner",
    )


def test_unknown_username_gets_the_same_page_as_a_wrong_password(personas):
    def page(username: str) -> tuple[int, str]:
        response = Client().post("/sign-in/", {"username": username, "password": "nope"})
        body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
        body = re.sub(r"nonce=\"[^\"]+\"", "", body)
        return response.status_code, body.replace(username, "USERNAME")

    assert page("nsd.practitioner") == page("nobody.here")


def test_replayed_totp_code_is_refused(personas):
    user = personas.nsd_practitioner
    code = totp_code_for(user)
    first = Client()
    first.post("/sign-in/", {"username": user.username, "password": PASSWORD})
    assert first.post("/second-factor/", {"code": code}).status_code == 302
    second = Client()
    second.post("/sign-in/", {"username": user.username, "password": PASSWORD})
    response = second.post("/second-factor/", {"code": code})
    assert response.status_code == 400
    assert "Enter a correct security code" in response.content.decode()
    assert second.get("/").status_code == 302


def test_session_key_rotates_at_each_step(personas):
    client = Client()
    client.get("/sign-in/")
    client.cookies["jointcase_session"] = "attacker-chosen"
    client.post("/sign-in/", {"username": "nsd.practitioner", "password": PASSWORD})
    after_password = client.cookies["jointcase_session"].value
    assert after_password != "attacker-chosen"
    client.post("/second-factor/", {"code": totp_code_for(personas.nsd_practitioner)})
    assert client.cookies["jointcase_session"].value != after_password
