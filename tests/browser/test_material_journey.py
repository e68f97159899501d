"""Material in Chromium: a CTNM officer adds a SECRET report and its OFFICIAL-SENSITIVE
tearline; a colleague (the CT supervisor) approves it, seeing the tearline beside the original
and who will read it (side by side on a wide screen, stacked at 390 px); the POM with BPSS
vetting, on a phone, sees only the tearline, is told her vetting does not reach the fuller
version and asks for a tearline at her level; the officer writes it from the inbox, the
supervisor approves it, and the POM's request is fulfilled."""

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


PHONE = {"width": 390, "height": 844}


def _page_for(browser: Browser, viewport: dict[str, int] | None = None) -> Page:
    context = browser.new_context(
        viewport=viewport or {"width": 1280, "height": 900}, locale="en-GB"
    )
    context.set_default_timeout(15_000)
    return context.new_page()


def _fits_a_phone(page: Page) -> None:
    """No sideways scrolling at 390 px."""
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]


Axe = Callable[[Page], list[dict[str, Any]]]


def test_secret_report_tearline_approval_and_a_tearline_at_the_poms_level(
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
    _a_colleague_approves_the_tearline(supervisor, base, axe_violations)

    pom = _page_for(browser, PHONE)
    sign_in(pom, live_server, personas.pom)
    _the_pom_is_told_and_asks_for_a_tearline_at_her_level(
        pom, base, material_world.case, axe_violations
    )

    _the_officer_writes_it_and_the_request_is_fulfilled(page, supervisor, pom, base, axe_violations)
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


def _a_colleague_approves_the_tearline(supervisor: Page, base: str, axe: Axe) -> None:
    """A colleague of the writer approves the tearline (four eyes), seeing it beside the
    original, with both labels and who will be able to read it."""
    supervisor.goto(f"{base}/material/requests/")
    declare_purpose(supervisor)
    supervisor.get_by_role("link", name="Travel: sanitised").click()
    declare_purpose(supervisor)
    tearline = supervisor.get_by_role("region", name="The tearline")
    original = supervisor.get_by_role("region", name="The original")
    expect(tearline).to_contain_text("The subject may travel abroad soon (synthetic).")
    expect(tearline).to_contain_text("OFFICIAL-SENSITIVE")
    expect(original).to_contain_text("Source reports the subject is planning travel (synthetic).")
    expect(original).to_contain_text("SECRET, UK EYES ONLY")
    left, right = tearline.bounding_box(), original.bounding_box()
    assert left is not None
    assert right is not None
    assert right["x"] > left["x"] + left["width"] / 2  # side by side on a wide screen
    expect(
        supervisor.get_by_role("heading", name="Who will be able to read the tearline")
    ).to_be_visible()
    expect(supervisor.locator("main")).to_contain_text("HMP Frankland")
    assert axe(supervisor) == []
    supervisor.set_viewport_size(PHONE)
    left, right = tearline.bounding_box(), original.bounding_box()
    assert left is not None
    assert right is not None
    assert right["y"] >= left["y"] + left["height"]  # stacked on a phone
    _fits_a_phone(supervisor)
    assert axe(supervisor) == []
    supervisor.set_viewport_size({"width": 1280, "height": 900})
    supervisor.get_by_label("Approve it", exact=True).check()
    supervisor.get_by_role("button", name="Record the decision").click()
    expect(supervisor.locator("body")).to_contain_text(
        "You approved the tearline 'Travel: sanitised'. It can now be read by"
    )


def _the_pom_is_told_and_asks_for_a_tearline_at_her_level(
    pom: Page, base: str, case: Any, axe: Axe
) -> None:
    """The POM (BPSS, on a phone) sees only the tearline and that a fuller version exists; before
    she asks she is told her vetting does not reach it, and asks for a tearline at her level."""
    pom.goto(f"{base}/cases/{case.public_id}/material/")
    declare_purpose(pom)
    table = pom.locator("table.govuk-table")
    expect(table).to_contain_text("Travel: sanitised")
    expect(table).not_to_contain_text("Travel planning report")
    expect(table).to_contain_text("A fuller version is held by CT Policing North East")
    expect(pom.locator(".jc-marking").first).to_have_text("OFFICIAL-SENSITIVE")
    pom.get_by_role("link", name="Request it").click()
    declare_purpose(pom)
    expect(pom.locator(".govuk-warning-text")).to_contain_text(
        "Your vetting does not reach the classification of the fuller version"
    )
    _fits_a_phone(pom)
    assert axe(pom) == []
    pom.get_by_label("Why do you need it?").fill("Sentence planning needs the detail")
    pom.get_by_role("button", name="Ask for a tearline at my level").click()
    mine = pom.locator("table.govuk-table")
    expect(mine).to_contain_text("Travel: sanitised")
    expect(mine).to_contain_text("A tearline at your level")
    expect(mine).to_contain_text("Awaiting decision")
    _fits_a_phone(pom)
    assert axe(pom) == []


def _the_officer_writes_it_and_the_request_is_fulfilled(
    officer: Page, supervisor: Page, pom: Page, base: str, axe: Axe
) -> None:
    """The originator answers from the inbox by writing the tearline; a colleague approves
    it; the POM's request is fulfilled and she reads the new tearline."""
    officer.goto(f"{base}/material/requests/")
    declare_purpose(officer)
    officer.get_by_role("link", name="Write the tearline").click()
    declare_purpose(officer)
    expect(officer.locator(".govuk-inset-text").first).to_contain_text("This tearline answers")
    officer.get_by_label("Title").fill("Travel: for sentence planning")
    officer.get_by_label("OFFICIAL-SENSITIVE", exact=True).check()
    officer.get_by_label("Sanitised content").fill(
        "The subject may travel abroad in the spring, by air (synthetic)."
    )
    officer.get_by_role("button", name="Save the tearline").click()

    supervisor.goto(f"{base}/material/requests/")
    supervisor.get_by_role("link", name="Travel: for sentence planning").click()
    declare_purpose(supervisor)
    supervisor.get_by_label("Approve it", exact=True).check()
    supervisor.get_by_role("button", name="Record the decision").click()
    expect(supervisor.locator("body")).to_contain_text("You approved the tearline")

    pom.goto(f"{base}/material/requests/mine/")
    expect(pom.locator("table.govuk-table")).to_contain_text("Tearline written")
    pom.get_by_role("link", name="Read the tearline").click()
    declare_purpose(pom)
    expect(pom.get_by_role("heading", level=1)).to_have_text("Travel: for sentence planning")
    _fits_a_phone(pom)
