"""Risk assessments in Chromium: the NSD practitioner starts a whole-risk assessment from the
case's risk tab, cannot complete it while domestic abuse is left blank (the error summary
says so), addresses it, writes a SECRET-informed section and completes it; the senior
operational lead countersigns; the BPSS-vetted POM reads it with the SECRET section withheld,
and the risk tab shows the RoSH matrix, every domain and the next review date at 390 px."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from jointcase.cases import services as case_services
from jointcase.cases.models import CaseRole
from jointcase.risk.models.assessments import ROSH_AUDIENCES, RiskDomain, RoshAudience, RoshSetting
from tests.risk.conftest import keyring  # noqa: F401 - fixture
from tests.support.browser import declare_purpose, fill_date

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.django_db(transaction=True)
SECRET_TEXT = "Covert reporting of renewed contact with a former partner (synthetic)."
REASON = "Police call-out check returned no trace (synthetic)."


def _page_for(browser: Browser, width: int = 1280) -> Page:
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-GB")
    context.set_default_timeout(15_000)
    return context.new_page()


def _rate_everything_but_domestic_abuse(page: Page, in_custody: bool) -> None:
    for domain, label in RiskDomain.choices:
        if domain == RiskDomain.DOMESTIC_ABUSE:
            continue
        if domain == RiskDomain.RISK_TO_PRISONERS and not in_custody:
            continue
        page.get_by_label(f"{label}: rating").select_option("MEDIUM")
        page.get_by_label(f"{label}: evidence, or the reason there are no concerns").fill(
            f"Synthetic evidence for {label.lower()}"
        )
    for setting, audiences in ROSH_AUDIENCES.items():
        for audience in audiences:
            label = f"{RoshAudience(audience).label} ({RoshSetting(setting).label.lower()})"
            page.get_by_label(label, exact=True).select_option("HIGH")
    for label in (
        "Nature of the risk",
        "Who is at risk",
        "When the risk is most likely",
        "What increases the risk",
        "What decreases the risk",
    ):
        page.get_by_label(label, exact=True).fill(f"Synthetic: {label.lower()}")
    review = timezone.localdate() + dt.timedelta(days=180)
    fill_date(page, "Next review due", review)


def _practitioner_assesses(
    page: Page, base: str, case: Any, axe_violations: Callable[..., list[dict[str, Any]]]
) -> str:
    """The practitioner's part (signed in on ``page``); the assessment's URL."""
    # The practitioner starts an assessment from the risk tab.
    page.goto(f"{base}/cases/{case.public_id}/risk/")
    declare_purpose(page)
    expect(page.locator("body")).to_contain_text("No countersigned risk assessment yet")
    assert axe_violations(page) == []
    page.get_by_label("Instrument").select_option("WHOLE_RISK")
    page.get_by_role("button", name="Start an assessment").click()
    declare_purpose(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Rate every risk domain")
    assert axe_violations(page) == []

    # Every domain but domestic abuse: it cannot be completed.
    _rate_everything_but_domestic_abuse(page, in_custody=True)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Assessment saved")
    assessment_url = page.url
    page.get_by_role("button", name="Complete and send for countersignature").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("This assessment cannot be completed yet")
    expect(summary).to_contain_text("Rate domestic abuse, or record no concerns identified")
    assert axe_violations(page) == []

    # Domestic abuse addressed; a SECRET-informed section; completed.
    page.get_by_role("link", name="Change the ratings, RoSH and summary").click()
    page.get_by_label("Domestic abuse: rating").select_option("NO_CONCERNS")
    page.get_by_label("Domestic abuse: evidence, or the reason there are no concerns").fill(REASON)
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Write Relationships and household").click()
    page.get_by_label("Intimate partner relationships").select_option("SIGNIFICANT")
    page.get_by_label("Notes").fill(SECRET_TEXT)
    page.get_by_label("Classification of this section").select_option("SECRET")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Save the section").click()
    expect(page.locator("body")).to_contain_text(SECRET_TEXT)
    expect(page.locator(".jc-marking").first).to_have_text("SECRET")
    page.get_by_role("button", name="Complete and send for countersignature").click()
    expect(page.locator("body")).to_contain_text("Awaiting countersignature")

    return assessment_url


def test_a_whole_risk_assessment_from_start_to_countersignature(
    browser: Browser,
    page: Page,
    live_server: Any,
    case_world: Any,
    keyring: Any,  # noqa: F811
    sign_in: Callable[..., None],
    axe_violations: Callable[..., list[dict[str, Any]]],
) -> None:
    people = case_world.personas
    case = case_world.case
    case_services.team_member_add(
        actor=people.nsd_practitioner,
        case=case,
        role=CaseRole.SENIOR_OPERATIONAL_LEAD,
        user=people.nsd_lead,
        start=timezone.localdate() - dt.timedelta(days=30),
    )
    base = live_server.url

    sign_in(page, live_server, people.nsd_practitioner)
    assessment_url = _practitioner_assesses(page, base, case, axe_violations)

    # The senior operational lead countersigns.
    lead = _page_for(browser)
    sign_in(lead, live_server, people.nsd_lead)
    lead.goto(assessment_url)
    declare_purpose(lead)
    lead.get_by_role("button", name="Countersign").click()
    expect(lead.locator("body")).to_contain_text("Assessment countersigned")

    # The BPSS POM reads it with the SECRET section withheld, and the tab at 390 px.
    pom = _page_for(browser, width=390)
    sign_in(pom, live_server, people.pom)
    pom.goto(assessment_url)
    declare_purpose(pom)
    expect(pom.locator("body")).to_contain_text("Section withheld: held by NSD North at SECRET")
    assert SECRET_TEXT not in pom.content()
    expect(pom.locator(".jc-marking").first).to_have_text("OFFICIAL-SENSITIVE")
    assert axe_violations(pom) == []
    pom.goto(f"{base}/cases/{case.public_id}/risk/")
    declare_purpose(pom)
    body = pom.locator("body")
    expect(body).to_contain_text("Risk of serious harm")
    expect(body).to_contain_text("Domestic abuse")
    expect(body).to_contain_text("No concerns identified")
    expect(body).to_contain_text("Next review due")
    width = pom.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the risk tab is {width} px wide at 390 px"
    assert axe_violations(pom) == []
