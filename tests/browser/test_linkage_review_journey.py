"""The linkage review in Chromium, on a 390 px wide phone: the queue, a record and its
candidate side by side with what agrees and what differs, the twin warning, a decision
refused without a reason (GOV.UK error summary), then kept apart (synthetic people only)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from jointcase.exchange.models import RecordLinkage, ReviewAction, ReviewDecision
from tests.conftest import Personas
from tests.exchange_linkage.conftest import importers, reviewing, under_review  # noqa: F401

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_reviewer_compares_and_decides_on_a_phone(
    browser: Browser,
    live_server: Any,
    sign_in: Callable[..., None],
    importers: Personas,  # noqa: F811
    under_review: Callable[..., RecordLinkage],  # noqa: F811
    axe_violations: Callable[..., list[dict[str, Any]]],
) -> None:
    under_review(given_names="Beatrix")
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    sign_in(page, live_server, importers.system_admin)
    page.goto(f"{live_server.url}/")
    assert page.locator("a", has_text="Linkage review").count() >= 1  # in the navigation
    page.goto(f"{live_server.url}/linkage/reviews/")
    expect(page.get_by_role("heading", name="Linkage review")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("link", name="Beatrix Quenby").click()
    pair = page.locator("#pair")
    expect(pair).to_be_visible()
    expect(pair.get_by_role("columnheader", name="Partner record")).to_be_visible()
    expect(pair.get_by_role("columnheader", name="Register person")).to_be_visible()
    expect(page.locator("#field-surname")).to_contain_text("Same")
    expect(page.locator("#field-given_name")).to_contain_text("Different")
    expect(page.locator("#match-weight")).to_contain_text("Match weight")
    expect(page.locator("#twin-warning")).to_contain_text("Possible twin")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert axe_violations(page) == []
    page.get_by_label("Keep apart: they are different people").check()
    page.get_by_role("button", name="Save the decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the reason for your decision"
    )
    assert not ReviewDecision.objects.exists()
    page.get_by_label("Why?").fill("Twins: different given names, same birthday")
    page.get_by_role("button", name="Save the decision").click()
    expect(page.locator("#status")).to_contain_text("New person, after review")
    expect(page.locator("#decisions")).to_contain_text("Twins: different given names")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    decision = ReviewDecision.objects.get()
    assert decision.action == ReviewAction.KEEP_APART
    assert decision.decided_by == importers.system_admin
    context.close()
