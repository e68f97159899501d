"""Steps the browser journeys share."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import Page

PURPOSE_QUESTION = "Why are you opening this record?"


def declare_purpose(page: Page, purpose: str = "Case management") -> None:
    """Answer the purpose-of-consultation page as a user does, if the page shows it (the
    first case page of each case in a session); any other page is left as it is."""
    heading = page.get_by_role("heading", level=1)
    if heading.count() and heading.first.inner_text().strip() == PURPOSE_QUESTION:
        page.get_by_label(purpose, exact=True).check()
        page.get_by_role("button", name="Continue").click()


def fill_date(page: Page, legend: str, day: dt.date | str) -> None:
    """Type a date in the GOV.UK date input whose legend is ``legend``: a date, or what a person
    types as "day/month/year" (an impossible date included)."""
    parts = (
        [str(day.day), str(day.month), str(day.year)]
        if isinstance(day, dt.date)
        else day.split("/")
    )
    group = page.get_by_role("group", name=legend)
    for box, value in zip(("Day", "Month", "Year"), parts, strict=True):
        group.get_by_label(box).fill(value)
