"""A person's pages show what their cases hold about them, so they ask the purpose of
consultation of the person's cases (DPA 2018 s.62) before the first read, like the case
pages; a person with no case the user may see is read without the question, and someone who
may not see the person gets the same 404 as for a missing one, never the question."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from jointcase.accounts.models import User
from jointcase.audit.models import AuditEntry
from jointcase.people import services as people_services
from tests.register_fixtures import CaseWorld

pytestmark = pytest.mark.django_db
ClientFor = Callable[[User], Client]
PURPOSE_PAGE = "/audit/purpose/"


def _asked_about(response: object, *, before: int) -> dict[str, list[str]]:
    assert getattr(response, "status_code", None) == 302
    location = str(response["Location"])  # type: ignore[index]
    assert location.startswith(PURPOSE_PAGE)
    assert AuditEntry.objects.count() == before  # nothing was read before the question
    return parse_qs(urlsplit(location).query)


@pytest.mark.parametrize("suffix", ["", "history/", "edit/", "addresses/new/", "cases/new/"])
def test_a_person_page_asks_why_before_showing_the_person_of_a_case(
    case_world: CaseWorld, undeclared_client_for: ClientFor, suffix: str
) -> None:
    client = undeclared_client_for(case_world.personas.nsd_practitioner)
    url = f"/people/{case_world.person.public_id}/{suffix}"
    query = _asked_about(client.get(url), before=AuditEntry.objects.count())
    assert query["object_type"] == ["case"]
    assert query["object_id"] == [str(case_world.case.pk)]
    assert query["next"] == [url]

    declared = client.post(
        PURPOSE_PAGE,
        {
            "object_type": "case",
            "object_id": str(case_world.case.pk),
            "next": url,
            "purpose": "case_management",
        },
    )
    assert declared["Location"] == url
    assert client.get(url).status_code == 200
    read = AuditEntry.objects.filter(object_type="person").order_by("-seq").first()
    assert read is not None
    assert read.purpose == "case_management"


def test_a_person_without_a_case_is_read_without_the_question(
    case_world: CaseWorld, undeclared_client_for: ClientFor
) -> None:
    practitioner = case_world.personas.nsd_practitioner
    person = people_services.person_create(
        actor=practitioner, given_names="Robin", family_name="Ashdown"
    )
    response = undeclared_client_for(practitioner).get(f"/people/{person.public_id}/")
    assert response.status_code == 200


def test_someone_who_may_not_see_the_person_gets_a_404_not_the_question(
    case_world: CaseWorld, undeclared_client_for: ClientFor
) -> None:
    client = undeclared_client_for(case_world.personas.officer_not_on_case)
    hidden = client.get(f"/people/{case_world.person.public_id}/")
    missing = client.get(f"/people/{uuid.uuid4()}/")
    assert hidden.status_code == missing.status_code == 404
    assert _without_nonces(hidden.content) == _without_nonces(missing.content)


def _without_nonces(body: bytes) -> bytes:
    """The page without what differs on every response (CSP nonces, masked CSRF tokens)."""
    body = re.sub(rb'nonce="[^"]*"', b"", body)
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", body)
