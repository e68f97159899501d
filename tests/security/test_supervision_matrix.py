"""The supervision contacts security matrix: every route of the ``supervision`` namespace and
every API operation of ``supervision.api.contacts`` x every persona, generated from the URL
resolver so a new route is covered the day it is added.

Oracle: ``jointcase.access`` itself (the case rule for anything under a case,
``contact_write_refusal`` for the plan and record forms, ``contact_change_refusal`` for
recording the outcome of a planned contact or cancelling it). Denied: 404 like a missing id, none of the
case's text, a DENY audit entry, never a 5xx. Visible but not theirs to act on: 403 with a
DENY entry. Empty and hostile POSTs change nothing; secret notes never reach a reader below
their label.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from jointcase.access.policy import case_decision
from jointcase.access.supervision import (
    contact_change_refusal,
    contact_notes_decision,
    contact_write_refusal,
)
from jointcase.accounts.models import User
from jointcase.accounts.tokens import api_token_create
from jointcase.audit.models import AuditEntry, Outcome
from jointcase.supervision.models import Contact, ContactKind
from jointcase.supervision.services.contacts import NotesLabel, contact_plan
from tests.register_fixtures import CaseWorld
from tests.risk.conftest import keyring  # noqa: F401 - fixture
from tests.security.routes import Route, api_route_names, route_inventory
from tests.supervision.conftest import SECRET_NOTE, contacts_world  # noqa: F401 - fixture

pytestmark = [pytest.mark.django_db, pytest.mark.feature_matrix]


def _api_names() -> set[str]:
    from jointcase.supervision.api.contacts import router

    return api_route_names(router)


ROUTES = [
    route
    for route in route_inventory()
    if route.namespace == "supervision" or route.name in _api_names()
]
PROTECTED = ["JC-900001", "HOLLOWAY", "Holloway", SECRET_NOTE]


def test_the_matrix_covers_every_supervision_route() -> None:
    # The API's POST shares its path with the GET (one route, both methods driven below).
    assert _api_names() == {"api:case_contacts", "api:contact_add", "api:contact_cancel_api"}
    assert {route.name for route in ROUTES} == {
        "supervision:contacts-due",
        "supervision:case-contacts",
        "supervision:contact-plan",
        "supervision:contact-record",
        "supervision:contact",
        "supervision:contact-outcome",
        "supervision:contact-cancel",
        "api:case_contacts",
        "api:contact_cancel_api",
    }


def _deny_count(user: User) -> int:
    return AuditEntry.objects.filter(actor_id=user.pk, outcome=Outcome.DENY).count()


def _client(route: Route, user: User, client_for: Callable[[User], Client]) -> Client:
    if route.is_api:
        _token, plaintext = api_token_create(actor=None, user=user, name="matrix", days=1)
        return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    return client_for(user)


def _post(route: Route, client: Client, url: str) -> object:
    if route.is_api:
        # A body the document accepts (so the operation runs and decides) that still changes
        # nothing for anyone: a contact "attended" next year, a cancel of a stale version; with
        # fields nobody may set.
        hostile = {"practitioner": "partner.liaison", "recorded_by": "partner.liaison"}
        if url.endswith("/cancel"):
            payload = {"version": 9, "reason": "matrix", **hostile}
        else:
            payload = {
                "action": "record",
                "kind": "OFFICE",
                "occurred_at": (timezone.now() + dt.timedelta(days=365)).isoformat(),
                "outcome": "ATTENDED",
                **hostile,
            }
        return client.post(url, json.dumps(payload), content_type="application/json")
    return client.post(url, {})


def _expected_get(route: Route, user: User, contact: Contact) -> int:
    if route.name in {"supervision:contact-plan", "supervision:contact-record"}:
        return 403 if contact_write_refusal(user, contact.case) else 200
    if route.name in {"supervision:contact-outcome", "supervision:contact-cancel"}:
        return 403 if contact_change_refusal(user, contact) else 200
    return 200


@pytest.mark.parametrize("route", ROUTES, ids=[f"{r.name}:{r.template}" for r in ROUTES])
def test_every_persona_on_every_supervision_route(
    route: Route,
    contacts_world: CaseWorld,  # noqa: F811
    client_for: Callable[[User], Client],
) -> None:
    contact = contact_plan(
        actor=contacts_world.personas.nsd_practitioner,
        case=contacts_world.case,
        kind=ContactKind.HOME_VISIT,
        planned_for=timezone.now() + dt.timedelta(days=1),
        notes=SECRET_NOTE,
        label=NotesLabel(classification="SECRET"),
    )
    values = {"case_id": str(contacts_world.case.public_id), "contact_id": str(contact.public_id)}
    names = [name for _kind, name in route.parameters]
    url = route.path({name: values[name] for name in names})
    missing_url = route.path({name: str(uuid.uuid4()) for name in names}) if names else None
    for persona, user in contacts_world.personas.all().items():
        client = _client(route, user, client_for)
        allowed = not names or case_decision(user, contact.case_id).allowed
        for method in ("get", "post"):
            before = _deny_count(user)
            response = client.get(url) if method == "get" else _post(route, client, url)
            status = response.status_code  # type: ignore[attr-defined]
            where = f"{persona} {method.upper()} {url} -> {status}"
            assert status < 500, where
            if status == 405:
                continue
            body = response.content.decode("utf-8", errors="replace")  # type: ignore[attr-defined]
            body = body.replace(user.get_full_name(), "")
            if not allowed:
                assert status == 404, where
                assert not any(text in body for text in PROTECTED), where
                assert _deny_count(user) > before, f"{where}: no DENY audit entry"
                if missing_url:
                    again = client.get(missing_url) if method == "get" else None
                    again = again or _post(route, client, missing_url)
                    assert again.status_code == 404, where  # type: ignore[attr-defined]
                continue
            if method == "get":
                expected = _expected_get(route, user, contact)
                assert status == expected, where
                if expected == 403:
                    assert _deny_count(user) > before, f"{where}: no DENY audit entry"
            else:
                assert status in (200, 302, 400, 403, 404, 409), where  # 409: a stale version
            if not contact_notes_decision(user, contact).allowed:
                assert SECRET_NOTE not in body, where
    fresh = Contact.objects.get(pk=contact.pk)
    assert (fresh.outcome, fresh.version, fresh.enforcement) == ("", 1, "NONE")
    assert fresh.cancelled_at is None
    assert Contact.objects.count() == 1
