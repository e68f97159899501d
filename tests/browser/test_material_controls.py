"""Material controls in Chromium, each page checked by axe: the originator sees who else can
see an item and revokes a grant; changes how long an item is kept (with the error summary
first); a reader who may see an item but not destroy it is told so (403); a destroyed item
says when its content was destroyed."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from jointcase.material.models import MaterialGrant
from jointcase.material.services import retention as retention_services
from tests.material.conftest import case_world, keyring, material_world  # noqa: F401 - fixtures
from tests.material.item_helpers import secret_report
from tests.support.browser import declare_purpose, fill_date

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.django_db(transaction=True)


def test_grants_retention_refusals_and_destroyed_items_are_accessible(
    browser: Browser,
    page: Page,
    live_server: Any,
    material_world: Any,  # noqa: F811
    keyring: Any,  # noqa: F811
    sign_in: Callable[..., None],
    axe_violations: Callable[..., list[dict[str, Any]]],
) -> None:
    personas = material_world.personas
    base = live_server.url
    item = secret_report(material_world, releasable_to=["nsd-north", "ctu-north-west"])
    now = timezone.now()
    MaterialGrant.objects.create(
        item=item,
        user=personas.officer_not_on_case,
        starts_at=now,
        expires_at=now + dt.timedelta(days=30),
        granted_by=personas.ct_supervisor,
    )

    sign_in(page, live_server, personas.ctnm_officer)
    page.goto(f"{base}/material/{item.pk}/")
    declare_purpose(page)
    expect(page.get_by_role("heading", name="Who else can see it")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Revoke access of").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Revoke access")
    assert axe_violations(page) == []
    page.get_by_label("Why is this access revoked?").fill("Operation closed (synthetic)")
    page.get_by_role("button", name="Revoke access").click()
    expect(page.locator("body")).to_contain_text("Access revoked")
    expect(page.get_by_role("heading", name="Who else can see it")).to_have_count(0)

    page.get_by_role("link", name="Change how long it is kept").click()
    fill_date(page, "Keep until", "1/1/2001")
    page.get_by_label("Why is the retention date changing?").fill("Trial pending (synthetic)")
    page.get_by_role("button", name="Change the date").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The retention date must be in the future"
    )
    assert axe_violations(page) == []
    later = timezone.localdate() + dt.timedelta(days=3650)
    fill_date(page, "Keep until", later)
    page.get_by_role("button", name="Change the date").click()
    expect(page.locator(".govuk-summary-list")).to_contain_text(f"{later:%-d %B %Y}")

    reader = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    reader_page = reader.new_page()
    sign_in(reader_page, live_server, personas.nsd_practitioner)
    # The reader may see the item, so the purpose of consultation is asked first (once).
    reader_page.goto(f"{base}/material/{item.pk}/destroy/")
    declare_purpose(reader_page)
    response = reader_page.goto(f"{base}/material/{item.pk}/destroy/")
    assert response is not None
    assert response.status == 403
    expect(reader_page.get_by_role("heading", level=1)).to_have_text("You cannot do this")
    assert axe_violations(reader_page) == []
    reader.close()

    retention_services.material_destroy(actor=personas.ctnm_officer, item=item, reason="Ended")
    page.goto(f"{base}/material/{item.pk}/")
    declare_purpose(page)
    expect(page.locator("body")).to_contain_text("The content of this item was destroyed on")
    expect(page.locator(".jc-marking").first).to_have_text("SECRET")
    assert axe_violations(page) == []
    errors = page.jc_console_errors  # type: ignore[attr-defined]
    # The form answered 400 with its error summary, as it should; nothing else went wrong.
    assert [e for e in errors if "status of 400" not in e] == []
