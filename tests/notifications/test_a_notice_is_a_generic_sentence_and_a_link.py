"""``notify`` is the one writer of notices, and what it writes is a generic sentence and a link:
text that names a case, a person or anything else is refused (nothing written), a link is a
path on this site, and each active user is told once."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jointcase.accounts.models import User
from jointcase.notifications.models import Notification
from jointcase.notifications.services import (
    LINK_MAX,
    SENTENCES,
    TEXT_MAX,
    NoticeRefused,
    notice_refusal,
    notify,
)
from tests.conftest import Personas

INVITED = "You have been invited to a meeting"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "text",
    [
        "Case JC-000001 has new material",
        "Daniel Holloway's meeting has moved",
        f"{INVITED} about JC-000001",
        INVITED + " " * 400,
        "",
    ],
)
def test_a_notice_that_names_anything_is_refused_and_nothing_is_written(
    personas: Personas, text: str
) -> None:
    with pytest.raises(NoticeRefused):
        notify(recipients=[personas.nsd_practitioner], text=text, link="/meetings/")
    assert not Notification.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "link",
    [
        "https://elsewhere.example/phish",
        "//elsewhere.example/",
        "/people/?q=Holloway",
        "/cases/#JC-000001",
        "javascript:alert(1)",
        "/" + "a" * 400,
    ],
)
def test_a_link_off_this_site_or_with_a_query_is_refused(personas: Personas, link: str) -> None:
    with pytest.raises(NoticeRefused):
        notify(recipients=[personas.nsd_practitioner], text=INVITED, link=link)
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_each_active_user_is_told_once_and_an_inactive_one_not_at_all(
    personas: Personas,
) -> None:
    User.objects.filter(pk=personas.pom.pk).update(is_active=False)

    notices = notify(
        recipients=[
            personas.nsd_practitioner,
            None,
            personas.nsd_practitioner,
            personas.pom,
            personas.ctnm_officer,
        ],
        text=INVITED,
        link="/meetings/3fa85f64-5717-4562-b3fc-2c963f66afa6/",
    )

    assert len(notices) == 2
    assert sorted(Notification.objects.values_list("recipient__username", flat=True)) == sorted(
        [personas.nsd_practitioner.username, personas.ctnm_officer.username]
    )
    assert set(Notification.objects.values_list("text", "link")) == {
        (INVITED, "/meetings/3fa85f64-5717-4562-b3fc-2c963f66afa6/")
    }


@pytest.mark.parametrize("sentence", sorted(SENTENCES))
def test_every_sentence_fits_and_names_nothing(sentence: str) -> None:
    assert 0 < len(sentence) <= TEXT_MAX
    assert not re.search(r"\d", sentence), "no reference, date or number"
    assert not re.search(r"['\"{}%<>:@]", sentence), "no quotation, placeholder or address"
    # Only the first word is capitalised (no proper noun), bar a sentence after a full stop.
    words = re.split(r"(?<=\.)\s+", sentence)
    assert all(not any(w[:1].isupper() for w in part.split()[1:]) for part in words)


@given(text=st.text(max_size=400), link=st.text(max_size=LINK_MAX + 10))
def test_only_a_listed_sentence_and_a_plain_path_are_accepted(text: str, link: str) -> None:
    accepted = notice_refusal(text, link) is None
    assert accepted == (
        text in SENTENCES
        and (
            link == ""
            or (
                len(link) <= LINK_MAX
                and link.startswith("/")
                and not link.startswith("//")
                and all(c.isascii() and (c.isalnum() or c in "._~/-") for c in link)
            )
        )
    )
