"""A new user follows their enrolment link in Chromium: they choose their own password and set
up their own authenticator app on one page (axe-checked, 390 px wide), are signed in, and the
link does not work a second time."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from typing import Any

import pytest
from django_otp.oath import totp
from playwright.sync_api import Page, expect

from jointcase.accounts.models import Role
from tests.agencies.helpers import date_fields, in_days

pytestmark = pytest.mark.django_db(transaction=True)

OWN_PASSWORD = "Synthetic-Passphrase-2026!"


def _code_for(setup_key: str) -> str:
    key = base64.b32decode(setup_key.replace(" ", ""))
    return f"{totp(key):06d}"


def test_a_new_user_sets_up_their_own_account_with_the_link_in_a_browser(
    page: Page,
    live_server: Any,
    personas: Any,
    client_for: Callable[..., Any],
    axe_violations: Callable[..., list[dict[str, Any]]],
) -> None:
    # The agency administrator adds the user and is shown the link once.
    added = client_for(personas.agency_admin).post(
        "/agencies/users/new/",
        {
            "first_name": "Imogen",
            "last_name": "Fairweather",
            "username": "imogen.fairweather",
            "email": "imogen.fairweather@jointcase.example",
            "job_title": "Probation officer",
            "roles": [Role.NSD_PRACTITIONER],
            "level": "SC",
            **date_fields("expires_on", in_days(700)),
        },
    )
    assert added.status_code == 200
    link = re.search(r"(/sign-in/enrol/[^/\"]+/)", added.content.decode())
    assert link is not None, "no enrolment link on the page"
    path = link.group(1)
    page.set_viewport_size({"width": 390, "height": 900})

    page.goto(f"{live_server.url}{path}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your JointCase account")
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_text("I cannot scan the QR code").click()
    setup_key = re.search(
        r"\b([A-Z2-7]{4}(?: [A-Z2-7]{1,4})+)\b", page.locator("main").inner_text()
    )
    assert setup_key is not None
    page.get_by_label("Create a password").fill(OWN_PASSWORD)
    page.get_by_label("Confirm your password").fill(OWN_PASSWORD)
    page.get_by_label("Security code").fill(_code_for(setup_key.group(1)))
    page.get_by_role("button", name="Set up my account").click()

    expect(page.locator("body")).to_contain_text("Your account is set up and you are signed in")
    assert page.url == f"{live_server.url}/"

    page.goto(f"{live_server.url}{path}")
    expect(page.locator("body")).to_contain_text("This link has expired or has already been used")
