"""Allocation in Chromium: the NSD senior operational lead opens the team caseload, sees the
practitioner with an overdue supervision contact, opens the cases waiting for a lead, and
allocates the new case to the practitioner with most room (first in the list); the result
shows the new lead and the case leaves the queue. Every page fits 390 px, has no axe
violations, and is photographed at 390 px (``JOINTCASE_SHOTS_DIR``, else the test's tmp dir).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from jointcase.cases.models import CaseRole, CaseTeamMember
from tests.register_fixtures import case_world  # noqa: F401 - fixture
from tests.workforce.caseload_fixtures import CaseloadWorld, caseload_world  # noqa: F401 - fixture

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.django_db(transaction=True)
Axe = Callable[..., list[dict[str, Any]]]


def _narrow(browser: Browser) -> Page:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    context.set_default_timeout(15_000)
    return context.new_page()


def _check(page: Page, axe: Axe, folder: Path, name: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url
    assert axe(page) == [], page.url
    page.screenshot(path=str(folder / f"{name}-390.png"), full_page=True)


def test_the_senior_lead_allocates_a_waiting_case_to_the_practitioner_with_most_room(
    browser: Browser,
    live_server: Any,
    caseload_world: CaseloadWorld,  # noqa: F811
    sign_in: Callable[..., None],
    axe_violations: Axe,
    tmp_path: Path,
) -> None:
    world = caseload_world
    folder = Path(os.environ.get("JOINTCASE_SHOTS_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    page = _narrow(browser)
    sign_in(page, live_server, world.lead)

    page.goto(f"{base}/workforce/caseload/team/")
    expect(page.get_by_role("heading", name="Team caseload")).to_be_visible()
    practitioner = page.locator('tr[data-user="nsd.practitioner"]')
    expect(practitioner).to_contain_text(str(world.practitioner))
    expect(practitioner.locator(".govuk-tag--orange")).to_have_text("1")  # an overdue contact
    _check(page, axe_violations, folder, "team-caseload")

    page.get_by_role("link", name="Cases to allocate").first.click()
    expect(page.get_by_role("heading", name="Cases to allocate")).to_be_visible()
    _check(page, axe_violations, folder, "allocation-queue")
    page.get_by_role("link", name="JC-900010").click()
    expect(page.get_by_role("heading", name="Allocate JC-900010")).to_be_visible()
    first = page.locator(".govuk-radios__item").first
    expect(first).to_contain_text(str(world.second))  # most room first
    _check(page, axe_violations, folder, "allocation-case")
    first.locator("input").check()
    page.get_by_role("button", name="Allocate the case").click()

    expect(page.get_by_role("heading", name="JC-900010 allocated")).to_be_visible()
    expect(page.locator(".govuk-panel")).to_contain_text(str(world.second))
    _check(page, axe_violations, folder, "allocation-result")
    assert CaseTeamMember.objects.filter(
        case=world.waiting, role=CaseRole.LEAD_NSD_PRACTITIONER, user=world.second
    ).exists()

    page.goto(f"{base}/workforce/allocation/")
    expect(page.get_by_text("No cases are waiting.")).to_be_visible()
    page.context.close()
