"""Linking extract files without the database: a national batch matched against a register
extract on Spark (or DuckDB), the decisions written to a file (docs/exchange.md "Linkage on
Spark", ``jointcase link run --records ... --register ...``).

Both extracts are read from CSV (a header row, the import format; the register's with
``person_id``) or Parquet, put in the normal form with DuckDB straight from the files
(``records_prepare``) and written as Parquet, which the engine reads itself (Spark with
``spark.read.parquet``), so neither side passes through the Django ORM or Spark's Python
workers. The decisions are the batch linkage's against the register (``link_classify``):
link, review or new, one row per incoming record. Nothing is written to the register: the file
is for checking a national run, or for loading by the partner's own process.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from jointcase.exchange.linkage.engines import LinkageEngine
from jointcase.exchange.linkage.model import (
    Decision,
    LinkageModel,
    link_classify,
    link_predict_prepared,
    model_load,
    parquet_write,
    records_prepare,
)

FILE_SUFFIXES = (".csv", ".parquet")
DECISION_COLUMNS = (
    "source_record_id",
    "outcome",
    "person_id",
    "match_probability",
    "possible_twin",
    "candidates",
)


class ExtractFileError(ValueError):
    """An extract file that cannot be read (its message says why, for the command line)."""


def extract_file_read(path: Path) -> pd.DataFrame:
    """An extract file's rows as text (empty for a missing value), columns as named in it."""
    if path.suffix.lower() not in FILE_SUFFIXES:
        raise ExtractFileError(f"{path}: use a .csv or .parquet file")
    if not path.is_file():
        raise ExtractFileError(f"{path}: no such file")
    try:
        with duckdb.connect() as connection:
            if path.suffix.lower() == ".parquet":
                relation = connection.read_parquet(str(path))
            else:
                relation = connection.read_csv(str(path), header=True, all_varchar=True)
            frame = relation.df()
    except duckdb.Error as error:
        raise ExtractFileError(f"{path}: {error}") from error
    return frame.astype(object).where(frame.notna(), "").astype(str)


@dataclass(frozen=True)
class FilesLinkage:
    """The counts of a file linkage."""

    records: int
    register_people: int
    linked: int
    review: int
    new: int


def files_link(
    *,
    records: Path,
    register: Path,
    output: Path,
    engine: LinkageEngine,
    upper: float,
    lower: float,
    model: LinkageModel | None = None,
) -> FilesLinkage:
    """Match the ``records`` extract against the ``register`` extract on ``engine`` and write
    the decisions to ``output`` (CSV or Parquet, by its suffix)."""
    if output.suffix.lower() not in FILE_SUFFIXES:
        raise ExtractFileError(f"{output}: use a .csv or .parquet file")
    incoming_raw, register_raw = extract_file_read(records), extract_file_read(register)
    for name, frame, column in (
        (records, incoming_raw, "source_record_id"),
        (register, register_raw, "person_id"),
    ):
        if column not in frame.columns:
            raise ExtractFileError(f"{name}: a {column} column is needed")
    incoming = records_prepare(incoming_raw, side="incoming")
    prepared_register = records_prepare(register_raw, side="register")
    people = int(prepared_register["person_id"].nunique())
    with tempfile.TemporaryDirectory(prefix="jointcase-link-") as directory:
        left, right = Path(directory, "incoming.parquet"), Path(directory, "register.parquet")
        parquet_write(incoming, left)
        parquet_write(prepared_register, right)
        candidates = link_predict_prepared(
            left, right, model or model_load(), people=people, threshold=lower, engine=engine
        )
    decisions = link_classify(
        list(incoming_raw["source_record_id"]), candidates, upper=upper, lower=lower
    )
    _decisions_write(decisions, output)
    outcomes = [decision.outcome for decision in decisions]
    return FilesLinkage(
        records=len(decisions),
        register_people=people,
        linked=outcomes.count("link"),
        review=outcomes.count("review"),
        new=outcomes.count("new"),
    )


def _decisions_write(decisions: list[Decision], output: Path) -> None:
    frame = pd.DataFrame(
        [
            (
                d.source_record_id,
                d.outcome,
                d.person_id or "",
                d.match_probability,
                d.possible_twin,
                len(d.candidates),
            )
            for d in decisions
        ],
        columns=list(DECISION_COLUMNS),
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    if output.suffix.lower() == ".parquet":
        parquet_write(frame, output)
    else:
        frame.to_csv(output, index=False)
