"""An auditor asks what a user did between two dates typed in GOV.UK date inputs: a mistake is
named in the error summary, whose link takes the auditor to the day box of the date at fault;
the page has no axe violations and fits a phone (390 px), errors and all."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page

from jointcase.audit.services import audit_record
from tests.support.browser import fill_date

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


def _describe(violations: list[dict[str, Any]]) -> str:
    return "\n".join(f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes']}" for v in violations)


def test_an_auditor_corrects_a_date_from_the_error_summary_and_gets_the_report(
    page: Page,
    live_server: Any,
    personas: Any,
    sign_in: Callable[..., None],
    axe_violations: Callable[..., list[dict[str, Any]]],
) -> None:
    audit_record(action="case.viewed", actor=personas.ctnm_officer, object_type="case", object_id=7)
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, personas.auditor)
    page.goto(f"{live_server.url}/audit/user-activity/")
    page.get_by_label("Username").fill("ctnm.officer")
    fill_date(page, "Start date", "31/2/2026")
    fill_date(page, "End date", timezone.localdate())
    page.get_by_role("button", name="Show report").click()

    summary = page.locator(".govuk-error-summary")
    assert summary.get_by_role("link").all_inner_texts() == ["Start date must be a real date"]
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    violations = axe_violations(page)
    assert violations == [], "report with errors:\n" + _describe(violations)
    summary.get_by_role("link", name="Start date must be a real date").click()
    day = page.get_by_role("group", name="Start date").get_by_label("Day")
    assert day.evaluate("box => box === document.activeElement")
    assert day.input_value() == "31"  # what was typed comes back as typed

    fill_date(page, "Start date", timezone.localdate())
    page.get_by_role("button", name="Show report").click()
    assert page.locator(".govuk-error-summary").count() == 0
    assert "Case: viewed" in page.locator("table").inner_text()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    violations = axe_violations(page)
    assert violations == [], "report:\n" + _describe(violations)
