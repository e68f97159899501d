"""``jointcase link export``: every imported record, its register person and how it
resolved, as CSV; and the import command's linkage counts (synthetic people only)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import call_command

from jointcase.audit.models import AuditEntry
from jointcase.exchange.models import RecordLinkage, SourceRecord
from jointcase.exchange.services.review import review_link
from tests.conftest import Personas
from tests.exchange.conftest import SOURCE, csv_bytes, person_row
from tests.exchange_linkage.conftest import record_import

pytestmark = pytest.mark.django_db


def _export(*args: str) -> str:
    out = io.StringIO()
    call_command("link", "export", *args, "--no-progress", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_export_says_how_every_record_resolved(
    under_review: Callable[..., RecordLinkage], importers: Personas, tmp_path: Path
) -> None:
    waiting = under_review()
    other = under_review(source_record_id="DEL-OTHER", given_names="Alice", surname="Quenby")
    candidate = other.candidates.order_by("rank").first()
    assert candidate is not None
    review_link(
        actor=importers.system_admin, linkage=other, candidate_id=candidate.pk, reason="Same"
    )
    record_import(
        [person_row(9, given_names="Zebedee", surname="Umfreville", postcode="EC1A 1BB")],
        name="new.csv",
    )
    rows = {row["source_record_id"]: row for row in csv.DictReader(io.StringIO(_export()))}
    assert set(rows) == set(SourceRecord.objects.values_list("source_record_id", flat=True))
    assert rows["DEL-REVIEW"]["resolved_as"] == "awaiting review"
    assert rows["DEL-REVIEW"]["person_id"] == ""
    assert float(rows["DEL-REVIEW"]["match_probability"]) == pytest.approx(
        waiting.match_probability, abs=1e-6
    )
    assert rows["DEL-OTHER"]["resolved_as"] == "linked by a reviewer"
    assert rows["DEL-OTHER"]["person_id"] == str(candidate.person.public_id)
    assert rows["DEL-000009"]["resolved_as"] == "new"
    new_person = SourceRecord.objects.get(source_record_id="DEL-000009").person
    assert new_person is not None
    assert rows["DEL-000009"]["person_id"] == str(new_person.public_id)
    assert all(row["source"] == SOURCE for row in rows.values())
    target = tmp_path / "linkage.csv"
    said = _export("--output", str(target))
    assert "3 records written" in said
    assert target.read_text(encoding="utf-8").splitlines()[0] == (
        "source,source_record_id,person_id,resolved_as,match_probability,possible_twin,decided_at"
    )
    assert AuditEntry.objects.filter(action="exchange.linkage_export").count() == 2


def test_the_import_command_prints_the_linkage_counts(tmp_path: Path) -> None:
    extract = tmp_path / "extract.csv"
    rows = [
        person_row(1, given_names="Alice", surname="Quenby"),
        person_row(2, given_names="Bruno", surname="Ravensworth"),
    ]
    extract.write_bytes(csv_bytes(rows))
    out = io.StringIO()
    call_command("import", "--source", SOURCE, str(extract), "--no-progress", stdout=out)
    text = out.getvalue()
    assert "Linked                   0" in text
    assert "To review                0" in text
    assert "New people               2" in text


def test_link_run_links_the_records_still_awaiting_linkage(tmp_path: Path) -> None:
    from jointcase.exchange.services.imports import import_run, import_start

    rows = [person_row(1, given_names="Alice", surname="Quenby")]
    batch = import_start(actor=None, source_code=SOURCE, file_name="x.csv", content=csv_bytes(rows))
    import_run(batch.pk, link=False)
    assert SourceRecord.objects.get().resolution == "awaiting_linkage"
    out = io.StringIO()
    call_command("link", "run", "--backend", "duckdb", stdout=out)
    assert "new people 1" in out.getvalue()
    assert SourceRecord.objects.get().resolution == "new_person"
    out = io.StringIO()
    call_command("link", "run", stdout=out)
    assert "No records are awaiting linkage." in out.getvalue()


def test_link_run_on_spark_without_java_says_what_to_install(monkeypatch) -> None:
    from django.core.management.base import CommandError

    from jointcase.exchange.services.imports import import_run, import_start

    rows = [person_row(1, given_names="Alice", surname="Quenby")]
    batch = import_start(actor=None, source_code=SOURCE, file_name="x.csv", content=csv_bytes(rows))
    import_run(batch.pk, link=False)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setattr("shutil.which", lambda name: None)
    with pytest.raises(CommandError, match="The Spark linkage engine needs"):
        call_command("link", "run", "--backend", "spark", stdout=io.StringIO())
    assert SourceRecord.objects.get().resolution == "awaiting_linkage"
