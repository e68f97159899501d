"""Required checks in Chromium: a TACT case enters PRE_RELEASE; its domestic abuse and
safeguarding checks appear with their working-day deadlines; the practitioner records the
police reply as an OFFICIAL-SENSITIVE material item, links it and completes the check; after
release, a change of address on licence raises fresh checks; an undone check turns overdue,
escalates to the seniors and lowers the compliance figure the senior lead sees."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from jointcase.cases import services as case_services
from jointcase.cases.models import Sentence
from jointcase.lib.working_days import add_working_days
from jointcase.notifications.models import Notification
from jointcase.risk.models import RequiredCheck
from jointcase.risk.services.checks_nightly import checks_nightly
from tests.register_fixtures import case_world  # noqa: F401 - fixture
from tests.risk.conftest import checks_world, enter_pre_release, keyring  # noqa: F401
from tests.support.browser import declare_purpose, fill_date
from tests.support.forms import date_input

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.django_db(transaction=True)
REPLY = "Police reply: domestic abuse call-outs"
DA = "Police domestic abuse call-out check"
CSC = "Children's social care safeguarding check"
Axe = Callable[..., list[dict[str, Any]]]


def _page_for(browser: Browser, width: int = 1280) -> Page:
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-GB")
    context.set_default_timeout(15_000)
    return context.new_page()


def _card(page: Page, trigger: str, check: str) -> Any:
    return page.locator(".govuk-summary-card", has_text=trigger).filter(has_text=check)


def _checks_url(base: str, world: Any) -> str:
    return f"{base}/cases/{world.case.public_id}/checks/"


def _sees_pre_release_checks(page: Page, base: str, world: Any, axe: Axe) -> None:
    due = add_working_days(timezone.localdate(), 10)
    page.goto(_checks_url(base, world))
    declare_purpose(page)
    expect(page.get_by_role("heading", name="Required checks")).to_be_visible()
    for check in (DA, CSC):
        expect(_card(page, "Entering a phase", check)).to_contain_text(f"{due.day} {due:%B %Y}")
    assert axe(page) == []


def _fits_390(browser: Browser, live_server: Any, sign_in: Any, world: Any, axe: Axe) -> None:
    narrow = _page_for(browser, 390)
    sign_in(narrow, live_server, world.personas.nsd_practitioner)
    for url in (
        _checks_url(live_server.url, world),
        f"{live_server.url}/checks/",
        f"{live_server.url}/cases/{world.case.public_id}/changes/new/",
    ):
        narrow.goto(url)
        declare_purpose(narrow)
        assert narrow.evaluate("document.documentElement.scrollWidth") <= 390, url
        assert axe(narrow) == [], url
    narrow.context.close()


def _completes_with_the_police_reply(page: Page, base: str, world: Any, axe: Axe) -> None:
    today = timezone.localdate()
    page.goto(f"{base}/cases/{world.case.public_id}/material/new/")
    page.get_by_label("Note", exact=True).check()
    page.get_by_label("Title").fill(REPLY)
    page.get_by_label("OFFICIAL-SENSITIVE", exact=True).check()
    page.get_by_label("Content").fill("One call-out recorded at the previous address (synthetic).")
    page.get_by_role("button", name="Add material").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(REPLY)

    page.goto(_checks_url(base, world))
    card = _card(page, "Entering a phase", DA)
    card.get_by_role("link", name=re.compile("^Complete")).click()
    assert axe(page) == []
    page.get_by_role("button", name="Complete the check").click()  # nothing filled in
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose the outcome of the check")
    fill_date(page, "Date requested", today)
    fill_date(page, "Date reply received", today)
    page.get_by_label("Information disclosed").check()
    page.get_by_label(re.compile(REPLY)).check()
    page.get_by_role("button", name="Complete the check").click()
    expect(page.locator("body")).to_contain_text(f"{DA} completed")
    completed = page.locator("table", has_text="Information disclosed")
    expect(completed.get_by_role("link", name=REPLY)).to_be_visible()


def _moves_house_on_licence(page: Page, base: str, world: Any) -> None:
    people, case = world.personas, world.case
    case.refresh_from_db()
    case_services.sentence_update(
        actor=people.nsd_practitioner,
        sentence=Sentence.objects.get(pk=world.sentence.pk),
        expected_version=case.version,
        released_on=timezone.localdate(),
    )
    page.goto(f"{base}/people/{world.person.public_id}/addresses/new/")
    page.get_by_label("Kind of address").select_option("HOME")
    page.get_by_label("Address line 1").fill("4 Synthetic Terrace")
    page.get_by_label("Town or city").fill("Leeds")
    page.get_by_label("Postcode").fill("LS2 2BB")
    page.get_by_role("button", name="Save", exact=True).click()
    page.goto(_checks_url(base, world))
    for check in (DA, CSC, "Home visit after release"):
        expect(_card(page, "Change of circumstance", check)).to_have_count(1)


def _compliance(lead: Page, base: str) -> None:
    today = timezone.localdate()
    start, end = today - dt.timedelta(days=365), today + dt.timedelta(days=60)
    query = urlencode(
        {**date_input("start", start), **date_input("end", end), "group_by": "family"}
    )
    lead.goto(f"{base}/checks/compliance/?{query}")


def test_pre_release_checks_completion_change_of_address_and_escalation(
    browser: Browser,
    page: Page,
    live_server: Any,
    checks_world: Any,  # noqa: F811
    keyring: Any,  # noqa: F811
    sign_in: Callable[..., None],
    axe_violations: Axe,
) -> None:
    people, base, today = checks_world.personas, live_server.url, timezone.localdate()
    enter_pre_release(checks_world, release_in_days=90)  # the TACT case enters PRE_RELEASE

    sign_in(page, live_server, people.nsd_practitioner)
    _sees_pre_release_checks(page, base, checks_world, axe_violations)
    _fits_390(browser, live_server, sign_in, checks_world, axe_violations)
    _completes_with_the_police_reply(page, base, checks_world, axe_violations)
    _moves_house_on_licence(page, base, checks_world)

    lead = _page_for(browser)
    sign_in(lead, live_server, people.nsd_lead)
    _compliance(lead, base)
    expect(lead.locator("#compliance-total")).to_contain_text("100% on time (1 of 1")

    # Time passes: the pre-release safeguarding check is still undone, past its due date.
    RequiredCheck.objects.filter(case=checks_world.case, rule_code="CSC_PRE_RELEASE").update(
        triggered_on=today - dt.timedelta(days=40), due_on=add_working_days(today, -8)
    )
    checks_nightly(today=add_working_days(today - dt.timedelta(days=1), 1))
    page.goto(_checks_url(base, checks_world))
    overdue = _card(page, "Entering a phase", CSC)
    expect(overdue).to_contain_text("Overdue")
    expect(overdue).to_contain_text("Escalated to senior leads")
    assert Notification.objects.filter(recipient=people.nsd_lead).exists()
    assert Notification.objects.filter(recipient=people.ct_supervisor).exists()

    _compliance(lead, base)  # ... and the compliance figure falls
    expect(lead.locator("#compliance-total")).to_contain_text("50% on time (1 of 2")
    expect(lead.locator("table")).to_contain_text("Safeguarding")
    assert axe_violations(lead) == []
    # The one refused form answered 400 (with its error summary), as it should; nothing else.
    errors = page.jc_console_errors  # type: ignore[attr-defined]
    assert [e for e in errors if "status of 400" not in e] == []
