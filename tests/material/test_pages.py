"""The material pages: the case's tab, the item page, the forms, downloads and exports."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings

from jointcase.audit.models import AuditEntry
from jointcase.material.models import BreakGlass, MaterialFile, MaterialItem
from tests.material import samples
from tests.material.item_helpers import SECRET_BODY, TEARLINE_BODY, approved_tearline, secret_report

pytestmark = pytest.mark.usefixtures("keyring")


def test_the_case_tab_lists_what_the_reader_may_see_with_markings(material_world, client_for):
    parent = secret_report(material_world)
    approved_tearline(material_world, parent)
    officer = client_for(material_world.personas.ctnm_officer)
    page = officer.get(f"/cases/{material_world.case.public_id}/material/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Police intelligence report" in text
    assert "Tearline: travel" in text
    assert "jc-marking--secret" in text  # the page banner shows the highest marking on it


def test_the_pom_sees_the_tearline_and_that_a_fuller_version_is_held(material_world, client_for):
    parent = secret_report(material_world)
    approved_tearline(material_world, parent)
    pom = client_for(material_world.personas.pom)
    text = pom.get(f"/cases/{material_world.case.public_id}/material/").content.decode()
    assert "Tearline: travel" in text
    assert "Police intelligence report" not in text
    assert "A fuller version is held by CT Policing North East" in text
    assert f"/material/{parent.pk}/request/" in text
    assert "jc-marking--secret" not in text


def test_hidden_fuller_versions_are_not_mentioned(material_world, client_for):
    parent = secret_report(material_world)
    approved_tearline(material_world, parent, hide_fuller_version=True)
    text = (
        client_for(material_world.personas.pom)
        .get(f"/cases/{material_world.case.public_id}/material/")
        .content.decode()
    )
    assert "fuller version" not in text
    assert "· tearline" not in text
    assert (
        client_for(material_world.personas.pom).get(f"/material/{parent.pk}/request/").status_code
        == 404
    )


def test_the_item_page_opens_the_body_and_marks_the_page(material_world, client_for):
    item = secret_report(material_world)
    page = client_for(material_world.personas.ctnm_officer).get(f"/material/{item.pk}/")
    assert page.status_code == 200
    assert SECRET_BODY in page.content.decode()
    assert "jc-marking--secret" in page.content.decode()
    assert AuditEntry.objects.filter(
        action="material.read", outcome="ALLOW", object_id=str(item.pk)
    ).exists()


def test_a_forbidden_item_is_a_404_like_a_missing_one_and_audited(material_world, client_for):
    item = secret_report(material_world)
    pom = client_for(material_world.personas.pom)
    forbidden = pom.get(f"/material/{item.pk}/")
    missing = pom.get("/material/00000000-0000-4000-8000-000000000000/")
    assert forbidden.status_code == missing.status_code == 404
    assert SECRET_BODY not in forbidden.content.decode()
    assert "Police intelligence" not in forbidden.content.decode()
    entry = AuditEntry.objects.filter(
        action="material.read", outcome="DENY", object_id=str(item.pk)
    ).get()
    assert entry.reason == "clearance"


def test_adding_a_report_through_the_form(material_world, client_for):
    officer = client_for(material_world.personas.ctnm_officer)
    url = f"/cases/{material_world.case.public_id}/material/new/"
    assert officer.get(url).status_code == 200
    response = officer.post(
        url,
        {
            "kind": "INTELLIGENCE_REPORT",
            "title": "Report",
            "classification": "SECRET",
            "caveats": ["UK EYES ONLY"],
            "body": "Body text",
        },
    )
    assert response.status_code == 302
    item = MaterialItem.objects.get()
    assert item.originator.code == "ctu-north-east"


def test_bad_input_re_renders_with_an_error_summary_and_stores_nothing(material_world, client_for):
    officer = client_for(material_world.personas.ctnm_officer)
    response = officer.post(
        f"/cases/{material_world.case.public_id}/material/new/",
        {
            "kind": "INTELLIGENCE_REPORT",
            "title": "Report",
            "classification": "TOP SECRET",
            "body": "Body",
        },
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "There is a problem" in text
    assert "reference to material held elsewhere" in text
    assert not MaterialItem.objects.exists()


def test_an_originator_field_in_the_form_is_ignored(material_world, client_for):
    officer = client_for(material_world.personas.ctnm_officer)
    officer.post(
        f"/cases/{material_world.case.public_id}/material/new/",
        {
            "kind": "NOTE",
            "title": "Note",
            "classification": "OFFICIAL",
            "body": "b",
            "originator": "partner",
        },
    )
    assert MaterialItem.objects.get().originator.code == "ctu-north-east"


def test_uploads_are_checked_sealed_and_downloaded_as_marked_attachments(
    material_world, client_for
):
    officer = client_for(material_world.personas.ctnm_officer)
    upload = SimpleUploadedFile("plan.pdf", samples.pdf(), content_type="application/pdf")
    response = officer.post(
        f"/cases/{material_world.case.public_id}/material/new/",
        {
            "kind": "DOCUMENT",
            "title": "Plan",
            "classification": "SECRET",
            "file": upload,
        },
    )
    assert response.status_code == 302
    stored = MaterialFile.objects.get()
    assert samples.pdf() not in bytes(stored.ciphertext)
    download = officer.get(f"/material/files/{stored.pk}/")
    assert download.status_code == 200
    assert download.content == samples.pdf()
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in download["Content-Disposition"]
    assert "SECRET" in download["Content-Disposition"]
    entry = AuditEntry.objects.filter(action="material.downloaded").get()
    assert entry.recipient == "ctnm.officer"
    assert (
        client_for(material_world.personas.pom).get(f"/material/files/{stored.pk}/").status_code
        == 404
    )


def test_a_disallowed_or_oversized_file_is_refused_clearly(material_world, client_for):
    officer = client_for(material_world.personas.ctnm_officer)
    url = f"/cases/{material_world.case.public_id}/material/new/"
    html = SimpleUploadedFile(
        "x.html", b"<html><script>alert(1)</script></html>", content_type="text/html"
    )
    response = officer.post(
        url, {"kind": "DOCUMENT", "title": "X", "classification": "OFFICIAL", "file": html}
    )
    assert response.status_code == 400
    with override_settings(JOINTCASE_UPLOAD_MAX_BYTES=100):
        big = SimpleUploadedFile("big.pdf", samples.pdf(b"x" * 500), content_type="application/pdf")
        response = officer.post(
            url, {"kind": "DOCUMENT", "title": "X", "classification": "OFFICIAL", "file": big}
        )
    assert response.status_code == 400
    assert "must be smaller than" in response.content.decode()
    assert not MaterialItem.objects.exists()
    assert not MaterialFile.objects.exists()


def test_the_pom_asks_for_the_fuller_version_and_the_police_refuse(material_world, client_for):
    parent = secret_report(material_world)
    approved_tearline(material_world, parent)
    pom = client_for(material_world.personas.pom)
    assert (
        pom.post(f"/material/{parent.pk}/request/", {"reason": "Sentence planning"}).status_code
        == 302
    )
    supervisor = client_for(material_world.personas.ct_supervisor)
    inbox = supervisor.get("/material/requests/").content.decode()
    assert "Police intelligence report" in inbox
    from jointcase.material.models import ShareRequest

    share = ShareRequest.objects.get()
    response = supervisor.post(
        f"/material/requests/{share.pk}/", {"decision": "refuse", "reason": "Source protection"}
    )
    assert response.status_code == 302
    mine = pom.get("/material/requests/mine/").content.decode()
    assert "Refused" in mine
    assert "Source protection" in mine


def test_tamper_a_label_changed_in_the_database_withholds_the_item(material_world, client_for):
    item = secret_report(material_world)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE material_materialitem SET orcon = %s WHERE id = %s",
            [True, item.pk.hex if connection.vendor == "sqlite" else str(item.pk)],
        )
    assert MaterialItem.objects.get(pk=item.pk).orcon
    page = client_for(material_world.personas.ctnm_officer).get(f"/material/{item.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "altered outside JointCase and is withheld" in text
    assert SECRET_BODY not in text
    assert AuditEntry.objects.filter(
        action="material.integrity_failure", object_id=str(item.pk)
    ).exists()


def test_tamper_a_ciphertext_changed_in_the_database_withholds_the_item(material_world, client_for):
    item = secret_report(material_world)
    blob = bytearray(item.body_ciphertext)
    blob[-1] ^= 1
    MaterialItem.objects.filter(pk=item.pk).update(body_ciphertext=bytes(blob))
    page = client_for(material_world.personas.ctnm_officer).get(f"/material/{item.pk}/")
    assert "altered outside JointCase" in page.content.decode()
    export = client_for(material_world.personas.ctnm_officer).get(f"/material/{item.pk}/export/")
    assert export.status_code == 409
    assert SECRET_BODY not in export.content.decode()


def test_a_keyring_readable_by_others_stops_reads_with_a_generic_message(
    material_world, client_for, keyring, settings
):
    import os

    item = secret_report(material_world)
    from jointcase.material import crypto

    crypto._kek_aeads.clear()
    os.chmod(settings.KEYRING_PATH, 0o644)
    page = client_for(material_world.personas.ctnm_officer).get(f"/material/{item.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "cannot be shown at the moment" in text
    assert SECRET_BODY not in text
    assert AuditEntry.objects.filter(action="material.unavailable").exists()


def test_orcon_items_cannot_be_exported_by_others(material_world, client_for):
    item = secret_report(material_world, orcon=True, caveats=[])
    practitioner = client_for(material_world.personas.nsd_practitioner)
    assert practitioner.get(f"/material/{item.pk}/").status_code == 200
    response = practitioner.get(f"/material/{item.pk}/export/")
    assert response.status_code == 403
    assert AuditEntry.objects.filter(action="material.export", reason="orcon_no_consent").exists()
    own = client_for(material_world.personas.ctnm_officer).get(f"/material/{item.pk}/export/")
    assert own.status_code == 200
    assert SECRET_BODY.encode() in own.content


def test_break_glass_through_the_pages(material_world, client_for):
    item = secret_report(material_world, releasable_to=["ctu-north-west"])
    outsider = client_for(material_world.personas.officer_not_on_case)
    assert outsider.get(f"/cases/{material_world.case.public_id}/material/").status_code == 404
    response = outsider.post(
        f"/cases/{material_world.case.public_id}/material/break-glass/",
        {"reason": "Imminent threat overnight"},
    )
    assert response.status_code == 302
    assert outsider.get(f"/material/{item.pk}/").status_code == 200
    lead = client_for(material_world.personas.nsd_lead)
    queue = lead.get("/material/break-glass/review/")
    assert queue.status_code == 200
    supervisor = client_for(material_world.personas.ct_supervisor)
    assert "Imminent threat" in supervisor.get("/material/break-glass/review/").content.decode()
    assert (
        client_for(material_world.personas.pom).get("/material/break-glass/review/").status_code
        == 404
    )


def test_break_glass_by_case_reference_from_the_home_page(material_world, client_for):
    item = secret_report(material_world, releasable_to=["ctu-north-west"])
    outsider = client_for(material_world.personas.officer_not_on_case)
    home = outsider.get("/").content.decode()
    assert 'href="/material/break-glass/"' in home
    form = outsider.get("/material/break-glass/")
    assert form.status_code == 200
    assert "Case reference" in form.content.decode()
    empty = outsider.post("/material/break-glass/", {"case_reference": "", "reason": ""})
    assert empty.status_code == 400
    assert "Enter the case reference" in empty.content.decode()
    response = outsider.post(
        "/material/break-glass/",
        {
            "case_reference": material_world.case.reference.lower(),
            "reason": "Imminent threat overnight",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{material_world.case.public_id}/material/"
    assert outsider.get(f"/material/{item.pk}/").status_code == 200


def test_break_glass_by_reference_refuses_a_missing_case_as_an_excluded_one(
    material_world, client_for
):
    reason = "Imminent threat overnight"
    missing = client_for(material_world.personas.officer_not_on_case).post(
        "/material/break-glass/", {"case_reference": "NO-SUCH-CASE", "reason": reason}
    )
    excluded = client_for(material_world.personas.excluded_officer).post(
        "/material/break-glass/",
        {"case_reference": material_world.case.reference, "reason": reason},
    )
    assert missing.status_code == excluded.status_code == 400
    message = "Break-glass access cannot be opened for this case"
    assert message in missing.content.decode()
    assert message in excluded.content.decode()
    assert not BreakGlass.objects.exists()
    reasons = set(
        AuditEntry.objects.filter(action="breakglass.refused").values_list("reason", flat=True)
    )
    assert reasons == {"not_found", "excluded"}


def test_tearline_journey_through_the_pages(material_world, client_for):
    parent = secret_report(material_world)
    officer = client_for(material_world.personas.ctnm_officer)
    response = officer.post(
        f"/material/{parent.pk}/tearlines/new/",
        {
            "title": "Tearline",
            "classification": "OFFICIAL-SENSITIVE",
            "body": TEARLINE_BODY,
        },
    )
    assert response.status_code == 302
    tearline = MaterialItem.objects.get(parent=parent)
    refused = officer.post(f"/material/{tearline.pk}/approve/", {"decision": "approve"})
    assert refused.status_code == 403
    assert "a second person must approve it" in refused.content.decode()
    supervisor = client_for(material_world.personas.ct_supervisor)
    assert (
        supervisor.post(f"/material/{tearline.pk}/approve/", {"decision": "approve"}).status_code
        == 302
    )
    tearline.refresh_from_db()
    assert tearline.tearline_status == "APPROVED"


def test_a_25_mb_upload_reaches_the_check_and_a_larger_one_is_refused_clearly(
    material_world, client_for
):
    officer = client_for(material_world.personas.ctnm_officer)
    url = f"/cases/{material_world.case.public_id}/material/new/"
    limit = 25 * 1024 * 1024
    base = samples.pdf()
    exact = base[:-6] + b" " * (limit - len(base)) + base[-6:]
    assert len(exact) == limit
    response = officer.post(
        url,
        {
            "kind": "DOCUMENT",
            "title": "Large",
            "classification": "OFFICIAL",
            "file": SimpleUploadedFile("large.pdf", exact, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302, response.content[:2000]
    assert MaterialFile.objects.get().size == limit
    response = officer.post(
        url,
        {
            "kind": "DOCUMENT",
            "title": "Too large",
            "classification": "OFFICIAL",
            "file": SimpleUploadedFile("larger.pdf", exact + b"\n", content_type="application/pdf"),
        },
    )
    assert response.status_code == 400
    assert "must be smaller than 25 MB" in response.content.decode()
    assert MaterialItem.objects.count() == 1


def test_free_text_is_escaped_on_the_item_page_and_the_case_tab(material_world, client_for):
    hostile = '<script>alert("x")</script>'
    item = secret_report(material_world, title=f"Report {hostile}", body=f"Body {hostile}")
    officer = client_for(material_world.personas.ctnm_officer)
    for url in (f"/material/{item.pk}/", f"/cases/{material_world.case.public_id}/material/"):
        text = officer.get(url).content.decode()
        assert hostile not in text
        assert "&lt;script&gt;" in text


def test_a_senior_cannot_review_their_own_break_glass_access(material_world, client_for):
    """View versus edit: the senior sees their own entry in the queue, but reviewing it is a
    403 (GET and POST) with a DENY entry; another senior records the review."""
    from jointcase.audit.models import Outcome
    from jointcase.material.models import BreakGlass
    from jointcase.material.services.breakglass import breakglass_open

    lead = material_world.personas.nsd_lead
    glass = breakglass_open(
        actor=lead, case=material_world.case, reason="Overnight threat (synthetic)"
    )
    url = f"/material/break-glass/{glass.pk}/review/"
    own = client_for(lead)
    assert own.get(url).status_code == 403
    refused = own.post(url, {"outcome": "JUSTIFIED", "notes": "Fine"})
    assert refused.status_code == 403
    assert "your own break-glass access" in refused.content.decode()
    assert (
        AuditEntry.objects.filter(
            actor_id=lead.pk, outcome=Outcome.DENY, reason="own_breakglass"
        ).count()
        == 2
    )
    assert BreakGlass.objects.get(pk=glass.pk).reviewed_at is None
    other = client_for(material_world.personas.ct_supervisor)
    assert other.post(url, {"outcome": "JUSTIFIED", "notes": "Threat was real"}).status_code == 302
    assert (
        BreakGlass.objects.get(pk=glass.pk).reviewed_by_id
        == material_world.personas.ct_supervisor.pk
    )


def test_the_material_tab_filters_within_what_the_reader_may_see(material_world, client_for):
    secret_report(material_world, title="Travel to the port")
    secret_report(
        material_world, title="Travel plans", classification="OFFICIAL-SENSITIVE", caveats=[]
    )
    secret_report(material_world, title="Associates", kind="NOTE", caveats=[])
    url = f"/cases/{material_world.case.public_id}/material/"
    officer = client_for(material_world.personas.ctnm_officer)
    page = officer.get(f"{url}?title=travel").content.decode()
    assert "Travel to the port" in page
    assert "Travel plans" in page
    assert "Associates" not in page
    assert "Clear the filter" in page
    pom = client_for(material_world.personas.pom)
    none = pom.get(f"{url}?title=port").content.decode()
    assert "Travel to the port" not in none
    assert "Nothing you can see on this case matches the filter" in none
    bad = officer.get(f"{url}?classification=COSMIC")
    assert bad.status_code == 400
    assert "govuk-error-summary" in bad.content.decode()
    assert "Select a classification from the list" in bad.content.decode()
