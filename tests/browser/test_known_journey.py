""" "Known to you?" and the person form's match in Chromium at 390 px: an officer who is not on
Daniel Holloway's case asks about him and is told only whom to contact; the NSD practitioner
records a person like him, is shown him as a likely match and creates a new person anyway.
Every page fits 390 px and has no axe violations (screenshots in ``JOINTCASE_SHOTS_DIR``, else
the test's tmp dir)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from jointcase.exchange.services.matching import matcher_forget
from jointcase.people.models import Person
from tests.exchange_known.conftest import KnownWorld, known_world  # noqa: F401 - fixture

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


def _folder(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("JOINTCASE_SHOTS_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _date(page: Page, day: str, month: str, year: str) -> None:
    page.get_by_label("Day").fill(day)
    page.get_by_label("Month").fill(month)
    page.get_by_label("Year").fill(year)


def test_an_officer_asks_known_to_you_and_is_told_only_whom_to_contact(
    browser: Browser,
    live_server: Any,
    known_world: KnownWorld,  # noqa: F811
    sign_in: Callable[..., None],
    axe_violations: Axe,
    tmp_path: Path,
) -> None:
    matcher_forget()
    folder = _folder(tmp_path)
    page = _narrow(browser)
    sign_in(page, live_server, known_world.world.personas.officer_not_on_case)
    page.goto(f"{live_server.url}/known/")
    expect(page.get_by_role("heading", name="Known to you?")).to_be_visible()
    _check(page, axe_violations, folder, "known-ask")

    page.get_by_role("button", name="Check").click()  # nothing typed: the error summary
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the surname")
    _check(page, axe_violations, folder, "known-errors")

    page.get_by_label("Given names").fill("Daniel")
    page.get_by_label("Surname").fill("Holloway")
    _date(page, "12", "4", "1990")
    page.get_by_role("button", name="Check").click()
    answer = page.locator("[data-known-answer]")
    expect(answer).to_have_text("A managed record exists: contact NSD North, Lead NSD practitioner")
    expect(page.get_by_role("link", name="View the person")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text("JC-900001")
    _check(page, axe_violations, folder, "known-answer")


def test_the_person_form_shows_a_likely_match_and_creates_a_new_person_anyway(
    browser: Browser,
    live_server: Any,
    known_world: KnownWorld,  # noqa: F811
    sign_in: Callable[..., None],
    axe_violations: Axe,
    tmp_path: Path,
) -> None:
    matcher_forget()
    folder = _folder(tmp_path)
    page = _narrow(browser)
    sign_in(page, live_server, known_world.world.personas.nsd_practitioner)
    page.goto(f"{live_server.url}/people/new/")
    page.get_by_label("Given names").fill("Daniel")
    page.get_by_label("Family name").fill("Holloway")
    _date(page, "12", "4", "1990")
    people = Person.objects.count()
    page.get_by_role("button", name="Record person").click()

    expect(
        page.get_by_role("heading", name="This person may already be on the register")
    ).to_be_visible()
    expect(page.locator("[data-matches] a")).to_have_count(1)
    _check(page, axe_violations, folder, "person-matches")
    assert Person.objects.count() == people

    page.get_by_role("button", name="Create a new person anyway").click()
    expect(page.get_by_text("Person recorded")).to_be_visible()
    assert Person.objects.count() == people + 1
