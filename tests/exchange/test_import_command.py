"""``jointcase import --source NAME FILE``: the counts as a table, a refusal as a clear
command error with nothing written, and the same file again reported unchanged."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from jointcase.exchange.models import ImportBatch, SourceRecord
from tests.exchange.conftest import SOURCE, csv_bytes, person_row

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("import", *args, "--no-progress", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_command_imports_and_prints_the_counts(tmp_path: Path) -> None:
    extract = tmp_path / "extract.csv"
    extract.write_bytes(csv_bytes([person_row(1), person_row(2), person_row(3, crn="bad")]))
    first = run("--source", SOURCE, str(extract))
    assert "Accepted (new)           2" in first
    assert "Quarantined              1" in first
    again = run("--source", SOURCE, str(extract))
    assert "Unchanged                3" in again
    assert "Accepted (new)           0" in again
    assert SourceRecord.objects.count() == 2


def test_the_command_refuses_clearly_and_writes_nothing(tmp_path: Path) -> None:
    extract = tmp_path / "extract.csv"
    extract.write_bytes(b"not,an,extract\n1,2,3\n")
    with pytest.raises(CommandError, match="lacks the column"):
        run("--source", SOURCE, str(extract))
    with pytest.raises(CommandError, match="Unknown source 'nowhere'"):
        run("--source", "nowhere", str(extract))
    with pytest.raises(CommandError, match=r"missing\.csv: No such file"):
        run("--source", SOURCE, str(tmp_path / "missing.csv"))
    assert not ImportBatch.objects.exists()
