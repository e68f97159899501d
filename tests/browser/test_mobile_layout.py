"""At 390 px wide (a phone) no page reachable from the navigation is wider than the screen.

In the seeded demo world, a probation practitioner, a prison offender manager, an auditor, an
agency administrator, an NSD senior operational lead and a prison CT lead each sign in on a
390 px viewport and open every page the service navigation leads to, then the pages those link to (every case section of a case, a meeting, an
item, the notices), one page of each kind. On each page:

- ``document.documentElement.scrollWidth`` is at most 390: the page never scrolls sideways (a
  wide table scrolls inside its own focusable region, which is allowed);
- every scrolling table region is focusable and labelled (a keyboard user can scroll it);
- no tag spills out of its box or its table cell, and a marking ("OFFICIAL-SENSITIVE") stays
  on one line;
- axe-core finds no WCAG 2.2 AA violation.

Each kind of page is checked once in the module's run: a later persona does not open again a
kind an earlier persona's walk checked, unless it is one of the kinds that persona must reach
(``MUST_REACH``: the pages that differ by who reads them, checked as each of their readers).

The case sections fold into a "Case sections" disclosure instead of eight tabs filling the first
screen. With ``JOINTCASE_SHOTS_DIR`` set, each page is also saved as a screenshot there (at 390
and 1,280 px) for a person to look at.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from jointcase.accounts.models import User
from jointcase.accounts.personas import DEMO_PASSWORD
from jointcase.meetings.models import Meeting
from jointcase.notifications.models import Notification
from jointcase.notifications.services import notify
from tests.support.browser import declare_purpose, fill_date
from tests.support.demo_world import demo_server_fixture

#: The demo world and its server, seeded once for the module; its tests run on one worker.
demo_server = demo_server_fixture()

pytestmark = pytest.mark.xdist_group("demo_world_browser")


@pytest.fixture(autouse=True)
def _a_fresh_authenticator_step(demo_server: Any) -> None:
    """The module's tests sign the same people in within one 30-second step, and django-otp
    refuses a code used twice, as it should: each test starts as if a step had passed."""
    TOTPDevice.objects.update(last_t=-1)


PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
PERSONAS = (
    "nsd.practitioner",
    "pom.bpss",
    "auditor",
    "agency.admin",
    "nsd.lead",
    "prison.ctlead",
)
#: The most pages one persona opens (one of each kind is enough to find a layout fault).
MOST_PAGES = 55
#: Links that are not pages: downloads, and the demo's links off the service.
NOT_A_PAGE = re.compile(r"(\.pdf|\.csv|/download|/export|/pack)(/|$)|^/(admin|api)/")
#: Pages that are forms: opened after the pages that show things, as the cap may stop the walk.
FORM = re.compile(r"/(new|edit|add|end|complete|reassign|due|status|password|changes)/$")
#: Ids in a path, so that one page of each kind is opened (``/cases/<id>/team/``).
_ID = re.compile(r"/([0-9a-f]{8}-[0-9a-f-]{27}|\d+)(?=/|$)")

Axe = Callable[[Page], list[dict[str, Any]]]


#: The kinds of page checked in this module's run (the personas' walks run one after the other
#: on one worker: ``xdist_group``).
CHECKED: set[str] = set()


def _kind(path: str) -> str:
    return _ID.sub("/<id>", path)


def _links_in_page(page: Page) -> list[str]:
    """Same-site paths linked from the page's navigation and main content."""
    hrefs: list[str] = page.eval_on_selector_all(
        "header a[href], main a[href]", "links => links.map(a => a.getAttribute('href'))"
    )
    paths = []
    for href in hrefs:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue
        if NOT_A_PAGE.search(parts.path) or parts.path.startswith("/sign"):
            continue
        paths.append(parts.path)
    return paths


def _problems_on(page: Page, axe_violations: Axe) -> list[str]:
    """What is wrong with the page as it stands at 390 px (empty when nothing is)."""
    problems = []
    width = page.evaluate("() => document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        wide = page.evaluate(
            """(limit) => [...document.querySelectorAll('main *')]
                .filter(e => e.getBoundingClientRect().right > limit
                    && !e.closest('.jc-table-scroll'))
                .slice(0, 3).map(e => e.tagName + '.' + e.className)""",
            PHONE["width"],
        )
        problems.append(f"{width} px wide (widest: {wide})")
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('.jc-table-scroll')].filter(r =>
            r.getAttribute('role') !== 'region' || r.getAttribute('tabindex') !== '0'
            || !r.getAttribute('aria-label')).length"""
    )
    if unlabelled:
        problems.append(f"{unlabelled} table region(s) not focusable and labelled")
    spilled = page.evaluate(
        """() => [...document.querySelectorAll('main .govuk-tag')].filter(tag => {
            const cell = tag.closest('td, th');
            const line = parseFloat(getComputedStyle(tag).lineHeight) || 20;
            return tag.scrollWidth > tag.clientWidth + 1
                || (cell && tag.getBoundingClientRect().right
                    > cell.getBoundingClientRect().right + 1)
                || (tag.classList.contains('jc-badge') && tag.offsetHeight > 1.9 * line);
        }).map(tag => tag.textContent.trim())"""
    )
    if spilled:
        problems.append(f"tags wrapped or spilling out of their box or cell: {spilled}")
    for violation in axe_violations(page):
        problems.append(f"axe {violation['id']}: {violation['help']} at {violation['nodes']}")
    return problems


def _shoot(page: Page, persona: str, index: int, path: str) -> None:
    folder = os.environ.get("JOINTCASE_SHOTS_DIR")
    if not folder:
        return
    name = f"{persona}-{index:02d}-{_kind(path).strip('/').replace('/', '_') or 'home'}"
    Path(folder).mkdir(parents=True, exist_ok=True)
    page.screenshot(path=f"{folder}/{name}-390-first-screen.png")
    page.screenshot(path=f"{folder}/{name}-390.png", full_page=True)
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=f"{folder}/{name}-1280.png", full_page=True)
    page.set_viewport_size(PHONE)


def _walk(
    page: Page, base: str, persona: str, axe_violations: Axe, must_reach: tuple[str, ...]
) -> tuple[set[str], dict[str, list[str]]]:
    """Open the pages reachable from the navigation, one of each kind not yet checked in the
    module's run (and every kind in ``must_reach``): the kinds opened, and the problems found
    on them."""
    queue = _links_in_page(page)
    seen: set[str] = set()
    opened: set[str] = set()
    found: dict[str, list[str]] = {}
    while queue and len(opened) < MOST_PAGES:
        path = queue.pop(0)
        kind = _kind(path)
        if kind in seen:
            continue
        seen.add(kind)
        if kind in CHECKED and kind not in must_reach:
            continue  # an earlier persona's walk checked this kind
        response = page.goto(base + path)
        declare_purpose(page)
        if response is None or response.status >= 400:
            continue  # a link the persona may follow but not use (a 403 is another test's)
        opened.add(kind)
        CHECKED.add(kind)
        problems = _problems_on(page, axe_violations)
        if problems:
            found[path] = problems
        _shoot(page, persona, len(opened), path)
        queue += [link for link in _links_in_page(page) if _kind(link) not in seen]
        queue.sort(key=lambda link: bool(FORM.search(link)))  # stable: shows first, then forms
    return opened, found


#: Kinds of page each persona's walk must reach (and opens even when an earlier persona checked
#: the kind: these pages differ by who reads them, and lead to that persona's own pages):
#: together, the pages with the widest tables (every case section, a meeting, an item, the audit
#: pages, agency administration) and the supervision, caseload, allocation and prison training
#: pages.
MUST_REACH: dict[str, tuple[str, ...]] = {
    "nsd.practitioner": (
        "/cases/<id>/",
        "/cases/<id>/timeline/",
        "/cases/<id>/contacts/",
        "/meetings/<id>/",
        "/material/<id>/",
        "/contacts/",
        "/workforce/caseload/",
    ),
    # The POM's own view of a case (BPSS: tearlines and withheld rows in place of SECRET ones).
    "pom.bpss": ("/cases/", "/cases/<id>/", "/cases/<id>/material/", "/cases/<id>/risk/"),
    "auditor": ("/audit/",),
    "agency.admin": ("/agencies/",),
    "nsd.lead": ("/workforce/caseload/", "/workforce/caseload/team/", "/workforce/allocation/"),
    "prison.ctlead": ("/workforce/training/",),
}


@pytest.mark.parametrize("username", PERSONAS)
def test_every_page_reachable_from_the_navigation_fits_a_phone(
    username: str,
    page: Page,
    demo_server: Any,
    sign_in: Callable[..., None],
    axe_violations: Axe,
) -> None:
    """One persona's walk (one test each, so that a failure names its persona)."""
    live_server = demo_server
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, User.objects.get(username=username), DEMO_PASSWORD)
    opened, found = _walk(page, live_server.url, username, axe_violations, MUST_REACH[username])
    assert found == {}, "\n".join(
        f"{username} {path}: {problem}" for path, issues in found.items() for problem in issues
    )
    for kind in MUST_REACH[username]:
        assert kind in opened, f"{kind} not reached; opened {sorted(opened)}"


def test_the_case_sections_fold_into_one_disclosure_on_a_phone(
    page: Page,
    demo_server: Any,
    sign_in: Callable[..., None],
) -> None:
    live_server = demo_server
    practitioner = User.objects.get(username="nsd.practitioner")
    unread = Notification.objects.filter(recipient=practitioner, read_at__isnull=True).count()
    sign_in(page, live_server, practitioner, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/cases/")
    page.locator("main tbody a").first.click()
    declare_purpose(page)

    wide_tabs = page.get_by_role("navigation", name="Case sections").get_by_role("link")
    assert wide_tabs.count() >= 8  # every section is a visible tab at 1,280 px

    page.set_viewport_size(PHONE)
    # The header's link to the notices, with the unread count, is on the case page too.
    notices = page.get_by_role("link", name=re.compile(r"^Notifications"))
    expect(notices).to_be_visible()
    expect(notices).to_have_text(f"Notifications ({unread} unread)" if unread else "Notifications")
    sections = page.get_by_role("navigation", name="Case sections")
    summary = sections.locator("summary")
    assert summary.inner_text().startswith("Case sections: ")
    assert sections.get_by_role("link").count() == 0  # folded: the first screen is the case
    box = summary.bounding_box()
    assert box is not None
    assert box["y"] + box["height"] < PHONE["height"]

    summary.click()
    timeline = sections.get_by_role("link", name="Timeline")
    assert sections.get_by_role("link").count() == wide_tabs.count()
    timeline.click()
    declare_purpose(page)
    assert "/timeline/" in page.url
    assert (
        page.get_by_role("navigation", name="Case sections").locator("summary").inner_text()
        == "Case sections: Timeline"
    )


def test_agendas_keep_their_lines_and_the_audit_report_fits_a_desktop_window(
    page: Page,
    demo_server: Any,
    sign_in: Callable[..., None],
) -> None:
    live_server = demo_server
    chair = User.objects.get(username="ct.supervisor")
    meeting = Meeting.objects.filter(chair=chair).order_by("starts_at").first()
    assert meeting is not None, "the demo world's meetings chaired by the CT supervisor"
    Meeting.objects.filter(pk=meeting.pk).update(
        agenda="1. Introductions\n2. Review of actions\n3. Risk management plan"
    )
    sign_in(page, live_server, chair, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/meetings/{meeting.public_id}/")
    declare_purpose(page)
    agenda = page.locator("h2:text-is('Agenda') + p")
    assert agenda.inner_text().splitlines() == [
        "1. Introductions",
        "2. Review of actions",
        "3. Risk management plan",
    ]

    page.context.clear_cookies()
    sign_in(page, live_server, User.objects.get(username="auditor"), DEMO_PASSWORD)
    page.goto(f"{live_server.url}/audit/user-activity/")
    page.get_by_label("Username").fill("ct.supervisor")
    today = dt.date.today()
    fill_date(page, "Start date", today - dt.timedelta(days=1))
    fill_date(page, "End date", today)
    page.get_by_role("button", name="Show report").click()
    region = page.get_by_role("region", name="Audit entries")
    expect(region.locator("tbody tr").first).to_be_visible()
    # The page fits the window; the ten-column table scrolls, if at all, inside its own region,
    # which a keyboard user can reach and scroll.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= DESKTOP["width"]
    region.focus()
    assert region.evaluate("r => document.activeElement === r")


def test_the_header_counts_unread_notices_and_opening_one_marks_it_read(
    page: Page,
    demo_server: Any,
    sign_in: Callable[..., None],
    axe_violations: Axe,
) -> None:
    live_server = demo_server
    practitioner = User.objects.get(username="nsd.practitioner")
    # The demo's own notices read, three new ones unread.
    Notification.objects.filter(recipient=practitioner, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    for _ in range(3):
        notify(
            recipients=[practitioner],
            text="An agreed action has been assigned to you",
            link=reverse("meetings:my-actions"),
        )
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, practitioner, DEMO_PASSWORD)
    notices = page.get_by_role("link", name=re.compile(r"^Notifications"))
    expect(notices).to_be_visible()
    expect(notices).to_have_text("Notifications (3 unread)")  # "unread" is visually hidden
    seen = notices.evaluate(
        """link => { const shown = link.cloneNode(true);
            shown.querySelectorAll('.govuk-visually-hidden').forEach(hidden => hidden.remove());
            return shown.textContent; }"""
    )
    assert seen == "Notifications (3)"

    notices.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    assert _problems_on(page, axe_violations) == []
    _shoot(page, "notices", 1, "/notifications/")
    page.get_by_role("link", name="An agreed action has been assigned to you").first.click()

    page.wait_for_url(f"**{reverse('meetings:my-actions')}")
    expect(page.get_by_role("link", name=re.compile(r"^Notifications"))).to_have_text(
        "Notifications (2 unread)"
    )
