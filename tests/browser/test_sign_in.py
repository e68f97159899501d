"""A demo user signs in through the real pages in Chromium, with the CSP enforced."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_password_and_code_reach_the_home_page_with_marking_top_and_bottom(
    page: Page, live_server, personas, sign_in
):
    sign_in(page, live_server, personas.nsd_practitioner)

    assert page.url == f"{live_server.url}/"
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    markings = page.locator(".jc-marking")
    assert markings.count() == 2
    # Apart from the skip link and scripts, the page starts and ends with the marking banner.
    blocks = page.evaluate(
        """() => Array.from(document.body.children)
            .filter(el => el.tagName !== 'SCRIPT' && !el.classList.contains('govuk-skip-link'))
            .map(el => el.className)"""
    )
    assert "jc-marking" in blocks[0].split()
    assert "jc-marking" in blocks[-1].split()
    expect(markings.first).to_have_text("OFFICIAL")
    expect(markings.last).to_have_text("OFFICIAL")


def test_pages_load_with_no_csp_violation_and_govuk_frontend_starts(
    page: Page, live_server, personas, sign_in
):
    page.goto(f"{live_server.url}/sign-in/")
    # GOV.UK Frontend marks <body> once its JavaScript has initialised.
    expect(page.locator("body")).to_have_class(re.compile(r"\bgovuk-frontend-supported\b"))
    page.wait_for_function(
        "() => document.querySelector('[data-module=govuk-password-input]')"
        " ?.getAttribute('data-govuk-password-input-init') !== null"
    )
    sign_in(page, live_server, personas.nsd_practitioner)
    expect(page.locator("body")).to_have_class(re.compile(r"\bgovuk-frontend-supported\b"))
    page.wait_for_load_state("networkidle")
    assert page.jc_console_errors == []  # type: ignore[attr-defined]


def test_a_wrong_code_shows_the_error_summary_in_the_browser(page: Page, live_server, personas):
    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_label("Username").fill("nsd.practitioner")
    page.get_by_label("Password", exact=True).fill("correct horse battery staple 42")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Security code").fill("000000")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    # GOV.UK Frontend moves focus to the error summary.
    expect(summary).to_be_focused()


def test_sign_out_from_the_identity_bar_ends_the_session(
    page: Page, live_server, personas, sign_in
):
    sign_in(page, live_server, personas.nsd_practitioner)
    page.locator(".moj-identity-bar").get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sign in")
    page.goto(f"{live_server.url}/")
    assert page.url.startswith(f"{live_server.url}/sign-in/")
