from __future__ import annotations

import pytest

from jointcase.accounts.models import User

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script>'


def test_names_and_job_titles_are_escaped_everywhere(admin_client, personas):
    User.objects.filter(pk=personas.nsd_practitioner.pk).update(
        first_name=HOSTILE, job_title=HOSTILE
    )
    for url in (
        "/agencies/",
        f"/agencies/users/{personas.nsd_practitioner.pk}/",
        f"/agencies/users/{personas.nsd_practitioner.pk}/details/",
        f"/agencies/users/{personas.nsd_practitioner.pk}/disable/",
        "/agencies/teams/new/",
    ):
        body = admin_client.get(url).content.decode()
        assert HOSTILE not in body, url
        assert "&lt;script&gt;" in body, url


def test_a_hostile_filter_is_escaped_and_harmless(admin_client, personas):
    body = admin_client.get("/agencies/", {"name": HOSTILE + "' OR 1=1 --"}).content.decode()
    assert HOSTILE not in body
    assert "No users match" in body
