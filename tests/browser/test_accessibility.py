"""axe-core finds no WCAG 2.2 AA violations on the sign-in journey's pages."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def _describe(violations: list[dict]) -> str:
    return "\n".join(f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes']}" for v in violations)


def test_sign_in_second_factor_and_home_pages_have_no_axe_violations(
    page: Page, live_server, personas, axe_violations
):
    page.goto(f"{live_server.url}/sign-in/")
    violations = axe_violations(page)
    assert violations == [], "sign-in page:\n" + _describe(violations)

    page.get_by_label("Username").fill(personas.nsd_practitioner.username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/second-factor/**")
    violations = axe_violations(page)
    assert violations == [], "second-factor page:\n" + _describe(violations)

    from tests.conftest import totp_code_for

    page.get_by_label("Security code").fill(totp_code_for(personas.nsd_practitioner))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    violations = axe_violations(page)
    assert violations == [], "home page:\n" + _describe(violations)


def test_pages_with_errors_have_no_axe_violations(
    page: Page, live_server, personas, axe_violations
):
    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_label("Username").fill("nobody.here")
    page.get_by_role("button", name="Continue").click()
    assert page.locator(".govuk-error-summary").count() == 1
    violations = axe_violations(page)
    assert violations == [], "sign-in page with errors:\n" + _describe(violations)


def test_information_pages_have_no_axe_violations(page: Page, live_server, axe_violations):
    for path in ("/accessibility/",):
        page.goto(f"{live_server.url}{path}")
        violations = axe_violations(page)
        assert violations == [], f"{path}:\n" + _describe(violations)
