"""The imports security matrix: every route of the ``exchange`` namespace and every operation
of ``exchange.api.imports`` x every persona, generated from the URL resolver so a new route
is covered the day it is added.

Oracle: ``jointcase.access.exchange`` itself (``imports_refusal`` for the imports page and the
upload, ``batch_see_refusal`` for a batch and its quarantine). Not theirs to see: 404 like a
missing id, none of the row's content, a DENY audit entry, never a 5xx. Not theirs to import:
403 with a DENY entry. Empty and hostile POSTs change nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from jointcase.access.exchange import (
    batch_see_refusal,
    imports_refusal,
    review_record_refusal,
    reviews_refusal,
)
from jointcase.accounts.models import User
from jointcase.accounts.tokens import api_token_create
from jointcase.audit.models import AuditEntry, Outcome
from jointcase.exchange.models import (
    ImportBatch,
    QuarantinedRow,
    QuarantineStatus,
    RecordLinkage,
    Resolution,
    ReviewDecision,
    SourceRecord,
)
from jointcase.exchange.services.imports import import_run, import_start
from tests.conftest import Personas
from tests.exchange.conftest import SOURCE, csv_bytes, importers, person_row  # noqa: F401
from tests.exchange_linkage.conftest import reviewing, under_review  # noqa: F401
from tests.security.routes import Route, api_route_names, route_inventory

pytestmark = [pytest.mark.django_db, pytest.mark.feature_matrix]


def _api_names() -> set[str]:
    from jointcase.exchange.api.imports import router

    return api_route_names(router)


#: "Known to you?" has its own matrix (test_known_matrix.py); the linkage review's routes
#: have their own matrix below.
KNOWN_ROUTES = {"exchange:known"}
REVIEW_ROUTE_NAMES = {
    "exchange:reviews",
    "exchange:review",
    "exchange:review-unlink",
    "api:linkage_reviews",
}
ROUTES = [
    route
    for route in route_inventory()
    if (route.namespace == "exchange" or route.name in _api_names())
    and route.name not in REVIEW_ROUTE_NAMES | KNOWN_ROUTES
]
#: Row content a reader who may not see the batch must never be shown.
PROTECTED = ["Testgiven2", "DEL-000002", "1990-02-30"]


def test_the_matrix_covers_every_exchange_route() -> None:
    assert _api_names() == {"api:import_upload", "api:import_status", "api:import_quarantine"}
    from jointcase.exchange.api.review import router as review_router

    assert api_route_names(review_router) == {"api:linkage_reviews"}
    every = {
        route.name
        for route in route_inventory()
        if route.namespace == "exchange"
        or route.name in _api_names()
        or route.name in api_route_names(review_router)
    }
    assert every == {route.name for route in ROUTES} | REVIEW_ROUTE_NAMES | KNOWN_ROUTES
    assert {route.name for route in REVIEW_ROUTES} == REVIEW_ROUTE_NAMES
    assert {route.name for route in ROUTES} == {
        "exchange:imports",
        "exchange:batch",
        "exchange:quarantine",
        "exchange:quarantined-row",
        "exchange:quarantined-row-dismiss",
        "api:import_upload",
        "api:import_status",
        "api:import_quarantine",
    }


def _deny_count(user: User) -> int:
    return AuditEntry.objects.filter(actor_id=user.pk, outcome=Outcome.DENY).count()


def _client(route: Route, user: User, client_for: Callable[[User], Client]) -> Client:
    if route.is_api:
        _token, plaintext = api_token_create(actor=None, user=user, name="matrix", days=1)
        return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    return client_for(user)


def _post(route: Route, client: Client, url: str) -> object:
    if route.is_api:  # a hostile body: a source nobody may name, a file that is no extract
        hostile = SimpleUploadedFile("../../extract.csv", b"\x00\x01")
        return client.post(url, {"source": "../../etc", "status": "dismissed", "file": hostile})
    return client.post(url, {})


@pytest.mark.parametrize("route", ROUTES, ids=[f"{r.name}:{r.template}" for r in ROUTES])
def test_every_persona_on_every_exchange_route(
    route: Route,
    importers: Personas,  # noqa: F811
    client_for: Callable[[User], Client],
) -> None:
    batch = import_start(
        actor=None,
        source_code=SOURCE,
        file_name="extract.csv",
        content=csv_bytes([person_row(1), person_row(2, date_of_birth="1990-02-30")]),
    )
    import_run(batch.pk)
    row = QuarantinedRow.objects.get(batch=batch)
    values = {"batch_id": str(batch.public_id), "row_id": str(row.public_id)}
    names = [name for _kind, name in route.parameters]
    url = route.path({name: values[name] for name in names})
    missing_url = route.path({name: str(uuid.uuid4()) for name in names}) if names else None
    for persona, user in importers.all().items():
        client = _client(route, user, client_for)
        may_import = imports_refusal(user) is None
        allowed = may_import if not names else batch_see_refusal(user, batch) is None
        for method in ("get", "post"):
            before = _deny_count(user)
            response = client.get(url) if method == "get" else _post(route, client, url)
            status = response.status_code  # type: ignore[attr-defined]
            where = f"{persona} {method.upper()} {url} -> {status}"
            assert status < 500, where
            if status == 405:
                continue
            body = response.content.decode("utf-8", errors="replace")  # type: ignore[attr-defined]
            if not allowed:
                assert status == (404 if names else 403), where
                assert not any(text in body for text in PROTECTED), where
                assert _deny_count(user) > before, f"{where}: no DENY audit entry"
                if missing_url:
                    again = client.get(missing_url) if method == "get" else None
                    again = again or _post(route, client, missing_url)
                    assert again.status_code == 404, where  # type: ignore[attr-defined]
                continue
            if method == "get":
                assert status == 200, where
            else:
                assert status in (400, 403), where  # empty or hostile: refused, by field
    assert ImportBatch.objects.count() == 1
    assert SourceRecord.objects.count() == 1
    assert QuarantinedRow.objects.get().status == QuarantineStatus.OPEN


# ---------------------------------------------------------------------------------------------
# The linkage review: the queue, a record's pair page (decide) and unlinking, x every persona.
# Oracle: ``reviews_refusal`` for the queue, ``review_record_refusal`` for a record. Not theirs
# to review: the queue 403, a record 404 like a missing id with none of its content and a DENY
# entry. Empty POSTs are refused by field (400) and decide nothing.

REVIEW_ROUTES = [route for route in route_inventory() if route.name in REVIEW_ROUTE_NAMES]
#: Content of the record under review that a reader who may not review it must never see.
REVIEW_PROTECTED = ["DEL-REVIEW", "Quenby"]


@pytest.mark.parametrize("route", REVIEW_ROUTES, ids=[r.name for r in REVIEW_ROUTES])
def test_every_persona_on_every_linkage_review_route(
    route: Route,
    importers: Personas,  # noqa: F811
    under_review: Callable[..., RecordLinkage],  # noqa: F811
    client_for: Callable[[User], Client],
) -> None:
    linkage = under_review()
    names = [name for _kind, name in route.parameters]
    url = route.path({"linkage_id": str(linkage.public_id)} if names else {})
    missing_url = route.path({"linkage_id": str(uuid.uuid4())}) if names else None
    for persona, user in importers.all().items():
        client = _client(route, user, client_for)
        allowed = (
            reviews_refusal(user) is None
            if not names
            else review_record_refusal(user, linkage.record.source) is None
        )
        for method in ("get", "post"):
            before = _deny_count(user)
            response = client.get(url) if method == "get" else client.post(url, {})
            status = response.status_code
            where = f"{persona} {method.upper()} {url} -> {status}"
            assert status < 500, where
            if status == 405:
                continue
            body = response.content.decode("utf-8", errors="replace")
            if allowed and route.is_api:
                assert status == 200, where
                assert "DEL-REVIEW" in body, where
                continue
            if not allowed:
                assert status == (404 if names else 403), where
                assert not any(text in body for text in REVIEW_PROTECTED), where
                assert _deny_count(user) > before, f"{where}: no DENY audit entry"
                if missing_url:
                    again = client.get(missing_url) if method == "get" else client.post(missing_url)
                    assert again.status_code == 404, where
                continue
            if method == "get":
                assert status == 200, where
            else:
                assert status == 400, where
    assert not ReviewDecision.objects.exists()
    linkage.refresh_from_db()
    assert linkage.record.resolution == Resolution.REVIEW
