"""Material in Chromium: a CTNM officer adds a SECRET report and its OFFICIAL-SENSITIVE
tearline; a colleague (the CT supervisor) approves it; the POM with BPSS vetting sees only the
tearline, requests the fuller version, and the police refuse with a reason."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.material.conftest import case_world, keyring, material_world  # noqa: F401 - fixtures
from tests.support.browser import declare_purpose

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.django_db(transaction=True)


def _page_for(browser: Browser) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(15_000)
    return context.new_page()


Axe = Callable[[Page], list[dict[str, Any]]]


def test_secret_report_tearline_approval_and_a_refused_request(
    browser: Browser,
    page: Page,
    live_server: Any,
    material_world: Any,  # noqa: F811
    keyring: Any,  # noqa: F811
    sign_in: Callable[..., None],
    axe_violations: Axe,
) -> None:
    personas = material_world.personas
    base = live_server.url
    sign_in(page, live_server, personas.ctnm_officer)
    _officer_adds_a_report_and_its_tearline(page, base, material_world.case, axe_violations)

    supervisor = _page_for(browser)
    sign_in(supervisor, live_server, personas.ct_supervisor)
    _a_colleague_approves_the_tearline(supervisor, base)

    pom = _page_for(browser)
    sign_in(pom, live_server, personas.pom)
    _the_pom_sees_only_the_tearline_and_requests_more(
        pom, base, material_world.case, axe_violations
    )

    _the_police_refuse_with_a_reason(supervisor, pom, base, axe_violations)
    assert page.jc_console_errors == []  # type: ignore[attr-defined]
    for other in (supervisor, pom):
        other.context.close()


def _officer_adds_a_report_and_its_tearline(page: Page, base: str, case: Any, axe: Axe) -> None:
    """The CTNM officer adds a SECRET report, and its OFFICIAL-SENSITIVE tearline."""
    page.goto(f"{base}/cases/{case.public_id}/material/new/")
    declare_purpose(page)
    assert axe(page) == []
    page.get_by_label("Intelligence report", exact=True).check()
    page.get_by_label("Title").fill("Travel planning report")
    page.get_by_label("SECRET", exact=True).check()
    page.get_by_label("UK EYES ONLY", exact=True).check()
    page.get_by_label("Content").fill("Source reports the subject is planning travel (synthetic).")
    page.get_by_role("button", name="Add material").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Travel planning report")
    expect(page.locator(".jc-marking").first).to_have_text("SECRET")

    page.get_by_role("link", name="Write a tearline").click()
    page.get_by_label("Title").fill("Travel: sanitised")
    page.get_by_label("OFFICIAL-SENSITIVE", exact=True).check()
    page.get_by_label("Sanitised content").fill("The subject may travel abroad soon (synthetic).")
    page.get_by_role("button", name="Save the tearline").click()
    expect(page.locator(".govuk-inset-text").first).to_contain_text(
        "until a second person approves it"
    )
    assert axe(page) == []


def _a_colleague_approves_the_tearline(supervisor: Page, base: str) -> None:
    """A colleague of the writer approves the tearline (four eyes)."""
    supervisor.goto(f"{base}/material/requests/")
    declare_purpose(supervisor)
    supervisor.get_by_role("link", name="Travel: sanitised").click()
    declare_purpose(supervisor)
    supervisor.get_by_label("Approve", exact=True).check()
    supervisor.get_by_role("button", name="Record the decision").click()
    expect(supervisor.locator("body")).to_contain_text("Tearline decided")


def _the_pom_sees_only_the_tearline_and_requests_more(
    pom: Page, base: str, case: Any, axe: Axe
) -> None:
    """The POM (BPSS) sees only the tearline and that a fuller version exists, and asks for it."""
    pom.goto(f"{base}/cases/{case.public_id}/material/")
    declare_purpose(pom)
    table = pom.locator("table.govuk-table")
    expect(table).to_contain_text("Travel: sanitised")
    expect(table).not_to_contain_text("Travel planning report")
    expect(table).to_contain_text("A fuller version is held by CT Policing North East")
    expect(pom.locator(".jc-marking").first).to_have_text("OFFICIAL-SENSITIVE")
    assert axe(pom) == []
    pom.get_by_role("link", name="Request it").click()
    declare_purpose(pom)
    pom.get_by_label("Why do you need it?").fill("Sentence planning needs the detail")
    pom.get_by_role("button", name="Send the request").click()
    expect(pom.locator("table.govuk-table")).to_contain_text("Awaiting decision")


def _the_police_refuse_with_a_reason(supervisor: Page, pom: Page, base: str, axe: Axe) -> None:
    """The police refuse the request with a reason, and the POM sees both."""
    supervisor.goto(f"{base}/material/requests/")
    declare_purpose(supervisor)
    supervisor.get_by_role("link", name="Decide").click()
    declare_purpose(supervisor)
    supervisor.get_by_label("Refuse", exact=True).check()
    supervisor.get_by_label("Reason").fill(
        "Source protection: the tearline is all that can be shared"
    )
    supervisor.get_by_role("button", name="Record the decision").click()

    pom.goto(f"{base}/material/requests/mine/")
    declare_purpose(pom)
    expect(pom.locator("table.govuk-table")).to_contain_text("Refused")
    expect(pom.locator("table.govuk-table")).to_contain_text("Source protection")
    assert axe(pom) == []
