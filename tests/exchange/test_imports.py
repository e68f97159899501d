"""Importing an extract: a file that is not one is refused whole, every row is accounted for
once, the same file twice changes nothing, a later file updates, and a run that stops
mid-way resumes without losing or doubling a row."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from jointcase.access.acting import NotPermitted
from jointcase.audit.models import AuditEntry
from jointcase.exchange.models import (
    ImportBatch,
    ImportStatus,
    QuarantinedRow,
    SourceRecord,
)
from jointcase.exchange.services import imports
from jointcase.exchange.services.imports import import_run, import_start
from tests.conftest import Personas
from tests.exchange.conftest import SOURCE, csv_bytes, jsonl_bytes, person_row

pytestmark = pytest.mark.django_db


def run(content: bytes, *, source: str = SOURCE, name: str = "extract.csv") -> ImportBatch:
    batch = import_start(actor=None, source_code=source, file_name=name, content=content)
    return import_run(batch.pk)


def counts(batch: ImportBatch) -> tuple[int, int, int, int]:
    return (batch.accepted, batch.updated, batch.unchanged, batch.quarantined)


def nothing_written() -> bool:
    return not (
        ImportBatch.objects.exists()
        or SourceRecord.objects.exists()
        or QuarantinedRow.objects.exists()
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "it looks binary"),
        ("surname,given_names\n".encode("utf-16"), "it looks binary"),
        (b"source_record_id,surname\n\xff\xfe,x\n", "not UTF-8"),
        (b"name,dob,address\nA,B,C\n", "lacks the column(s) source_record_id, given_names"),
        (
            csv_bytes([person_row(1)], header=[*person_row(1), "nickname"]).replace(
                b"\n", b"\n", 1
            ),
            "unknown column(s) nickname",
        ),
        (csv_bytes([]), "no records, only a header"),
        (b'{"source_record_id": \n{"x": 1}\n', "neither a CSV"),
    ],
)
def test_a_file_in_the_wrong_format_is_refused_whole_and_nothing_is_written(
    content: bytes, message: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        import_start(actor=None, source_code=SOURCE, file_name="x", content=content)
    assert message in refused.value.message_dict["file"][0]
    assert nothing_written()


def test_an_unknown_source_is_refused_naming_the_known_ones() -> None:
    with pytest.raises(ValidationError) as refused:
        import_start(
            actor=None, source_code="police-pnc", file_name="x", content=csv_bytes([person_row(1)])
        )
    message = refused.value.message_dict["source"][0]
    assert "Unknown source 'police-pnc'" in message
    assert "probation-delius" in message
    assert nothing_written()


def test_csv_and_json_lines_import_the_same_records() -> None:
    rows = [person_row(n) for n in range(1, 6)]
    first = run(csv_bytes(rows))
    assert counts(first) == (5, 0, 0, 0)
    assert first.status == ImportStatus.DONE
    assert first.format == "csv"
    again = run(jsonl_bytes(rows), name="extract.jsonl")
    assert again.format == "jsonl"
    assert counts(again) == (0, 0, 5, 0)
    stored = SourceRecord.objects.get(source=SOURCE, source_record_id="DEL-000002")
    assert stored.given_names == "Testgiven2"
    assert stored.date_of_birth == dt.date.fromisoformat(person_row(2)["date_of_birth"])
    assert abs(stored.created_at - timezone.now()) < dt.timedelta(minutes=5)
    assert stored.updated_at == stored.created_at
    assert stored.resolution == "new_person"  # linked in the same job: nobody like it held
    assert stored.first_batch == first


def test_invalid_rows_are_quarantined_with_their_reasons_and_as_received() -> None:
    bad = person_row(2, date_of_birth="1990-02-30", crn="12")
    content = csv_bytes([person_row(1), bad, person_row(3)])
    content += b"only,three,values\n"
    batch = run(content)
    assert counts(batch) == (2, 0, 0, 2)
    assert batch.rows_total == batch.rows_done == 4
    held = {row.line_number: row for row in QuarantinedRow.objects.filter(batch=batch)}
    assert held[3].reasons == {
        "date_of_birth": "Date of birth 1990-02-30 does not exist",
        "crn": "Enter a CRN in the format X123456 (a letter and 6 digits)",
    }
    assert "1990-02-30" in held[3].raw
    assert "Testgiven2" in held[3].raw
    assert held[5].raw == "only,three,values"
    assert held[5].reasons == {"row": "The row has 3 values; the header has 13 columns"}


def test_a_broken_json_line_is_kept_as_received() -> None:
    content = jsonl_bytes([person_row(1)]) + b'{"source_record_id": "DEL-9"\n'
    batch = run(content, name="x.jsonl")
    assert counts(batch) == (1, 0, 0, 1)
    row = QuarantinedRow.objects.get(batch=batch)
    assert row.raw == '{"source_record_id": "DEL-9"'
    assert row.reasons == {"row": "The line is not a JSON object"}


def test_the_same_file_twice_changes_nothing() -> None:
    content = csv_bytes([person_row(1), person_row(2, postcode="BAD"), person_row(3)])
    first = run(content)
    records = list(SourceRecord.objects.values_list("pk", "content_hash", "updated_at"))
    second = run(content)
    assert second.pk != first.pk
    assert counts(second) == (0, 0, 3, 0)
    assert list(SourceRecord.objects.values_list("pk", "content_hash", "updated_at")) == records
    assert QuarantinedRow.objects.count() == 1


def test_a_later_file_with_new_content_updates_the_record() -> None:
    first = run(csv_bytes([person_row(1), person_row(2)]))
    later = run(csv_bytes([person_row(1, town="Newtown"), person_row(2)]), name="later.csv")
    assert counts(later) == (0, 1, 1, 0)
    record = SourceRecord.objects.get(source_record_id="DEL-000001")
    assert record.town == "Newtown"
    assert record.first_batch == first
    assert record.last_changed_batch == later


def test_the_same_id_twice_in_one_file_with_different_content_quarantines_the_second() -> None:
    content = csv_bytes([person_row(1), person_row(1), person_row(1, surname="OTHER")])
    batch = run(content)
    assert counts(batch) == (1, 0, 1, 1)
    held = QuarantinedRow.objects.get(batch=batch)
    assert held.line_number == 4
    assert held.reasons == {
        "source_record_id": "Source record ID DEL-000001 appears earlier in this file "
        "(line 2) with different content"
    }
    assert SourceRecord.objects.get().surname == person_row(1)["surname"]


@override_settings(JOINTCASE_IMPORT_CHUNK_ROWS=10)
def test_a_run_that_stops_mid_way_resumes_without_losing_or_doubling_a_row(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rows = [person_row(n) for n in range(1, 46)]
    rows[33] = person_row(5, surname="CHANGED")  # a clash with a row of an applied chunk
    rows[40] = person_row(41, postcode="nowhere")
    content = csv_bytes(rows)
    apply = imports._chunk_apply
    calls = {"n": 0}

    def failing_third_chunk(*args: object, **kwargs: object) -> dict[str, int]:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("the process died")
        return apply(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(imports, "_chunk_apply", failing_third_chunk)
    batch = import_start(actor=None, source_code=SOURCE, file_name="x.csv", content=content)
    with pytest.raises(RuntimeError):
        import_run(batch.pk)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED
    assert batch.rows_done == 20
    assert SourceRecord.objects.count() == 20
    monkeypatch.setattr(imports, "_chunk_apply", apply)
    resumed = import_start(actor=None, source_code=SOURCE, file_name="x.csv", content=content)
    assert resumed.pk == batch.pk
    done = import_run(resumed.pk)
    assert done.status == ImportStatus.DONE
    assert counts(done) == (43, 0, 0, 2)
    assert sum(counts(done)) == done.rows_total == 45
    ids = list(SourceRecord.objects.values_list("source_record_id", flat=True))
    assert len(ids) == len(set(ids)) == 43
    clash = QuarantinedRow.objects.get(line_number=35)
    assert "appears earlier in this file (line 6)" in clash.reasons["source_record_id"]


def test_the_audit_records_counts_never_row_content() -> None:
    batch = run(csv_bytes([person_row(1), person_row(2, crn="bad")]))
    entries = AuditEntry.objects.filter(object_id=str(batch.public_id))
    assert {entry.action for entry in entries} == {
        "exchange.import_start",
        "exchange.linkage_done",
        "exchange.import_done",
    }
    done = entries.get(action="exchange.import_done")
    assert done.details["accepted"] == 1
    assert done.details["quarantined"] == 1
    text = " ".join(str(entry.details) for entry in entries)
    assert "Testgiven" not in text
    assert "DEL-" not in text


def test_only_administrators_of_the_source_agency_may_import(importers: Personas) -> None:
    content = csv_bytes([person_row(1)])
    for user in (importers.nsd_lead, importers.ctnm_officer, importers.auditor):
        with pytest.raises(NotPermitted):
            import_start(actor=user, source_code=SOURCE, file_name="x", content=content)
    with pytest.raises(NotPermitted) as refused:
        import_start(
            actor=importers.agency_admin, source_code="police-ctnm", file_name="x", content=content
        )
    assert "your own agency" in refused.value.message
    assert not ImportBatch.objects.exists()
    batch = import_start(
        actor=importers.agency_admin, source_code=SOURCE, file_name="x", content=content
    )
    assert batch.created_by == importers.agency_admin
    other = import_start(
        actor=importers.system_admin,
        source_code="police-ctnm",
        file_name="x",
        content=csv_bytes([person_row(1, source="police-ctnm")]),
    )
    assert import_run(other.pk).accepted == 1


def test_the_worker_task_runs_the_import_and_reports_its_counts() -> None:
    from jointcase.exchange.tasks import import_batch_run

    batch = import_start(
        actor=None,
        source_code=SOURCE,
        file_name="x.csv",
        content=csv_bytes([person_row(1), person_row(2, crn="no")]),
    )
    result = import_batch_run.call(batch.pk)
    assert result == {"rows": 2, "accepted": 1, "updated": 0, "unchanged": 0, "quarantined": 1}
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DONE


@override_settings(JOINTCASE_IMPORT_CHUNK_ROWS=5)
def test_a_second_run_of_the_same_batch_never_applies_a_chunk_twice() -> None:
    rows = [person_row(n) for n in range(1, 21)]
    rows[15] = person_row(2, surname="CLASH")  # in a chunk the second run applies
    batch = import_start(actor=None, source_code=SOURCE, file_name="x.csv", content=csv_bytes(rows))
    second: list[ImportBatch] = []

    def start_another_run(progress: ImportBatch) -> None:
        if not second:  # after the first chunk, another worker takes the same batch
            second.append(import_run(progress.pk))

    first = import_run(batch.pk, progress=start_another_run)
    assert second[0].status == first.status == ImportStatus.DONE
    assert counts(first) == (19, 0, 0, 1)
    assert first.rows_done == 20
    assert SourceRecord.objects.count() == 19
    clash = QuarantinedRow.objects.get()
    assert "appears earlier in this file (line 3)" in clash.reasons["source_record_id"]
    assert AuditEntry.objects.filter(action="exchange.import_done").count() == 1
