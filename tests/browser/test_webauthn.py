"""Security keys in real Chromium (a CDP virtual authenticator), with the strict CSP enforced."""

from __future__ import annotations

import re

import pytest
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import Page, expect

from jointcase.audit.models import AuditEntry
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_user_registers_a_security_key_and_signs_in_with_it(
    page: Page, live_server, personas, sign_in, settings
):
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    user = personas.ctnm_officer
    sign_in(page, live_server, user)
    page.goto(f"{live_server.url}/account/")
    page.get_by_role("button", name="Add a security key or passkey").click()
    expect(page.locator("#passkey-register-status-message")).to_contain_text("successful")
    page.wait_for_load_state()
    assert WebAuthnCredential.objects.filter(user=user).count() == 1
    expect(page.get_by_role("cell", name="Security key or passkey")).to_be_visible()

    page.context.clear_cookies()  # a new visit, same browser and key
    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/second-factor/**")
    page.get_by_role("button", name="Use security key or passkey").click()
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    assert page.jc_console_errors == []  # type: ignore[attr-defined]
    assert AuditEntry.objects.filter(action="auth.sign_in", details__factor="webauthn").exists()


def test_the_account_pages_have_no_axe_violations(
    page: Page, live_server, personas, sign_in, axe_violations
):
    sign_in(page, live_server, personas.pom)
    for path in ("/account/", "/account/backup-codes/", "/account/api-tokens/new/"):
        page.goto(f"{live_server.url}{path}")
        assert axe_violations(page) == [], path
    page.goto(f"{live_server.url}/account/backup-codes/")
    page.get_by_role("button", name="Get backup codes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your new backup codes")
    assert axe_violations(page) == []
    page.goto(f"{live_server.url}/account/api-tokens/new/")
    page.get_by_role("button", name="Create token").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("Name").fill("Nightly sync")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_label(re.compile("Token “Nightly sync”"))).to_have_value(re.compile("^jc_"))
    assert axe_violations(page) == []
    # The form error page is answered with status 400 by design; nothing else may complain.
    errors = page.jc_console_errors  # type: ignore[attr-defined]
    assert [e for e in errors if "status of 400" not in e] == []
