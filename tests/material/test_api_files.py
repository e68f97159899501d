"""Files through the API (upload and download) and files on tearlines (pages and API): the
same sniffing and size rules as the pages, attachments with nosniff and the marking in the
name, every download audited, 404 for what the caller may not see."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from jointcase.audit.models import AuditEntry, Outcome
from jointcase.material.models import MaterialFile, MaterialItem
from jointcase.material.services import retention as retention_services
from jointcase.material.services import tearlines as tearline_services
from tests.material import samples
from tests.material.item_helpers import secret_report
from tests.support.api import api_client

pytestmark = pytest.mark.usefixtures("keyring")


def _upload(client, item_id, content: bytes, name: str = "plan.pdf"):
    return client.post(
        f"/api/v1/material/{item_id}/files", {"file": SimpleUploadedFile(name, content)}
    )


def test_the_originator_uploads_a_file_and_a_reader_downloads_it_marked(material_world):
    item = secret_report(material_world)
    officer = api_client(material_world.personas.ctnm_officer)
    uploaded = _upload(officer, item.pk, samples.pdf())
    assert uploaded.status_code == 201
    assert (uploaded.json()["name"], uploaded.json()["mime"]) == ("plan.pdf", "application/pdf")
    file_id = uploaded.json()["id"]
    assert MaterialFile.objects.get(pk=file_id).ciphertext != samples.pdf()  # sealed at rest
    detail = officer.get(f"/api/v1/material/{item.pk}").json()
    assert [f["id"] for f in detail["files"]] == [file_id]

    reader = material_world.personas.nsd_practitioner
    download = api_client(reader).get(f"/api/v1/material/files/{file_id}")
    assert download.status_code == 200
    assert download.content == samples.pdf()
    assert download["X-Content-Type-Options"] == "nosniff"
    disposition = download["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "SECRET" in disposition
    assert "UK EYES ONLY" in disposition or "UK%20EYES%20ONLY" in disposition
    assert AuditEntry.objects.filter(
        action="material.downloaded", actor_id=reader.pk, outcome=Outcome.SUCCESS
    ).exists()


def test_a_disallowed_or_oversized_file_is_refused_with_a_field_error(material_world):
    item = secret_report(material_world)
    officer = api_client(material_world.personas.ctnm_officer)
    html = _upload(officer, item.pk, b"<html><script>alert(1)</script></html>", "x.html")
    assert html.status_code == 400
    assert html.json()["errors"][0]["field"] == "file"
    with override_settings(JOINTCASE_UPLOAD_MAX_BYTES=1024):
        big = _upload(officer, item.pk, samples.pdf(b"x" * 4096))
    assert big.status_code == 413
    assert "smaller than" in big.json()["errors"][0]["message"]
    missing = officer.post(f"/api/v1/material/{item.pk}/files", {})
    assert missing.status_code == 400
    assert not MaterialFile.objects.filter(item=item).exists()
    assert (
        AuditEntry.objects.filter(action="material.file_add", outcome=Outcome.FAILURE).count() == 2
    )


def test_a_reader_may_not_add_files_and_an_outsider_sees_nothing(material_world):
    item = secret_report(material_world, files=[SimpleUploadedFile("plan.pdf", samples.pdf())])
    file_id = item.files.get().pk
    practitioner = material_world.personas.nsd_practitioner
    refused = _upload(api_client(practitioner), item.pk, samples.png(), "photo.png")
    assert refused.status_code == 403
    assert AuditEntry.objects.filter(
        action="material.file_add", actor_id=practitioner.pk, outcome=Outcome.DENY
    ).exists()
    pom = material_world.personas.pom
    assert _upload(api_client(pom), item.pk, samples.png(), "photo.png").status_code == 404
    denied = api_client(pom).get(f"/api/v1/material/files/{file_id}")
    assert denied.status_code == 404
    assert samples.pdf() not in denied.content
    missing = api_client(pom).get("/api/v1/material/files/00000000-0000-4000-8000-000000000000")
    assert missing.status_code == 404
    assert denied.content == missing.content
    assert item.files.count() == 1


def test_a_tearline_carries_its_own_sanitised_file_for_readers_of_the_tearline(
    material_world, client_for
):
    personas = material_world.personas
    parent = secret_report(material_world, files=[SimpleUploadedFile("full.pdf", samples.pdf())])
    written = client_for(personas.ctnm_officer).post(
        f"/material/{parent.pk}/tearlines/new/",
        {
            "title": "Tearline with a file",
            "classification": "OFFICIAL-SENSITIVE",
            "body": "Sanitised (synthetic).",
            "file": SimpleUploadedFile("sanitised.png", samples.png()),
        },
    )
    assert written.status_code == 302
    tearline = MaterialItem.objects.get(parent=parent)
    assert [f.safe_name for f in tearline.files.all()] == ["sanitised.png"]
    officer_api = api_client(personas.ctnm_officer)
    added = _upload(officer_api, tearline.pk, samples.jpeg(), "map.jpg")  # still a draft
    assert added.status_code == 201
    tearline_services.tearline_approve(actor=personas.ct_supervisor, tearline=tearline)
    late = _upload(officer_api, tearline.pk, samples.pdf())
    assert late.status_code == 403
    assert "write a new tearline" in late.json()["detail"]

    pom = personas.pom
    pom_api = api_client(pom)
    files = pom_api.get(f"/api/v1/material/{tearline.pk}").json()["files"]
    assert sorted(f["name"] for f in files) == ["map.jpg", "sanitised.png"]
    png_id = next(f["id"] for f in files if f["name"] == "sanitised.png")
    download = pom_api.get(f"/api/v1/material/files/{png_id}")
    assert download.status_code == 200
    assert download.content == samples.png()
    assert "OFFICIAL-SENSITIVE" in download["Content-Disposition"]
    page = client_for(pom).get(f"/material/files/{png_id}/")
    assert page.status_code == 200
    assert page.content == samples.png()
    parent_file = parent.files.get().pk
    assert pom_api.get(f"/api/v1/material/files/{parent_file}").status_code == 404
    assert client_for(pom).get(f"/material/files/{parent_file}/").status_code == 404


def test_a_bad_file_on_a_tearline_page_is_refused_and_nothing_is_stored(material_world, client_for):
    parent = secret_report(material_world)
    response = client_for(material_world.personas.ctnm_officer).post(
        f"/material/{parent.pk}/tearlines/new/",
        {
            "title": "Tearline",
            "classification": "OFFICIAL-SENSITIVE",
            "body": "Sanitised.",
            "file": SimpleUploadedFile("page.html", b"<html><body>x</body></html>"),
        },
    )
    assert response.status_code == 400
    assert "govuk-error-summary" in response.content.decode()
    assert not MaterialItem.objects.filter(parent=parent).exists()


def test_a_destroyed_items_file_is_not_served_through_the_api(material_world):
    item = secret_report(material_world, files=[SimpleUploadedFile("plan.pdf", samples.pdf())])
    file_id = item.files.get().pk
    retention_services.material_destroy(
        actor=material_world.personas.ctnm_officer, item=item, reason="r"
    )
    response = api_client(material_world.personas.ctnm_officer).get(
        f"/api/v1/material/files/{file_id}"
    )
    assert response.status_code == 409
    assert "destroyed" in response.json()["detail"]
    assert samples.pdf() not in response.content
