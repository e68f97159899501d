"""axe-core finds no WCAG 2.2 AA violations on the sign-in journey's pages and on one page of
every kind (lists, queues, inboxes, search results, notices, administration and audit)."""

from __future__ import annotations

import datetime as dt
import os
import re

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


PHONE = {"width": 390, "height": 844}


def _check(page: Page, axe_violations, what: str, shots: list[str]) -> None:
    """No axe violation and nothing wider than a phone, with an optional screenshot."""
    violations = axe_violations(page)
    assert violations == [], f"{what}:\n" + _describe(violations)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{what} is {width} px wide"
    shots_dir = os.environ.get("JOINTCASE_SHOTS_DIR")
    if shots_dir:
        name = re.sub(r"[^a-z0-9]+", "-", what.lower()).strip("-")
        page.screenshot(path=f"{shots_dir}/{name}.png", full_page=True)
        shots.append(name)


def test_one_page_of_every_kind_has_no_axe_violations_and_fits_a_phone(
    page: Page, context, live_server, case_world, sign_in, axe_violations
):
    """Lists with filters and sortable headers, the action queue, the request inbox, search
    results, notices, the grouped "Releasable to" field, agency administration and the
    auditor's search with results and with errors, at 390 px."""
    from django.utils import timezone

    from jointcase.meetings.services.actions import action_create
    from jointcase.meetings.services.meetings import meeting_create
    from jointcase.notifications.services import notify
    from tests.support.browser import declare_purpose

    people = case_world.personas
    case = case_world.case
    action_create(
        actor=people.nsd_practitioner,
        case=case,
        description="Home visit with the offender manager (synthetic)",
        owner=people.nsd_practitioner,
        due_date=timezone.localdate() + dt.timedelta(days=3),
        source_kind="ASSESSMENT",
    )
    meeting_create(
        actor=people.nsd_practitioner,
        type="PROFESSIONALS",
        starts_at=timezone.now() + dt.timedelta(days=2),
        chair=people.nsd_practitioner,
        cases=[case],
    )
    notify(
        recipients=[people.nsd_practitioner],
        text="Your request about an item of material was approved.",
        link="/meetings/",
    )
    shots: list[str] = []
    page.set_viewport_size(PHONE)

    sign_in(page, live_server, people.nsd_practitioner)
    for what, path in (
        ("action queue", "/meetings/actions/mine/?sort=-priority"),
        ("action queue with a bad case reference", "/meetings/actions/mine/?case=JC-9"),
        ("meetings list", "/meetings/"),
        ("case list", "/cases/"),
        ("search results", "/cases/search/?q=Holloway"),
        ("request inbox", "/material/requests/"),
        ("notifications", "/notifications/"),
    ):
        page.goto(f"{live_server.url}{path}")
        _check(page, axe_violations, what, shots)
    page.goto(f"{live_server.url}/cases/{case.public_id}/notes/new/")
    declare_purpose(page)
    page.get_by_text("Limit who can read it").click()
    _check(page, axe_violations, "releasable to field", shots)

    context.clear_cookies()
    sign_in(page, live_server, people.agency_admin)
    page.goto(f"{live_server.url}/agencies/")
    _check(page, axe_violations, "agency administration", shots)

    context.clear_cookies()
    sign_in(page, live_server, people.auditor)
    page.goto(f"{live_server.url}/audit/")
    _check(page, axe_violations, "audit overview", shots)
    page.goto(f"{live_server.url}/audit/search/")
    page.get_by_label("Case reference").fill("JC-999999")
    page.get_by_role("button", name="Search").click()
    assert (
        "There is no case with the reference JC-999999"
        in page.locator(".govuk-error-summary").inner_text()
    )
    _check(page, axe_violations, "audit search with errors", shots)
    page.get_by_label("Case reference").fill(case.reference)
    page.get_by_role("button", name="Search").click()
    assert page.locator(".govuk-error-summary").count() == 0
    assert page.locator("table tbody tr").count() > 0
    _check(page, axe_violations, "audit search results", shots)
