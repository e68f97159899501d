"""The README's screenshots (``make screenshots``): the sign-in page and a demo user's home
page in the seeded demo world, written to docs/images/. Skipped unless
JOINTCASE_SCREENSHOTS=1, so the normal suite never rewrites them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page

from jointcase.accounts.models import User
from jointcase.seed.personas import DEMO_PASSWORD
from jointcase.seed.world import world_seed

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        os.environ.get("JOINTCASE_SCREENSHOTS") != "1", reason="make screenshots only"
    ),
]

IMAGES = Path(settings.REPO_DIR) / "docs" / "images"
MAX_BYTES = 300_000


def test_take_the_readme_screenshots(page: Page, live_server, sign_in):
    world_seed(scale="demo", seed=1, show_progress=False)
    IMAGES.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1100, "height": 760})

    page.goto(f"{live_server.url}/sign-in/")
    page.screenshot(path=str(IMAGES / "sign-in.png"))

    sign_in(page, live_server, User.objects.get(username="nsd.practitioner"), DEMO_PASSWORD)
    page.screenshot(path=str(IMAGES / "home.png"))

    for name in ("sign-in.png", "home.png"):
        assert (IMAGES / name).stat().st_size < MAX_BYTES, f"{name} is too large for the README"
