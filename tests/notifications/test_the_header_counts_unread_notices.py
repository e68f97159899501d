"""Every page's header links to the notices with the unread count ("Notifications (3)", the
word "unread" for screen readers; no count at zero), and opening a notice marks it read and
goes to what it is about."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from jointcase.accounts.models import User
from jointcase.notifications.models import Notification
from jointcase.notifications.services import notify
from tests.conftest import Personas

pytestmark = pytest.mark.django_db

ASSIGNED = "An agreed action has been assigned to you"
INVITED = "You have been invited to a meeting"
UNREAD_LINK = (
    'href="/notifications/">Notifications (3<span class="govuk-visually-hidden"> unread</span>)</a>'
)


def _tell(user: User, text: str = ASSIGNED, link: str = "/meetings/actions/") -> Notification:
    return notify(recipients=[user], text=text, link=link)[0]


def test_the_header_shows_no_count_when_nothing_is_unread(
    personas: Personas, client_for: Callable[[User], Client]
) -> None:
    body = client_for(personas.nsd_practitioner).get("/").text
    assert 'href="/notifications/">Notifications</a>' in body
    assert "unread" not in body


def test_every_page_shows_the_unread_count_and_the_readers_own_only(
    personas: Personas, client_for: Callable[[User], Client]
) -> None:
    for _ in range(3):
        _tell(personas.nsd_practitioner)
    _tell(personas.ctnm_officer)
    mine = client_for(personas.nsd_practitioner)
    for path in ("/", reverse("cases:my-cases"), reverse("notifications:list")):
        assert UNREAD_LINK in mine.get(path).text, path
    theirs = client_for(personas.ctnm_officer).get("/").text
    assert "Notifications (1" in theirs


def test_opening_a_notice_marks_it_read_and_goes_to_what_it_is_about(
    personas: Personas, client_for: Callable[[User], Client]
) -> None:
    notices = [_tell(personas.nsd_practitioner) for _ in range(3)]
    client = client_for(personas.nsd_practitioner)
    listing = client.get(reverse("notifications:list")).text
    opening = reverse("notifications:open", args=[notices[0].public_id])
    assert f'href="{opening}">{ASSIGNED}</a>' in listing
    assert listing.count(">Unread</strong>") == 3

    response = client.get(opening)

    assert response.status_code == 302
    assert response["Location"] == "/meetings/actions/"
    notices[0].refresh_from_db()
    assert notices[0].read_at is not None
    after = client.get(reverse("notifications:list")).text
    assert "Notifications (2" in after
    assert after.count(">Unread</strong>") == 2
    first_read = notices[0].read_at
    client.get(opening)
    notices[0].refresh_from_db()
    assert notices[0].read_at == first_read  # opened again: still read from the first time


def test_someone_elses_notice_is_not_found_and_stays_unread(
    personas: Personas, client_for: Callable[[User], Client]
) -> None:
    theirs = _tell(personas.ctnm_officer, INVITED, "/meetings/")
    response = client_for(personas.nsd_practitioner).get(
        reverse("notifications:open", args=[theirs.public_id])
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_a_notice_without_a_link_opens_the_notices_page(
    personas: Personas, client_for: Callable[[User], Client]
) -> None:
    notice = _tell(personas.nsd_practitioner, INVITED, "")
    response = client_for(personas.nsd_practitioner).get(
        reverse("notifications:open", args=[notice.public_id])
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("notifications:list")
    notice.refresh_from_db()
    assert notice.read_at is not None
