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


def test_meeting_minutes_action_completion_and_withheld_section(
    browser: Browser,
    page: Page,
    live_server: Any,
    team_world: Any,  # noqa: F811
    keyring: Any,  # noqa: F811
    sign_in: Callable[..., None],
    axe_violations: Callable[..., list[dict[str, Any]]],
) -> None:
    people = team_world.personas
    case = team_world.case
    base = live_server.url

    # The CT supervisor records a MAPPA level 3 meeting.
    sign_in(page, live_server, people.ct_supervisor)
    page.goto(f"{base}/meetings/new/?case={case.public_id}")
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
    meeting_url = page.url
    assert axe_violations(page) == []

    # The POM attended.
    pom_name = people.pom.get_full_name() or people.pom.username
    row = page.locator("#attendees + table tr", has_text=pom_name)
    row.locator("select").select_option("attended")
    row.get_by_role("button").click()
    expect(page.locator("#attendees ~ table, table").nth(1)).to_contain_text("Attended")

    # Two sections: OFFICIAL-SENSITIVE and a SECRET police section.
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

    # The meeting can be changed after it is recorded (its edit page passes axe too).
    page.get_by_role("link", name="Change the meeting").click()
    page.get_by_label("Agenda").fill("Risk review, release planning and travel")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Save the changes").click()
    expect(page.locator("body")).to_contain_text("Risk review, release planning and travel")
    expect(page.locator("#history ~ ol")).to_contain_text("Changed (agenda)")

    # Removing an invitee asks first (the confirmation page passes axe); not this time.
    page.get_by_role("link", name=f"Remove {pom_name}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Remove {pom_name}")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Cancel").click()

    # An action for the NSD practitioner.
    page.get_by_role("link", name="Agree an action").click()
    page.get_by_label("What was agreed").fill("Arrange a joint home visit")
    page.get_by_label("Owner").select_option(str(people.nsd_practitioner.pk))
    _fill_date(page, timezone.localdate() + dt.timedelta(days=7))
    page.get_by_role("button", name="Agree the action").click()
    expect(page.locator("body")).to_contain_text("Arrange a joint home visit")

    # The practitioner finds it in "my actions" and completes it with evidence.
    practitioner = _page_for(browser)
    sign_in(practitioner, live_server, people.nsd_practitioner)
    practitioner.goto(f"{base}/meetings/actions/mine/")
    declare_purpose(practitioner)
    assert axe_violations(practitioner) == []
    expect(practitioner.locator("table")).to_contain_text("Arrange a joint home visit")
    practitioner.get_by_role("link", name="Arrange a joint home visit").click()
    declare_purpose(practitioner)
    practitioner.get_by_role("link", name="Change the due date").click()
    assert axe_violations(practitioner) == []
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

    # The POM (BPSS) reads the minutes with the SECRET section withheld.
    pom = _page_for(browser)
    sign_in(pom, live_server, people.pom)
    pom.goto(meeting_url)
    declare_purpose(pom)
    minutes = pom.locator("body")
    expect(minutes).to_contain_text(OPEN_TEXT)
    expect(minutes).to_contain_text("Section withheld: held by CT Policing North East at SECRET")
    expect(minutes).not_to_contain_text(SECRET_TEXT)
    expect(minutes).not_to_contain_text("Police intelligence")
    expect(pom.locator(".jc-marking").first).to_have_text("OFFICIAL-SENSITIVE")
    assert axe_violations(pom) == []

    # ... and the PDF pack she exports withholds it too.
    with pom.expect_download() as download_info:
        pom.get_by_role("link", name="Download the meeting pack").click()
    download = download_info.value
    assert download.suggested_filename.startswith("OFFICIAL-SENSITIVE - meeting pack")
    with open(download.path(), "rb") as file:
        pdf = file.read()
    assert pdf.startswith(b"%PDF")
    # fpdf2 writes "stream\n<zlib data>\nendstream"; match exactly that, so that a data byte
    # that happens to be \r is never taken for part of the line break.
    pages = []
    for stream in re.findall(rb"stream\n(.*?)\nendstream", pdf, re.S):
        try:
            pages.append(zlib.decompressobj().decompress(stream).decode("latin-1"))
        except zlib.error:
            continue
    pages = [p for p in pages if " Tj" in p]
    text = "\n".join(pages)
    assert "Section withheld: held by CT Policing North East at SECRET" in text
    assert "Attending appointments as required" in text  # ( and ) are escaped in a PDF
    assert "Covert source" not in text
    assert "Police intelligence" not in text
    assert "(SECRET)" not in text
    for content in pages:  # the marking at the top and the bottom of every page
        assert content.count("(OFFICIAL-SENSITIVE) Tj") == 2
    assert page.jc_console_errors == []  # type: ignore[attr-defined]
    for other in (practitioner, pom):
        other.context.close()
