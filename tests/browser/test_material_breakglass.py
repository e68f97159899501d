"""Break-glass in Chromium, each page checked by axe: an officer not on the case opens
"Emergency access" from the home page, is shown the error summary for an empty form, then
opens the case's material by its reference and sees the break-glass warning and the item."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.material.conftest import case_world, keyring, material_world  # noqa: F401 - fixtures
from tests.material.item_helpers import secret_report

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_officer_opens_break_glass_by_case_reference(
    page: Page,
    live_server: Any,
    material_world: Any,  # noqa: F811
    keyring: Any,  # noqa: F811
    sign_in: Callable[..., None],
    axe_violations: Callable[..., list[dict[str, Any]]],
) -> None:
    item = secret_report(material_world, releasable_to=["ctu-north-west"])
    sign_in(page, live_server, material_world.personas.officer_not_on_case)
    page.get_by_role("link", name="Emergency access").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Emergency (break-glass) access")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Open break-glass access").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the case reference")
    expect(summary).to_contain_text("Enter why you need emergency access")
    assert axe_violations(page) == []
    page.get_by_label("Case reference").fill(material_world.case.reference)
    page.get_by_label("Why do you need emergency access?").fill(
        "Imminent risk reported overnight (synthetic)"
    )
    page.get_by_role("button", name="Open break-glass access").click()
    expect(page.locator("body")).to_contain_text("You are using break-glass access")
    expect(page.get_by_role("link", name=item.title).first).to_be_visible()
    assert axe_violations(page) == []
