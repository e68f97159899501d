"""Browser tests: real Debian Chromium driven by Playwright's sync API against ``live_server``.

Fixtures for every browser test in tests/browser/ (reuse them, do not start another browser):

- ``browser``: one Chromium for the whole test session (``chromium_path`` from tests/conftest.py;
  missing Chromium skips locally and fails with CI=true).
- ``context``: a fresh browser context per test (no cookies shared between tests).
- ``page``: a page in that context. Every console error and every CSP violation the page
  reports is collected in ``page.jc_console_errors`` (a list of strings) so a test can assert
  ``assert page.jc_console_errors == []``.
- ``sign_in(page, live_server, user, password=PASSWORD)``: the real sign-in journey (password,
  then the current TOTP code from ``tests.conftest.totp_code_for``); ends on the page after
  the second factor.
- ``axe_violations(page, tags=WCAG_TAGS)``: runs axe-core (node_modules/axe-core) in the page
  and returns its violations as a list of dicts (empty when the page passes).

Tests using ``live_server`` get a transactional database (pytest-django does that), so data
made by fixtures such as ``personas`` is visible to the server thread on SQLite and PostgreSQL.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run inside
# one unless told it is safe (it is: the loop never runs Django code concurrently).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, sync_playwright

import tests.audit_plugin  # noqa: F401 - transactional flushes may empty the audit tables
from jointcase.accounts.models import User
from tests.conftest import totp_code_for
from tests.factories import PASSWORD

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")
AXE_SOURCE = Path(settings.NODE_MODULES) / "axe-core" / "axe.min.js"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Session-scoped twin of tests/conftest.py's ``chromium_path`` (same rule)."""
    from tests.conftest import IN_CI

    for path in (
        os.environ.get("JOINTCASE_CHROMIUM", ""),
        "/usr/lib/chromium/chromium",
        "/usr/bin/chromium",
    ):
        if path and os.path.exists(path):
            return path
    if IN_CI:
        pytest.fail("Chromium is missing: .ci/run installs Debian's chromium package")
    pytest.skip("Chromium is not installed (apt-get install chromium)")


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    ctx.set_default_timeout(15_000)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    new_page = context.new_page()
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    new_page.on("console", on_console)
    new_page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    new_page.jc_console_errors = errors  # type: ignore[attr-defined]
    return new_page


def _sign_in(page: Page, live_server: Any, user: User, password: str = PASSWORD) -> None:
    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/second-factor/**")
    page.get_by_label("Security code").fill(totp_code_for(user))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


@pytest.fixture
def sign_in() -> Callable[..., None]:
    return _sign_in


@functools.cache
def _axe_source() -> str:
    """axe-core's source, read once per test process (it is injected into every page)."""
    return AXE_SOURCE.read_text(encoding="utf-8")


def _axe_violations(page: Page, tags: tuple[str, ...] = WCAG_TAGS) -> list[dict[str, Any]]:
    """axe-core's violations for the page as it stands (injected as source: no CSP bypass)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    result = page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(" ")).slice(0, 5),
            }));
        }""",
        list(tags),
    )
    return list(result)


@pytest.fixture
def axe_violations() -> Callable[..., list[dict[str, Any]]]:
    return _axe_violations
