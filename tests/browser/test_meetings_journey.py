"""Meetings in Chromium: a CT supervisor records a MAPPA level 3 meeting with a SECRET police
section and agrees an action for the NSD practitioner; the practitioner finds it in "my
actions" and completes it with evidence; the POM with BPSS vetting, who attended, reads the
minutes with the SECRET section withheld, and the PDF pack she exports withholds it too."""

from __future__ import annotations

import datetime as dt
import os
import re
import zlib
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from tests.meetings.conftest import keyring, team_world  # noqa: F401 - fixtures
from tests.register_fixtures import case_world  # noqa: F401 - fixture
from tests.support.browser import declare_purpose

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.django_db(transaction=True)
SECRET_TEXT = "Covert source reports renewed contact (synthetic)."
OPEN_TEXT = "Attending appointments as required (synthetic)."


def _page_for(browser: Browser) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(15_000)
    return context.new_page()


def _fill_date(page: Page, day: dt.date) -> None:
    page.get_by_label("Day").fill(str(day.day))
    page.get_by_label("Month").fill(str(day.month))
    page.get_by_label("Year").fill(str(day.year))


Axe = Callable[[Page], list[dict[str, Any]]]


def test_meeting_minutes_action_completion_and_withheld_section(
    browser: Browser,
    page: Page,
    live_server: Any,
    team_world: Any,  # noqa: F811
    keyring: Any,  # noqa: F811
    sign_in: Callable[..., None],
    axe_violations: Axe,
) -> None:
    people = team_world.personas
    base = live_server.url
    sign_in(page, live_server, people.ct_supervisor)
    meeting_url = _the_supervisor_records_a_meeting(page, base, team_world, axe_violations)
    _the_supervisor_writes_minutes_and_changes_the_meeting(page, people, axe_violations)
    _the_supervisor_agrees_an_action(page, people)

    practitioner = _page_for(browser)
    sign_in(practitioner, live_server, people.nsd_practitioner)
    _the_practitioner_completes_the_action(practitioner, base, axe_violations)

    pom = _page_for(browser)
    sign_in(pom, live_server, people.pom)
    _the_pom_reads_the_minutes_without_the_secret_section(pom, meeting_url, axe_violations)
    _the_pack_she_exports_withholds_it_too(pom)
    assert page.jc_console_errors == []  # type: ignore[attr-defined]
    for other in (practitioner, pom):
        other.context.close()


def _the_supervisor_records_a_meeting(page: Page, base: str, world: Any, axe: Axe) -> str:
    """The CT supervisor records a MAPPA level 3 meeting, which the POM attended; its URL."""
    people = world.personas
    page.goto(f"{base}/meetings/new/?case={world.case.public_id}")
    declare_purpose(page)
    page.get_by_label("Type of meeting").select_option("MAPPA_L3")
    _fill_date(page, timezone.localdate())
    page.get_by_label("Start time").fill("09:30")
    page.locator(f'input[name="invitees"][value="{people.pom.pk}"]').check()
    page.locator(f'input[name="invitees"][value="{people.nsd_practitioner.pk}"]').check()
    page.get_by_label("Agenda").fill("Risk review and release planning")
    page.get_by_role("button", name="Record the meeting").click()
    declare_purpose(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("MAPPA level 3")
    assert axe(page) == []

    attendees = page.get_by_role("region", name="Attendees").locator("table")
    row = attendees.locator("tr", has_text=_name(people.pom))
    row.locator("select").select_option("attended")
    row.get_by_role("button").click()
    expect(attendees).to_contain_text("Attended")
    return page.url


def _the_supervisor_writes_minutes_and_changes_the_meeting(
    page: Page, people: Any, axe: Axe
) -> None:
    """Two sections (OFFICIAL-SENSITIVE and a SECRET police section); the meeting changed
    after it is recorded; removing an invitee asks first (and is cancelled)."""
    for heading, body, marking in (
        ("Probation update", OPEN_TEXT, "OFFICIAL-SENSITIVE"),
        ("Police intelligence", SECRET_TEXT, "SECRET"),
    ):
        page.get_by_role("link", name="Add a section to the minutes").click()
        page.get_by_label("Heading").fill(heading)
        page.get_by_label("Minutes").fill(body)
        page.get_by_label("Classification").select_option(marking)
        page.get_by_role("button", name="Add the section").click()
        expect(page.locator("body")).to_contain_text(body)
    expect(page.locator(".jc-marking").first).to_have_text("SECRET")

    page.get_by_role("link", name="Change the meeting").click()
    page.get_by_label("Agenda").fill("Risk review, release planning and travel")
    assert axe(page) == []
    page.get_by_role("button", name="Save the changes").click()
    expect(page.locator("body")).to_contain_text("Risk review, release planning and travel")
    expect(page.locator("#history ~ ol")).to_contain_text("Changed (agenda)")

    pom_name = _name(people.pom)
    page.get_by_role("link", name=f"Remove {pom_name}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Remove {pom_name}")
    assert axe(page) == []
    page.get_by_role("link", name="Cancel").click()


def _the_supervisor_agrees_an_action(page: Page, people: Any) -> None:
    """An action for the NSD practitioner, due in a week."""
    page.get_by_role("link", name="Agree an action").click()
    page.get_by_label("What was agreed").fill("Arrange a joint home visit")
    page.get_by_label("Owner").select_option(str(people.nsd_practitioner.pk))
    _fill_date(page, timezone.localdate() + dt.timedelta(days=7))
    page.get_by_role("button", name="Agree the action").click()
    expect(page.locator("body")).to_contain_text("Arrange a joint home visit")


def _the_practitioner_completes_the_action(practitioner: Page, base: str, axe: Axe) -> None:
    """The practitioner finds it in "my actions" and completes it, evidence required."""
    practitioner.goto(f"{base}/meetings/actions/mine/")
    declare_purpose(practitioner)
    assert axe(practitioner) == []
    expect(practitioner.locator("table")).to_contain_text("Arrange a joint home visit")
    practitioner.get_by_role("link", name="Arrange a joint home visit").click()
    declare_purpose(practitioner)
    practitioner.get_by_role("link", name="Change the due date").click()
    assert axe(practitioner) == []
    practitioner.get_by_role("link", name="Cancel").click()
    practitioner.get_by_role("link", name="Complete the action").click()
    practitioner.get_by_role("button", name="Complete the action").click()
    expect(practitioner.locator(".govuk-error-summary")).to_contain_text("Enter the evidence")
    practitioner.get_by_label("Evidence the action is complete").fill(
        "Visit made with police on Tuesday"
    )
    practitioner.get_by_role("button", name="Complete the action").click()
    expect(practitioner.locator("dl")).to_contain_text("Visit made with police on Tuesday")
    expect(practitioner.locator("body")).to_contain_text("Completed")


def _the_pom_reads_the_minutes_without_the_secret_section(
    pom: Page, meeting_url: str, axe: Axe
) -> None:
    """The POM (BPSS) reads the minutes with the SECRET section withheld."""
    pom.goto(meeting_url)
    declare_purpose(pom)
    minutes = pom.locator("body")
    expect(minutes).to_contain_text(OPEN_TEXT)
    expect(minutes).to_contain_text("Section withheld: held by CT Policing North East at SECRET")
    expect(minutes).not_to_contain_text(SECRET_TEXT)
    expect(minutes).not_to_contain_text("Police intelligence")
    expect(pom.locator(".jc-marking").first).to_have_text("OFFICIAL-SENSITIVE")
    assert axe(pom) == []


def _the_pack_she_exports_withholds_it_too(pom: Page) -> None:
    """The PDF meeting pack: the SECRET section withheld, the marking on every page."""
    with pom.expect_download() as download_info:
        pom.get_by_role("link", name="Download the meeting pack").click()
    download = download_info.value
    assert download.suggested_filename.startswith("OFFICIAL-SENSITIVE - meeting pack")
    with open(download.path(), "rb") as file:
        pdf = file.read()
    assert pdf.startswith(b"%PDF")
    pages = _pdf_page_texts(pdf)
    text = "\n".join(pages)
    assert "Section withheld: held by CT Policing North East at SECRET" in text
    assert "Attending appointments as required" in text  # ( and ) are escaped in a PDF
    assert "Covert source" not in text
    assert "Police intelligence" not in text
    assert "(SECRET)" not in text
    for content in pages:  # the marking at the top and the bottom of every page
        assert content.count("(OFFICIAL-SENSITIVE) Tj") == 2


def _pdf_page_texts(pdf: bytes) -> list[str]:
    """The content streams that draw text. fpdf2 writes "stream\n<zlib data>\nendstream";
    match exactly that, so that a data byte that happens to be \r is never taken for part of
    the line break."""
    pages = []
    for stream in re.findall(rb"stream\n(.*?)\nendstream", pdf, re.S):
        try:
            pages.append(zlib.decompressobj().decompress(stream).decode("latin-1"))
        except zlib.error:
            continue
    return [p for p in pages if " Tj" in p]


def _name(user: Any) -> str:
    """How the pages name a user: full name, else username."""
    return user.get_full_name() or user.username
