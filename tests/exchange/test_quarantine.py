"""Quarantine: a held row is viewed as received with its reasons, corrected and replayed
(re-validated: still wrong is a GOV.UK error summary and nothing written), or dismissed with a
reason; only the source's importers reach it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jointcase.accounts.models import User
from jointcase.audit.models import AuditEntry, Outcome
from jointcase.exchange.models import (
    ImportBatch,
    QuarantinedRow,
    QuarantineStatus,
    Resolution,
    SourceRecord,
)
from jointcase.exchange.services.imports import import_run, import_start
from tests.conftest import Personas
from tests.exchange.conftest import SOURCE, csv_bytes, jsonl_bytes, person_row

pytestmark = pytest.mark.django_db


def as_form(fields: dict[str, str]) -> dict[str, str]:
    """A record's fields as the correction form posts them (the date in its three boxes)."""
    posted = {name: value for name, value in fields.items() if name != "source"}
    year, month, day = posted.pop("date_of_birth").split("-")
    return {
        **posted,
        "date_of_birth-day": day,
        "date_of_birth-month": month,
        "date_of_birth-year": year,
    }


def held(importers: Personas, content: bytes) -> QuarantinedRow:
    batch = import_start(
        actor=importers.agency_admin, source_code=SOURCE, file_name="x.csv", content=content
    )
    import_run(batch.pk)
    return QuarantinedRow.objects.get(batch=batch)


def test_the_row_page_shows_what_was_received_and_why(
    importers: Personas, client_for: Callable[[User], Client]
) -> None:
    row = held(importers, csv_bytes([person_row(1, date_of_birth="1990-02-30", crn="bad")]))
    page = client_for(importers.agency_admin).get(
        reverse("exchange:quarantined-row", args=[row.public_id])
    )
    assert page.status_code == 200
    body = page.content.decode()
    assert "Date of birth: Date of birth 1990-02-30 does not exist" in body
    assert "CRN: Enter a CRN in the format X123456" in body
    assert row.raw in body
    assert 'value="Testgiven1"' in body  # the correction form starts from what was received
    # The date of birth is corrected in the GOV.UK date input, starting from its parts.
    assert 'name="date_of_birth-day"' in body
    assert 'value="30"' in body
    assert "Received as “1990-02-30”" in body
    assert AuditEntry.objects.filter(
        action="exchange.quarantine_read", object_id=str(row.public_id)
    ).exists()


def test_a_correction_still_wrong_is_refused_with_an_error_summary_and_nothing_written(
    importers: Personas, client_for: Callable[[User], Client]
) -> None:
    row = held(importers, csv_bytes([person_row(1, postcode="nowhere")]))
    fields = as_form(person_row(1, postcode="still nowhere"))
    page = client_for(importers.agency_admin).post(
        reverse("exchange:quarantined-row", args=[row.public_id]), fields
    )
    assert page.status_code == 400
    assert "govuk-error-summary" in page.content.decode()
    assert "Enter a real UK postcode" in page.content.decode()
    assert not SourceRecord.objects.exists()
    row.refresh_from_db()
    assert row.status == QuarantineStatus.OPEN


def test_a_valid_correction_is_replayed_as_the_source_record(
    importers: Personas, client_for: Callable[[User], Client]
) -> None:
    row = held(importers, jsonl_bytes([person_row(1, postcode="nowhere")]))
    fields = as_form(person_row(1, postcode="ab1 2cd"))
    client = client_for(importers.agency_admin)
    page = client.post(reverse("exchange:quarantined-row", args=[row.public_id]), fields)
    assert page.status_code == 302
    record = SourceRecord.objects.get(source=SOURCE, source_record_id="DEL-000001")
    assert record.postcode == "AB1 2CD"
    assert record.first_batch == row.batch
    row.refresh_from_db()
    assert row.status == QuarantineStatus.REPLAYED
    assert row.resolved_by == importers.agency_admin
    assert "nowhere" in row.raw  # what was received is kept
    again = client.post(reverse("exchange:quarantined-row", args=[row.public_id]), fields)
    assert again.status_code == 400
    assert "already been corrected and replayed" in again.content.decode()


def test_a_replayed_row_is_linked_on_the_worker_once_committed(
    importers: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    from jointcase.exchange.services.quarantine import quarantined_row_replay
    from jointcase.exchange.tasks import batch_link_run

    row = held(importers, csv_bytes([person_row(1, postcode="nowhere")]))
    with django_capture_on_commit_callbacks(execute=True):
        record = quarantined_row_replay(
            actor=importers.agency_admin, row=row, fields=person_row(1, postcode="ab1 2cd")
        )
    assert record.resolution == Resolution.AWAITING_LINKAGE
    queued = DBTaskResult.objects.get(task_path=batch_link_run.module_path, status="READY")
    assert queued.args_kwargs["args"] == [row.batch_id]
    assert batch_link_run.call(row.batch_id) == {"linked": 0, "review": 0, "new": 1}
    record.refresh_from_db()
    assert record.resolution == Resolution.NEW_PERSON
    assert record.person is not None


def test_an_impossible_date_of_birth_is_corrected_in_the_date_input(
    importers: Personas, client_for: Callable[[User], Client]
) -> None:
    row = held(importers, csv_bytes([person_row(3, date_of_birth="31/02/1980")]))
    url = reverse("exchange:quarantined-row", args=[row.public_id])
    client = client_for(importers.agency_admin)
    body = client.get(url).content.decode()
    assert 'value="31"' in body
    assert 'value="1980"' in body
    still = {**as_form(person_row(3)), "date_of_birth-day": "31", "date_of_birth-month": "2"}
    still["date_of_birth-year"] = "1980"
    refused = client.post(url, still)
    assert refused.status_code == 400
    assert "Date of birth must be a real date" in refused.content.decode()
    assert not SourceRecord.objects.exists()
    fixed = {**still, "date_of_birth-day": "28"}
    assert client.post(url, fixed).status_code == 302
    record = SourceRecord.objects.get(source_record_id="DEL-000003")
    assert record.date_of_birth.isoformat() == "1980-02-28"


def test_replaying_the_same_file_after_a_correction_changes_nothing(
    importers: Personas,
) -> None:
    from jointcase.exchange.services.quarantine import quarantined_row_replay

    content = csv_bytes([person_row(1), person_row(2, crn="bad")])
    row = held(importers, content)
    fields = person_row(2)
    fields.pop("source")
    quarantined_row_replay(actor=importers.agency_admin, row=row, fields=fields)
    batch = import_start(actor=None, source_code=SOURCE, file_name="x.csv", content=content)
    again = import_run(batch.pk)
    assert (again.accepted, again.updated, again.unchanged, again.quarantined) == (0, 0, 2, 0)
    assert QuarantinedRow.objects.count() == 1
    assert SourceRecord.objects.count() == 2


def test_dismissing_needs_a_reason(
    importers: Personas, client_for: Callable[[User], Client]
) -> None:
    row = held(importers, csv_bytes([person_row(1, surname="")]))
    client = client_for(importers.system_admin)
    url = reverse("exchange:quarantined-row-dismiss", args=[row.public_id])
    empty = client.post(url, {"reason": "  "})
    assert empty.status_code == 400
    assert "Enter why the row is dismissed" in empty.content.decode()
    done = client.post(url, {"reason": "The partner sent it again corrected"})
    assert done.status_code == 302
    row.refresh_from_db()
    assert row.status == QuarantineStatus.DISMISSED
    assert row.resolution_note == "The partner sent it again corrected"
    assert not SourceRecord.objects.exists()


def test_others_get_not_found_for_the_quarantine_and_are_audited(
    importers: Personas, client_for: Callable[[User], Client]
) -> None:
    row = held(importers, csv_bytes([person_row(1, surname="")]))
    urls = [
        reverse("exchange:quarantined-row", args=[row.public_id]),
        reverse("exchange:quarantined-row-dismiss", args=[row.public_id]),
        reverse("exchange:quarantine", args=[row.batch.public_id]),
        reverse("exchange:batch", args=[row.batch.public_id]),
    ]
    for user in (importers.nsd_lead, importers.ctnm_officer, importers.auditor):
        client = client_for(user)
        for number, url in enumerate(urls):
            before = AuditEntry.objects.filter(actor_id=user.pk, outcome=Outcome.DENY).count()
            assert client.get(url).status_code == 404, (user, url)
            if number < 2:  # the forms
                assert client.post(url, {"reason": "x"}).status_code == 404, (user, url)
            after = AuditEntry.objects.filter(actor_id=user.pk, outcome=Outcome.DENY).count()
            assert after == before + (2 if number < 2 else 1)
    row.refresh_from_db()
    assert row.status == QuarantineStatus.OPEN


def test_the_imports_page_uploads_and_shows_progress(
    importers: Personas,
    client_for: Callable[[User], Client],
    django_capture_on_commit_callbacks: Callable[..., object],
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(importers.agency_admin)
    page = client.get(reverse("exchange:imports"))
    assert page.status_code == 200
    assert '<option value="probation-delius"' in page.content.decode()
    assert '<option value="police-ctnm"' not in page.content.decode()
    upload = SimpleUploadedFile("extract.csv", csv_bytes([person_row(1), person_row(2)]))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:  # type: ignore[attr-defined]
        done = client.post(reverse("exchange:imports"), {"source": SOURCE, "file": upload})
    assert done.status_code == 302
    assert len(callbacks) == 1  # the import is queued for the worker
    batch = ImportBatch.objects.get()
    assert done["Location"] == reverse("exchange:batch", args=[batch.public_id])
    queued = client.get(done["Location"]).content.decode()
    assert 'http-equiv="refresh"' in queued
    assert "0 of 2 rows" in queued
    import_run(batch.pk)
    finished = client.get(done["Location"]).content.decode()
    assert 'http-equiv="refresh"' not in finished
    assert '<dd class="govuk-summary-list__value" id="count-accepted">2</dd>' in finished


def test_a_bad_upload_is_an_error_summary_and_nothing_is_written(
    importers: Personas, client_for: Callable[[User], Client]
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("extract.csv", b"name,dob\nA,B\n")
    page = client_for(importers.agency_admin).post(
        reverse("exchange:imports"), {"source": SOURCE, "file": upload}
    )
    assert page.status_code == 400
    body = page.content.decode()
    assert "govuk-error-summary" in body
    assert "lacks the column(s)" in body
    assert not ImportBatch.objects.exists()


def test_the_imports_entry_is_shown_only_to_importers(
    importers: Personas, client_for: Callable[[User], Client]
) -> None:
    href = reverse("exchange:imports")
    home = reverse("home:home")
    assert f'href="{href}"' in client_for(importers.agency_admin).get(home).content.decode()
    assert f'href="{href}"' in client_for(importers.system_admin).get(home).content.decode()
    for user in (importers.nsd_practitioner, importers.nsd_lead, importers.auditor):
        assert f'href="{href}"' not in client_for(user).get(home).content.decode()
        assert client_for(user).get(href).status_code == 403
