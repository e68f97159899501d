"""State changes without the CSRF token are refused with a GOV.UK 403, never a 500, and change
nothing (docs/security-tests.md #11)."""

from __future__ import annotations

import pytest
from django.test import Client

from jointcase.audit.models import AuditEntry
from tests.conftest import verified_session
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_sign_in_without_the_token_is_refused_with_the_form_expired_page(personas):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/sign-in/", {"username": "nsd.practitioner", "password": PASSWORD})
    body = response.content.decode()
    assert response.status_code == 403
    assert "Your form expired" in body
    assert "govuk-template" in body
    assert not AuditEntry.objects.filter(action="auth.password_accepted").exists()
    assert "_auth_user_id" not in client.session


def test_sign_out_without_the_token_is_refused_and_the_user_stays_signed_in(personas):
    client = verified_session(Client(enforce_csrf_checks=True), personas.nsd_practitioner)
    response = client.post("/sign-out/")
    assert response.status_code == 403
    assert "Your form expired" in response.content.decode()
    assert client.get("/").status_code == 200


def test_sign_in_with_the_token_from_the_form_works(personas):
    client = Client(enforce_csrf_checks=True)
    client.get("/sign-in/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/sign-in/",
        {"username": "nsd.practitioner", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert response["Location"] == "/second-factor/"


def test_a_cross_origin_post_is_refused(personas):
    client = verified_session(Client(enforce_csrf_checks=True), personas.nsd_practitioner)
    home = client.get("/")
    assert home.status_code == 200, home.get("Location")
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/sign-out/",
        {"csrfmiddlewaretoken": token},
        headers={"Origin": "https://attacker.example"},
    )
    assert response.status_code == 403
    assert client.get("/").status_code == 200
