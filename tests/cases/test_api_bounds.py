"""Out-of-range and odd ids never crash a page or the API (404, or 400 for the API)."""

from __future__ import annotations

import pytest
from django.test import Client

from jointcase.accounts.tokens import api_token_create
from tests.registerui_support import reader

pytestmark = pytest.mark.django_db

HUGE = "9" * 25


def test_huge_ids_are_not_found_on_pages(personas):
    client = reader(personas.nsd_practitioner)
    for path in (
        f"/cases/{HUGE}/",
        f"/cases/{HUGE}/timeline/",
        f"/people/{HUGE}/",
        "/cases/9223372036854775808/",
    ):
        assert client.get(path).status_code == 404, path


def test_huge_ids_are_refused_by_the_api_without_a_crash(personas):
    _token, plaintext = api_token_create(
        actor=None, user=personas.nsd_practitioner, name="t", days=1
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    for path in (
        f"/api/v1/cases/{HUGE}",
        f"/api/v1/persons/{HUGE}",
        f"/api/v1/cases/{HUGE}/timeline",
    ):
        assert client.get(path).status_code in (400, 404), path
