"""Users change their own password: current password and a current second-factor code."""

from __future__ import annotations

import pytest
from django.test import Client

from jointcase.accounts.models import User
from jointcase.audit.models import AuditEntry
from tests.conftest import totp_code_for
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "saffron viaduct meadow 3184"


def _change(client: Client, user: User, **overrides: str) -> object:
    data = {
        "current_password": PASSWORD,
        "new_password": NEW_PASSWORD,
        "new_password_confirm": NEW_PASSWORD,
        "code": totp_code_for(user),
        **overrides,
    }
    return client.post("/account/password/", data)


def test_the_account_page_offers_a_password_change(personas, client_for):
    body = client_for(personas.pom).get("/account/").content.decode()
    assert "/account/password/" in body


def test_a_user_changes_their_own_password_and_their_other_sessions_end(personas, client_for):
    user = personas.pom
    here, elsewhere = client_for(user), client_for(user)
    response = _change(here, user)
    assert response.status_code == 302
    assert response["Location"] == "/account/"
    assert User.objects.get(pk=user.pk).check_password(NEW_PASSWORD)
    assert here.get("/").status_code == 200  # this session carries on
    assert elsewhere.get("/")["Location"].startswith("/sign-in/")
    assert AuditEntry.objects.filter(action="auth.password_changed", outcome="SUCCESS").exists()
    assert NEW_PASSWORD not in str(list(AuditEntry.objects.values("details", "reason")))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"current_password": "not my password at all"}, "Your current password is not correct"),
        ({"code": "000000"}, "Enter a correct security code"),
        ({"code": ""}, "Enter the security code"),
        ({"new_password": "short", "new_password_confirm": "short"}, "This password is too short"),
        ({"new_password_confirm": "something else entirely"}, "The passwords do not match"),
    ],
)
def test_a_password_change_without_both_factors_changes_nothing(
    personas, client_for, overrides, message
):
    user = personas.pom
    client = client_for(user)
    if overrides.get("code") == "000000" and totp_code_for(user) == "000000":  # pragma: no cover
        overrides = {"code": "111111"}
    response = _change(client, user, **overrides)
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body
    assert message in body
    assert User.objects.get(pk=user.pk).check_password(PASSWORD)
    assert client.get("/").status_code == 200
