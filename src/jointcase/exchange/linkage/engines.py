"""Where Splink runs a batch linkage: embedded DuckDB (the default) or Apache Spark, for
national extracts (``JOINTCASE_LINK_BACKEND``, docs/exchange.md "Linkage on Spark").

An engine gives Splink its database API and turns the prepared records (a pandas frame in the
normal form, ``model.records_prepare``) into a table that API reads; ``model.link_predict``
does the rest the same way on either, with the same trained model file (its SQL rewritten for
the engine by ``model.settings_in_dialect``). Training and live matching (``RegisterMatcher``)
stay on DuckDB.

Spark is an optional extra (``pip install 'jointcase[spark]'``, Java 17): pyspark is imported
only when the Spark engine is asked for, and a missing pyspark or Java is a clear error then.
"""

from __future__ import annotations

import functools
import os
import shutil
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pandas as pd
from django.conf import settings

from jointcase.exchange.linkage.model import (
    DUCKDB_SQL,
    SPARK_SQL,
    RawRecords,
    SqlDialect,
    parquet_read,
    records_prepare,
    records_prepare_into,
)

ENGINES = ("duckdb", "spark")

#: Spark settings JointCase sets unless ``JOINTCASE_SPARK_CONF`` says otherwise.
SPARK_DEFAULTS = {
    "spark.app.name": "jointcase-linkage",
    "spark.sql.session.timeZone": "UTC",
}


class EngineUnavailable(RuntimeError):
    """The engine the settings name cannot run here (pyspark or Java missing)."""


class EngineRun(Protocol):
    """One linkage on an engine: Splink's database API and the tables it reads."""

    db_api: Any

    def table(self, frame: pd.DataFrame | Path | RawRecords) -> Any: ...


@dataclass
class _DuckDBRun:
    db_api: Any
    connection: Any

    def table(self, frame: pd.DataFrame | Path | RawRecords) -> Any:
        """What Splink reads: raw records are prepared into a table of the run's database
        (its name is returned), where Splink reads them without a copy through pandas."""
        if isinstance(frame, RawRecords):
            name = f"jointcase_{frame.side}"
            records_prepare_into(self.connection, frame.frame, side=frame.side, table=name)
            return name
        return parquet_read(frame) if isinstance(frame, Path) else frame


@dataclass(frozen=True)
class DuckDBEngine:
    """Splink on an in-memory DuckDB database, a new one for every run."""

    name: str = "duckdb"
    dialect: SqlDialect = DUCKDB_SQL

    @contextmanager
    def run(self) -> Iterator[EngineRun]:
        import duckdb  # noqa: PLC0415 - optional duckdb
        from splink import DuckDBAPI  # noqa: PLC0415 - optional splink

        connection = duckdb.connect()
        try:
            yield _DuckDBRun(DuckDBAPI(connection=connection), connection)
        finally:
            connection.close()


#: The most bytes of JSON lines one literal of ``_SparkRun.table`` carries.
SPARK_TABLE_CHUNK_BYTES = 8 * 1024 * 1024


@dataclass
class _SparkRun:
    session: Any
    db_api: Any

    def table(self, frame: pd.DataFrame | Path | RawRecords) -> Any:
        """The prepared records as a Spark DataFrame of text columns: a Parquet file read by
        Spark itself (``spark.read``, docs/exchange.md "Linkage on Spark"), or a frame built
        inside the JVM:
        the rows travel as JSON lines in binary literals (one per few megabytes) that Spark
        splits and parses itself. No Python worker is started and executors need no Python
        (``createDataFrame`` from Python rows needs both). For a national extract, read the
        files with Spark instead (docs/exchange.md "Linkage on Spark")."""
        from pyspark.sql import functions as spark_f  # noqa: PLC0415 - optional pyspark
        from pyspark.sql.types import StringType, StructField, StructType  # noqa: PLC0415 - optional pyspark

        if isinstance(frame, RawRecords):
            frame = records_prepare(frame.frame, side=frame.side)
        if isinstance(frame, Path):
            return self.session.read.parquet(str(frame))
        columns = [str(name) for name in frame.columns]
        schema = StructType([StructField(name, StringType(), True) for name in columns])
        text = (
            frame.astype(object)
            .where(frame.notna(), None)
            .to_json(orient="records", lines=True, force_ascii=False)
        )
        chunks, size, lines = [], 0, []
        for line in text.splitlines():
            lines.append(line)
            size += len(line) + 1
            if size >= SPARK_TABLE_CHUNK_BYTES:
                chunks.append("\n".join(lines))
                lines, size = [], 0
        if lines or not chunks:
            chunks.append("\n".join(lines))
        parts = [
            self.session.range(1).select(
                spark_f.explode(
                    spark_f.split(
                        spark_f.decode(spark_f.lit(bytearray(chunk.encode("utf-8"))), "UTF-8"),
                        "\n",
                    )
                ).alias("line")
            )
            for chunk in chunks
        ]
        lines_frame = functools.reduce(lambda left, right: left.union(right), parts)
        return (
            lines_frame.where(spark_f.length("line") > 0)
            .select(spark_f.from_json("line", schema).alias("row"))
            .select(*(spark_f.col("row").getField(name).alias(name) for name in columns))
        )


@dataclass(frozen=True)
class SparkEngine:
    """Splink on a Spark session (local mode, or a cluster through its master URL).

    Each run works in a session of its own (``newSession``: its own temporary views, so runs
    never see each other's tables) with its own directory under the checkpoint directory;
    afterwards its views are dropped (which uncaches what Splink persisted) and the
    directory deleted, so a long-lived process does not pile up intermediate tables.

    ``break_lineage`` is how Splink cuts Spark's query plans between its steps: ``parquet``
    (Splink's default outside Databricks) writes intermediate tables under the checkpoint
    directory, which every executor must then reach (HDFS, S3, a shared disk);
    ``checkpoint`` uses Spark checkpoints there; ``persist`` keeps them in executor memory."""

    session: Any
    checkpoint_dir: str
    break_lineage: str = "parquet"
    name: str = "spark"
    dialect: SqlDialect = SPARK_SQL

    @contextmanager
    def run(self) -> Iterator[EngineRun]:
        from splink import SparkAPI  # noqa: PLC0415 - optional splink

        with _run_lock:
            session = self.session.newSession()
            context = session.sparkContext
            run_dir = f"{self.checkpoint_dir.rstrip('/')}/run-{uuid.uuid4().hex}"
            context.setCheckpointDir(run_dir)
            try:
                yield _SparkRun(
                    session,
                    SparkAPI(spark_session=session, break_lineage_method=self.break_lineage),
                )
            finally:
                for table in session.catalog.listTables():
                    if table.isTemporary:
                        session.catalog.dropTempView(table.name)
                _path_delete(context, run_dir)


def _path_delete(context: Any, path: str) -> None:
    """Delete ``path`` and everything under it on whatever file system it names (local,
    HDFS, S3...), through Hadoop's file system API as Spark itself writes there."""
    jvm = context._jvm
    hadoop_path = jvm.org.apache.hadoop.fs.Path(path)
    hadoop_path.getFileSystem(context._jsc.hadoopConfiguration()).delete(hadoop_path, True)


LinkageEngine = DuckDBEngine | SparkEngine


@dataclass(frozen=True)
class SparkOptions:
    """How to reach Spark: the master URL, extra Spark settings and the checkpoint directory."""

    master: str = "local[2]"
    conf: tuple[tuple[str, str], ...] = ()
    checkpoint_dir: str = ""
    break_lineage: str = "parquet"


_session_lock = threading.Lock()
#: Spark runs one at a time per process: the checkpoint directory is the context's.
_run_lock = threading.Lock()


def spark_session(options: SparkOptions) -> Any:
    """The process's Spark session, started on first use with Splink's similarity functions
    (the jar that ships with Splink) on its class path; later calls return the same session
    (Spark allows one per process). Raises ``EngineUnavailable`` without pyspark or Java."""
    try:
        from pyspark.sql import SparkSession  # noqa: PLC0415 - optional pyspark
        from splink.backends.spark import similarity_jar_location  # noqa: PLC0415 - optional splink
    except ImportError as error:
        raise EngineUnavailable(
            "The Spark linkage engine needs pyspark: pip install -r requirements-spark.txt "
            "(or the 'spark' extra) and Java 17."
        ) from error
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        raise EngineUnavailable(
            "The Spark linkage engine needs Java 17 (apt-get install openjdk-17-jre-headless)."
        )
    with _session_lock:
        builder = SparkSession.builder.master(options.master)
        conf = {**SPARK_DEFAULTS, "spark.jars": similarity_jar_location(), **dict(options.conf)}
        for key, value in conf.items():
            builder = builder.config(key, value)
        session = builder.getOrCreate()
        _quiet_hidden_path_warning(session)
        return session


def _quiet_hidden_path_warning(session: Any) -> None:
    """Splink names its intermediate tables ``__splink__...``; Spark reads them back from the
    checkpoint directory all the same, but warns on every read that a path starting with an
    underscore is "ignored". Only that logger is quietened."""
    jvm = session.sparkContext._jvm
    jvm.org.apache.logging.log4j.core.config.Configurator.setLevel(
        "org.apache.spark.sql.execution.datasources.DataSource",
        jvm.org.apache.logging.log4j.Level.ERROR,
    )


@functools.cache
def _settings_spark_engine(options: SparkOptions) -> SparkEngine:
    return SparkEngine(
        spark_session(options),
        checkpoint_dir=options.checkpoint_dir,
        break_lineage=options.break_lineage,
    )


def spark_stop() -> None:
    """Stop the process's Spark session, if one was started (the next Spark run starts a new
    one)."""
    with _session_lock:
        if _settings_spark_engine.cache_info().currsize:
            _settings_spark_engine.cache_clear()
        try:
            from pyspark.sql import SparkSession  # noqa: PLC0415 - optional pyspark
        except ImportError:
            return
        session = SparkSession.getActiveSession()
        if session is not None:
            session.stop()


def engine_get(name: str | None = None) -> LinkageEngine:
    """The engine named (or ``JOINTCASE_LINK_BACKEND``), Spark with the ``JOINTCASE_SPARK_*``
    settings; one Spark session per process, started on first use."""

    name = name or settings.JOINTCASE_LINK_BACKEND
    if name == "duckdb":
        return DuckDBEngine()
    if name != "spark":
        raise ValueError(f"Unknown linkage engine {name!r}: one of {', '.join(ENGINES)}")
    options = SparkOptions(
        master=settings.JOINTCASE_SPARK_MASTER,
        conf=tuple(sorted(settings.JOINTCASE_SPARK_CONF.items())),
        checkpoint_dir=str(settings.JOINTCASE_SPARK_CHECKPOINT_DIR),
        break_lineage=settings.JOINTCASE_SPARK_BREAK_LINEAGE,
    )
    return _settings_spark_engine(options)
