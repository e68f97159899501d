"""Missing or malformed fields on every accounts form: 400 with the GOV.UK error summary."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

SUMMARY = 'class="govuk-error-summary"'


def _password_only(username: str = "pom.bpss") -> Client:
    client = Client()
    client.post("/sign-in/", {"username": username, "password": PASSWORD})
    return client


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Enter your username"),
        ({"username": "pom.bpss"}, "Enter your password"),
        ({"password": PASSWORD}, "Enter your username"),
        ({"username": "x" * 151, "password": "x"}, "Ensure this value has at most 150 characters"),
        ({"username": "pom.bpss", "password": "x" * 1025}, "at most 1024 characters"),
        ({"username": ["a", "b"], "password": "\x00"}, "Null characters are not allowed"),
    ],
)
def test_sign_in_with_missing_or_malformed_fields(personas, data, message):
    response = Client().post("/sign-in/", data)
    assert response.status_code == 400
    body = response.content.decode()
    assert SUMMARY in body
    assert message in body
    assert "There is a problem" in body


def test_the_error_summary_links_to_the_field_in_error(personas):
    body = Client().post("/sign-in/", {"password": "x"}).content.decode()
    assert 'href="#id_username"' in body
    assert 'id="id_username"' in body
    assert body.count('autocomplete="username"') == 1
    assert 'autocomplete="current-password"' in body
    assert "<title>Error: " in body


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Enter the security code from your authenticator app"),
        ({"code": "   "}, "Enter the security code from your authenticator app"),
        ({"code": "12345"}, "Enter a correct security code"),
        ({"code": "x" * 41}, "at most 40 characters"),
        ({"code": "<script>alert(1)</script>"}, "Enter a correct security code"),
    ],
)
def test_second_factor_with_missing_or_malformed_code(personas, data, message):
    response = _password_only().post("/second-factor/", data)
    assert response.status_code == 400
    body = response.content.decode()
    assert SUMMARY in body
    assert message in body
    assert "<script>alert(1)</script>" not in body
    assert 'autocomplete="one-time-code"' in body


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "Enter the 6-digit code from your authenticator app"),
        ("abc", "Enter the security code as 6 digits"),
        ("123456", "The code does not match"),
    ],
)
def test_authenticator_app_setup_with_a_bad_code(personas, client_for, code, message):
    response = client_for(personas.pom).post("/second-factor/authenticator-app/", {"code": code})
    assert response.status_code == 400
    body = response.content.decode()
    assert SUMMARY in body
    assert message in body


@pytest.mark.parametrize(
    "data",
    [{}, {"name": "x"}, {"name": "x", "days": "many"}, {"name": "x" * 101, "days": "30"}],
)
def test_api_token_form_with_missing_or_malformed_fields(personas, client_for, data):
    response = client_for(personas.pom).post("/account/api-tokens/new/", data)
    assert response.status_code == 400
    assert SUMMARY in response.content.decode()


def test_an_unknown_second_factor_kind_or_id_changes_nothing(personas, client_for):
    client = client_for(personas.pom)
    for path in (
        "/account/second-factors/sms/1/remove/",
        "/account/second-factors/totp/999999/remove/",
    ):
        response = client.post(path)
        assert response.status_code == 302
    assert client.get("/").status_code == 200
