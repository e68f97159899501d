"""A case note in Chromium, on a phone: the NSD practitioner opens the case, follows "Add a case
note", meets the error summary on an empty form, then adds the note; the form fits 390 px and
passes axe-core."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from jointcase.material.models import MaterialItem
from tests.material.conftest import case_world, keyring, material_world  # noqa: F401 - fixtures
from tests.support.browser import declare_purpose

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


def test_the_practitioner_adds_a_case_note_on_a_phone(
    browser: Browser,
    live_server: Any,
    material_world: Any,  # noqa: F811
    keyring: Any,  # noqa: F811
    sign_in: Callable[..., None],
    axe_violations: Callable[..., list[dict[str, Any]]],
) -> None:
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        sign_in(page, live_server, material_world.personas.nsd_practitioner)
        page.goto(f"{live_server.url}/cases/{material_world.case.public_id}/")
        declare_purpose(page)
        page.get_by_role("link", name="Add a case note").click()
        declare_purpose(page)
        expect(page.get_by_role("heading", level=1)).to_have_text("Add a case note")
        expect(page.get_by_label("OFFICIAL-SENSITIVE", exact=True)).to_be_checked()
        assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
        assert axe_violations(page) == []

        page.get_by_role("button", name="Add the note").click()
        expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a title for the note")
        assert axe_violations(page) == []
        assert not MaterialItem.objects.exists()

        page.get_by_label("Title").fill("Home visit")
        page.get_by_label("Note", exact=True).fill("Calm and engaged at the visit (synthetic).")
        page.get_by_role("button", name="Add the note").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Home visit")
        expect(page.locator("body")).to_contain_text("Case note 'Home visit' added")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        context.close()
