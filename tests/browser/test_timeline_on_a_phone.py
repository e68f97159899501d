"""The case timeline in Chromium, on a phone: the POM (BPSS) reads the timeline of a case with a
SECRET police report and its approved tearline; she sees the event under the tearline's title
and label, never the report's, filters by type in plain English, and the page fits 390 px and
passes axe-core."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.material.conftest import case_world, keyring, material_world  # noqa: F401 - fixtures
from tests.material.item_helpers import approved_tearline, secret_report
from tests.support.browser import declare_purpose

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


def test_the_pom_walks_the_timeline_on_a_phone(
    browser: Browser,
    live_server: Any,
    material_world: Any,  # noqa: F811
    keyring: Any,  # noqa: F811
    sign_in: Callable[..., None],
    axe_violations: Callable[..., list[dict[str, Any]]],
    tmp_path: Path,
) -> None:
    report = secret_report(material_world)
    approved_tearline(material_world, report)
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        sign_in(page, live_server, material_world.personas.pom)
        page.goto(f"{live_server.url}/cases/{material_world.case.public_id}/timeline/")
        declare_purpose(page)
        timeline = page.locator(".moj-timeline")
        expect(timeline).to_contain_text("Material added: Intelligence report 'Tearline: travel'")
        expect(timeline).not_to_contain_text("Police intelligence report")
        item = page.locator(".moj-timeline__item", has_text="Tearline: travel")
        expect(item.locator(".jc-badge")).to_have_text("OFFICIAL-SENSITIVE")
        opened = page.locator(".moj-timeline__item", has_text="Case opened")
        expect(opened.locator(".jc-badge")).to_have_text("OFFICIAL-SENSITIVE")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
        assert axe_violations(page) == []
        page.screenshot(path=str(tmp_path / "timeline-390.png"), full_page=True)

        page.get_by_label("Type of event").select_option(label="Material added")
        page.get_by_role("button", name="Filter").click()
        expect(page.locator(".moj-timeline__item")).to_have_count(1)
        expect(timeline).to_contain_text("Tearline: travel")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        context.close()
