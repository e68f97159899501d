"""Purpose of consultation: asked once per record per session, stored in the chain."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.http import HttpRequest
from django.test import Client, RequestFactory
from django.urls import reverse

from jointcase.accounts.models import User
from jointcase.audit.models import AuditEntry
from jointcase.audit.purpose import SESSION_KEY, purpose_for, require_purpose
from jointcase.audit.services import audit_record
from tests.conftest import Personas

PURPOSE_URL = "/audit/purpose/"


def _request_with_session(client: Client) -> HttpRequest:
    request = RequestFactory().get("/cases/7/")
    request.session = client.session
    return request


def test_an_undeclared_record_redirects_to_the_purpose_page_and_back(
    personas: Personas, undeclared_client_for: Callable[[User], Client]
) -> None:
    client = undeclared_client_for(personas.ctnm_officer)
    request = _request_with_session(client)
    response = require_purpose(request, "case", 7)
    assert response is not None
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("audit:purpose"))
    assert "object_type=case" in response["Location"]
    assert "next=%2Fcases%2F7%2F" in response["Location"]


def test_choosing_a_purpose_returns_to_the_record_and_is_remembered_for_the_session(
    personas: Personas, undeclared_client_for: Callable[[User], Client]
) -> None:
    client = undeclared_client_for(personas.ctnm_officer)
    page = client.get(PURPOSE_URL, {"object_type": "case", "object_id": "7", "next": "/cases/7/"})
    assert page.status_code == 200
    assert "Meeting preparation" in page.content.decode()
    response = client.post(
        PURPOSE_URL,
        {
            "object_type": "case",
            "object_id": "7",
            "next": "/cases/7/",
            "purpose": "meeting_preparation",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/cases/7/"
    request = _request_with_session(client)
    assert purpose_for(request, "case", 7) == "meeting_preparation"
    assert require_purpose(request, "case", 7) is None
    assert purpose_for(request, "case", 8) is None
    declared = AuditEntry.objects.get(action="audit.purpose_declared")
    assert (declared.actor_username, declared.object_id, declared.purpose) == (
        "ctnm.officer",
        "7",
        "meeting_preparation",
    )


def test_audit_entries_about_the_record_carry_the_declared_purpose(
    personas: Personas, undeclared_client_for: Callable[[User], Client]
) -> None:
    client = undeclared_client_for(personas.nsd_practitioner)
    client.post(
        PURPOSE_URL,
        {
            "object_type": "case",
            "object_id": "7",
            "purpose": "break_glass",
            "reason": "urgent: risk to life",
        },
    )
    request = _request_with_session(client)
    request.user = personas.nsd_practitioner
    read = audit_record(
        action="case.viewed",
        actor=personas.nsd_practitioner,
        object_type="case",
        object_id=7,
        request=request,
    )
    other = audit_record(
        action="case.viewed",
        actor=personas.nsd_practitioner,
        object_type="case",
        object_id=9,
        request=request,
    )
    explicit = audit_record(
        action="case.viewed",
        actor=personas.nsd_practitioner,
        object_type="case",
        object_id=7,
        purpose="oversight",
        request=request,
    )
    assert read is not None
    assert other is not None
    assert explicit is not None
    assert read.purpose == "break_glass"
    assert read.details["purpose_reason"] == "urgent: risk to life"
    assert other.purpose == ""
    assert explicit.purpose == "oversight"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Select why you are opening this record"),
        ({"purpose": "curiosity"}, "Select a valid choice"),
        (
            {"purpose": "break_glass", "reason": "   "},
            "Enter the reason you need break-glass access",
        ),
    ],
)
def test_a_missing_or_invalid_choice_shows_the_error_summary_and_stores_nothing(
    personas: Personas,
    undeclared_client_for: Callable[[User], Client],
    data: dict[str, str],
    message: str,
) -> None:
    client = undeclared_client_for(personas.ctnm_officer)
    response = client.post(PURPOSE_URL, {"object_type": "case", "object_id": "7", **data})
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page
    assert SESSION_KEY not in client.session
    assert not AuditEntry.objects.filter(action="audit.purpose_declared").exists()


def test_an_offsite_next_address_is_not_followed(
    personas: Personas, undeclared_client_for: Callable[[User], Client]
) -> None:
    client = undeclared_client_for(personas.ctnm_officer)
    response = client.post(
        PURPOSE_URL,
        {
            "object_type": "case",
            "object_id": "7",
            "purpose": "oversight",
            "next": "https://evil.example/",
        },
    )
    assert response["Location"] == reverse("home:home")


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"object_type": "case"},
        {"object_type": "<script>", "object_id": "1"},
        {"object_type": "case", "object_id": "1/../2"},
    ],
)
def test_the_purpose_page_without_a_valid_record_is_not_found(
    personas: Personas, undeclared_client_for: Callable[[User], Client], query: dict[str, str]
) -> None:
    assert undeclared_client_for(personas.ctnm_officer).get(PURPOSE_URL, query).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(db: None) -> None:
    response = Client().get(PURPOSE_URL, {"object_type": "case", "object_id": "7"})
    assert response.status_code == 302
    assert "sign-in" in response["Location"] or "login" in response["Location"]
