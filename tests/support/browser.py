"""Steps the browser journeys share."""

from __future__ import annotations

from playwright.sync_api import Page

PURPOSE_QUESTION = "Why are you opening this record?"


def declare_purpose(page: Page, purpose: str = "Case management") -> None:
    """Answer the purpose-of-consultation page as a user does, if the page shows it (the
    first case page of each case in a session); any other page is left as it is."""
    heading = page.get_by_role("heading", level=1)
    if heading.count() and heading.first.inner_text().strip() == PURPOSE_QUESTION:
        page.get_by_label(purpose, exact=True).check()
        page.get_by_role("button", name="Continue").click()
