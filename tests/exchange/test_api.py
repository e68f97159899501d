"""The imports API: upload (202, queued for the worker), 400 by field with nothing written,
403 for those who may not import, status and quarantine, 404 for a batch the caller may not
see."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from jointcase.accounts.models import User
from jointcase.accounts.tokens import api_token_create
from jointcase.exchange.models import ImportBatch
from jointcase.exchange.services.imports import import_run
from tests.conftest import Personas
from tests.exchange.conftest import SOURCE, csv_bytes, person_row

pytestmark = pytest.mark.django_db


def api_client(user: User) -> Client:
    _token, plaintext = api_token_create(actor=None, user=user, name="imports", days=1)
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")


def upload(client: Client, content: bytes, source: str = SOURCE) -> object:
    return client.post(
        "/api/v1/imports",
        {"source": source, "file": SimpleUploadedFile("extract.csv", content)},
    )


def test_an_upload_is_accepted_queued_and_followed(
    importers: Personas, django_capture_on_commit_callbacks: Callable[..., object]
) -> None:
    client = api_client(importers.agency_admin)
    content = csv_bytes([person_row(1), person_row(2, crn="bad")])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:  # type: ignore[attr-defined]
        response = upload(client, content)
    assert response.status_code == 202  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["status"] == "queued"
    assert body["rows_total"] == 2
    assert len(callbacks) == 1
    batch = ImportBatch.objects.get(public_id=body["id"])
    import_run(batch.pk)
    status = client.get(f"/api/v1/imports/{body['id']}").json()
    assert status["status"] == "done"
    assert (status["accepted"], status["quarantined"]) == (1, 1)
    held = client.get(f"/api/v1/imports/{body['id']}/quarantine").json()
    assert held["count"] == 1
    assert held["results"][0]["line_number"] == 3
    assert held["results"][0]["reasons"]["crn"].startswith("Enter a CRN")
    assert "bad" in held["results"][0]["raw"]


@pytest.mark.parametrize(
    ("content", "source", "field", "message"),
    [
        (b"name,dob\nA,B\n", SOURCE, "file", "lacks the column(s)"),
        (b"\x00\x01binary", SOURCE, "file", "looks binary"),
        (csv_bytes([person_row(1)]), "nowhere", "source", "Unknown source 'nowhere'"),
    ],
)
def test_a_refused_upload_is_a_400_by_field_and_nothing_is_written(
    importers: Personas, content: bytes, source: str, field: str, message: str
) -> None:
    response = upload(api_client(importers.system_admin), content, source)
    assert response.status_code == 400  # type: ignore[attr-defined]
    errors = response.json()["errors"]  # type: ignore[attr-defined]
    assert errors[0]["field"] == field
    assert message in errors[0]["message"]
    assert not ImportBatch.objects.exists()


def test_a_missing_file_is_a_400(importers: Personas) -> None:
    response = api_client(importers.system_admin).post("/api/v1/imports", {"source": SOURCE})
    assert response.status_code == 400
    assert not ImportBatch.objects.exists()


def test_those_who_may_not_import_get_403_and_cannot_see_batches(importers: Personas) -> None:
    batch = ImportBatch.objects.get(
        public_id=upload(api_client(importers.agency_admin), csv_bytes([person_row(1)])).json()[  # type: ignore[attr-defined]
            "id"
        ]
    )
    for user in (importers.nsd_practitioner, importers.ctnm_officer, importers.auditor):
        client = api_client(user)
        assert upload(client, csv_bytes([person_row(2)])).status_code == 403  # type: ignore[attr-defined]
        assert client.get(f"/api/v1/imports/{batch.public_id}").status_code == 404
        assert client.get(f"/api/v1/imports/{batch.public_id}/quarantine").status_code == 404
    other_source = upload(api_client(importers.agency_admin), csv_bytes([]), "police-ctnm")
    assert other_source.status_code == 403  # type: ignore[attr-defined]
    assert ImportBatch.objects.count() == 1
    assert (
        api_client(importers.system_admin).get(f"/api/v1/imports/{batch.public_id}").status_code
        == 200
    )
    assert api_client(importers.agency_admin).get("/api/v1/imports/not-a-uuid").status_code == 404


def test_the_openapi_documents_every_answer() -> None:
    from jointcase.api import api

    paths = api.get_openapi_schema()["paths"]
    codes = {
        (method, path): {str(code) for code in operation["responses"]}
        for path, operations in paths.items()
        if path.startswith("/api/v1/imports")
        for method, operation in operations.items()
    }
    assert codes == {
        # Every operation's own answers, and the errors any may give (api_common.JointCaseApi).
        ("post", "/api/v1/imports"): {"202", "400", "401", "403", "404", "409", "413", "429"},
        ("get", "/api/v1/imports/{batch_id}"): {"200", "400", "401", "403", "404", "429"},
        ("get", "/api/v1/imports/{batch_id}/quarantine"): {
            "200",
            "400",
            "401",
            "403",
            "404",
            "429",
        },
    }
