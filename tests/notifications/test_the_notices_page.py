"""The notices page is at ``/notifications/`` (the old ``/material/notifications/`` sends on
to it) and lists the signed-in user's own notices only."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from jointcase.accounts.models import User
from jointcase.notifications.services import notify
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


def test_the_notices_page_lists_only_the_readers_own_notices(
    personas: Personas, client_for: Callable[[User], Client]
) -> None:
    assert reverse("notifications:list") == "/notifications/"
    old = client_for(personas.nsd_practitioner).get("/material/notifications/")
    assert old.status_code == 301
    assert old["Location"] == "/notifications/"
    notify(
        recipients=[personas.nsd_practitioner],
        text="An agreed action has been assigned to you",
        link="/meetings/",
    )
    notify(
        recipients=[personas.ctnm_officer],
        text="Your access to an item of material has been revoked.",
        link="/material/requests/mine/",
    )

    mine = client_for(personas.nsd_practitioner).get("/notifications/")
    theirs = client_for(personas.pom).get("/notifications/")

    assert mine.status_code == 200
    assert "An agreed action has been assigned to you" in mine.text
    assert "has been revoked" not in mine.text
    assert theirs.status_code == 200
    assert "You have no notifications." in theirs.text
