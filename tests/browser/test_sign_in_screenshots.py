"""The README's screenshots (``make screenshots``): the sign-in page, a demo user's home page,
a SECRET police report as its originator sees it, and the MAPPA minutes as the BPSS-vetted
prison offender manager reads them (the SECRET section withheld), in the seeded demo world,
written to docs/images/. Skipped unless
JOINTCASE_SCREENSHOTS=1, so the normal suite never rewrites them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page

from jointcase.accounts.models import User
from jointcase.accounts.personas import DEMO_PASSWORD
from jointcase.material.models import MaterialItem
from jointcase.meetings.models import Meeting, MinutesSection
from jointcase.seed.world import world_seed
from tests.material.conftest import keyring  # noqa: F401 - fixture: sealed bodies and minutes
from tests.support.browser import declare_purpose

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        os.environ.get("JOINTCASE_SCREENSHOTS") != "1", reason="make screenshots only"
    ),
]

IMAGES = Path(settings.REPO_DIR) / "docs" / "images"
MAX_BYTES = 300_000


SHOTS = ("sign-in.png", "home.png", "material-item.png", "minutes-withheld.png")


def test_take_the_readme_screenshots(page: Page, live_server, sign_in, keyring):  # noqa: F811
    world_seed(scale="demo", seed=1, show_progress=False)
    IMAGES.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1100, "height": 760})

    page.goto(f"{live_server.url}/sign-in/")
    page.screenshot(path=str(IMAGES / "sign-in.png"))

    sign_in(page, live_server, User.objects.get(username="nsd.practitioner"), DEMO_PASSWORD)
    page.screenshot(path=str(IMAGES / "home.png"))

    report = MaterialItem.objects.filter(
        author__username="ctnm.officer",
        classification="SECRET",
        tearlines__tearline_status="APPROVED",
    ).first()
    assert report is not None, "the demo world's police report with a tearline"
    page.context.clear_cookies()
    sign_in(page, live_server, User.objects.get(username="ctnm.officer"), DEMO_PASSWORD)
    page.goto(f"{live_server.url}/material/{report.pk}/")
    declare_purpose(page)
    page.screenshot(path=str(IMAGES / "material-item.png"))

    meeting = Meeting.objects.filter(
        pk__in=MinutesSection.objects.filter(classification="SECRET").values("meeting_id"),
        invitations__user__username="pom.bpss",
    ).first()
    assert meeting is not None, "the demo world's MAPPA meeting the POM attended"
    page.context.clear_cookies()
    sign_in(page, live_server, User.objects.get(username="pom.bpss"), DEMO_PASSWORD)
    page.goto(f"{live_server.url}/meetings/{meeting.public_id}/")
    declare_purpose(page)
    page.locator(".jc-withheld").first.wait_for()
    page.locator("#minutes").evaluate("heading => heading.scrollIntoView()")
    page.screenshot(path=str(IMAGES / "minutes-withheld.png"))

    for name in SHOTS:
        assert (IMAGES / name).stat().st_size < MAX_BYTES, f"{name} is too large for the README"
