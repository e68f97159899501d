"""Error pages are GOV.UK pages with the marking and no detail: no stack trace, no exception
text, no settings, whoever asks (docs/security-tests.md #20, fail closed)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db

LEAKS = ("Traceback", "secret-detail-that-must-not-leak", "RuntimeError", "SECRET_KEY", 'File "')


def _assert_govuk_error_page(response, status: int, heading: str) -> None:
    body = response.content.decode()
    assert response.status_code == status
    assert "govuk-template" in body
    assert f'<h1 class="govuk-heading-l">{heading}</h1>' in body
    assert body.count("jc-marking__text") == 2
    for leak in LEAKS:
        assert leak not in body


def test_debug_is_off_in_the_test_suite():
    assert settings.DEBUG is False


def test_a_missing_page_is_a_govuk_404(personas, client_for):
    response = client_for(personas.nsd_practitioner).get("/no-such-page/")
    _assert_govuk_error_page(response, 404, "Page not found")


@pytest.mark.urls("tests.security.error_urls")
def test_an_unexpected_error_is_a_govuk_500_without_detail(personas, client_for):
    client = client_for(personas.nsd_practitioner)
    client.raise_request_exception = False
    response = client.get("/test-errors/500/")
    _assert_govuk_error_page(response, 500, "Sorry, there is a problem with the service")


@pytest.mark.urls("tests.security.error_urls")
def test_a_refusal_is_a_govuk_403_without_detail(personas, client_for):
    response = client_for(personas.nsd_practitioner).get("/test-errors/403/")
    _assert_govuk_error_page(response, 403, "You do not have permission to do this")


@pytest.mark.urls("tests.security.error_urls")
def test_a_suspicious_request_is_a_govuk_400_without_detail(personas, client_for):
    response = client_for(personas.nsd_practitioner).get("/test-errors/400/")
    _assert_govuk_error_page(response, 400, "Sorry, there is a problem with that request")


def test_a_forged_host_header_is_a_400_not_a_500():
    response = Client(HTTP_HOST="attacker.example").get("/sign-in/")
    _assert_govuk_error_page(response, 400, "Sorry, there is a problem with that request")


def test_error_pages_carry_the_security_headers(personas, client_for):
    response = client_for(personas.nsd_practitioner).get("/no-such-page/")
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cache-Control"] == "no-store"
