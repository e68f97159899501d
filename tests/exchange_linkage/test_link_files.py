"""A national batch without the database: ``jointcase link run --records FILE --register
FILE --output FILE`` reads the two extract files (CSV or Parquet), links on the engine named
and writes one decision per record, the same decisions the batch linkage makes from the same
records. On Spark (marked ``spark``, local mode, one session: see test_spark_engine.py) the
engine reads the prepared extracts itself with ``spark.read.parquet``."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from django.core.management import CommandError, call_command

from jointcase.audit.models import AuditEntry
from jointcase.exchange.linkage.engines import DuckDBEngine
from jointcase.exchange.linkage.model import (
    link_classify,
    link_predict,
    model_load,
    parquet_write,
)
from jointcase.exchange.linkage.synthetic import SyntheticExtract as Extract
from jointcase.exchange.linkage.synthetic import extract_csv, extract_make

pytestmark = pytest.mark.django_db


def _files(tmp_path: Path, extract: Extract) -> tuple[Path, Path]:
    records = tmp_path / "records.csv"
    records.write_bytes(extract_csv(extract.records))
    register = tmp_path / "register.parquet"
    parquet_write(pd.DataFrame(extract.register), register)
    return records, register


def _decided_in_process(extract: Extract) -> set[tuple[str, str, str]]:
    """What the batch linkage's own path decides (DuckDB, from frames in the process)."""
    candidates = link_predict(
        pd.DataFrame(extract.records),
        pd.DataFrame(extract.register),
        model_load(),
        engine=DuckDBEngine(),
    )
    ids = [row["source_record_id"] for row in extract.records]
    return {
        (d.source_record_id, d.outcome, d.person_id or "") for d in link_classify(ids, candidates)
    }


def _link_files(tmp_path: Path, backend: str, extract: Extract) -> set[tuple[str, str, str]]:
    records, register = _files(tmp_path, extract)
    output = tmp_path / "out" / "decisions.csv"
    out = io.StringIO()
    call_command(
        "link",
        "run",
        "--backend",
        backend,
        "--records",
        str(records),
        "--register",
        str(register),
        "--output",
        str(output),
        stdout=out,
    )
    assert f"decisions written to {output}" in out.getvalue()
    decided = pd.read_csv(output, dtype=str, keep_default_na=False)
    assert len(decided) == len(extract.records)
    return set(decided[["source_record_id", "outcome", "person_id"]].itertuples(index=False))


def test_linking_files_on_duckdb_decides_as_the_batch_linkage_does(tmp_path: Path) -> None:
    extract = extract_make(200, seed=5)
    decided = _link_files(tmp_path, "duckdb", extract)
    assert decided == _decided_in_process(extract)
    assert {outcome for _record, outcome, _person in decided} >= {"link", "new"}
    entry = AuditEntry.objects.get(action="exchange.linkage_files")
    assert entry.details["records"] == len(extract.records)
    assert "Quenby" not in str(entry.details)  # counts, never content


@pytest.mark.spark
def test_a_batch_on_spark_read_from_files_makes_the_links_duckdb_makes(
    spark_settings: object, tmp_path: Path
) -> None:
    extract = extract_make(150, seed=11)
    decided = _link_files(tmp_path, "spark", extract)
    assert decided == _decided_in_process(extract)
    assert {outcome for _record, outcome, _person in decided} >= {"link", "new"}
    checkpoints = tmp_path / "checkpoints"
    assert not checkpoints.exists() or list(checkpoints.iterdir()) == []


def test_linking_files_needs_all_three_and_readable_files(tmp_path: Path) -> None:
    records, _register = _files(tmp_path, extract_make(100, seed=3))
    with pytest.raises(CommandError, match="--register, --output"):
        call_command("link", "run", "--records", str(records))
    with pytest.raises(CommandError, match="no such file"):
        call_command(
            "link",
            "run",
            "--records",
            str(records),
            "--register",
            str(tmp_path / "missing.csv"),
            "--output",
            str(tmp_path / "decisions.csv"),
        )
    assert not AuditEntry.objects.filter(action="exchange.linkage_files").exists()
