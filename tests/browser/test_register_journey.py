"""The register in Chromium: a practitioner finds a case by a misspelled alias and reads its
timeline; a cleared officer not on the case gets "Page not found" and no hint in search."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import Page, expect

from tests.register_fixtures import case_world  # noqa: F401 - the shared register world

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_practitioner_finds_the_case_by_a_misspelled_alias_and_reads_its_timeline(
    page: Page,
    live_server,
    case_world,  # noqa: F811
    sign_in,
    axe_violations,
):
    sign_in(page, live_server, case_world.personas.nsd_practitioner)
    page.get_by_role("link", name="Search", exact=True).first.click()
    page.get_by_label("Name, alias, date of birth or identifier").fill("Dany Holowey")
    page.get_by_role("button", name="Search").click()

    results = page.locator("table.govuk-table")
    expect(results).to_contain_text("Danny Hollowey")
    expect(results).to_contain_text(case_world.case.reference)
    expect(results).to_contain_text("X123456")
    assert axe_violations(page) == []
    results.get_by_role("link", name=case_world.case.reference).click()

    # First opening of the case in this session: say why.
    page.get_by_label("Case management").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("HOLLOWAY")
    expect(page.locator(".jc-marking").first).to_have_text("OFFICIAL-SENSITIVE")
    assert axe_violations(page) == []

    page.locator(".moj-sub-navigation").get_by_role("link", name="Timeline").click()
    timeline = page.locator(".moj-timeline")
    expect(timeline).to_contain_text("Case opened")
    expect(timeline).to_contain_text("MAPPA category 4 level 3")

    page.get_by_label("Type of event").select_option("MAPPA")
    page.get_by_role("button", name="Filter").click()
    expect(timeline).to_contain_text("MAPPA category 4 level 3")
    expect(timeline).not_to_contain_text("Case opened")
    assert axe_violations(page) == []
    assert page.jc_console_errors == []  # type: ignore[attr-defined]


def test_a_cleared_officer_not_on_the_case_gets_page_not_found_and_no_hint_in_search(
    page: Page,
    live_server,
    case_world,  # noqa: F811
    sign_in,
):
    sign_in(page, live_server, case_world.personas.officer_not_on_case)
    response = page.goto(f"{live_server.url}/cases/{case_world.case.public_id}/timeline/")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.locator("body")).not_to_contain_text("HOLLOWAY")

    page.goto(f"{live_server.url}/cases/search/")
    page.get_by_label("Name, alias, date of birth or identifier").fill("Dany Holowey")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="No results")).to_be_visible()
    body = page.locator("body").inner_text().upper()
    assert "HOLLOWAY" not in body
    assert "HIDDEN" not in body
    assert case_world.case.reference not in body
