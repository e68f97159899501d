"""Fixtures of the linkage review tests: a register person and a partner record of the
probation source that the model can only send to review (synthetic people only)."""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Callable, Iterator

import pytest

from jointcase.accounts.models import User
from jointcase.exchange.linkage.engines import spark_stop
from jointcase.exchange.models import RecordLinkage
from jointcase.exchange.services.imports import import_run, import_start
from jointcase.people.models import Person
from jointcase.people.services import people_create_from_records
from tests.conftest import IN_CI, Personas
from tests.exchange.conftest import csv_bytes, importers, person_row  # noqa: F401

SOURCE = "probation-delius"

#: A short-lived local session: no UI, two partitions, the JVM's quick compiler only.
SPARK_CONF = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "2",
    "spark.default.parallelism": "2",
    "spark.sql.adaptive.enabled": "false",
    "spark.sql.codegen.wholeStage": "false",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
}


@pytest.fixture
def spark_settings(settings, tmp_path) -> Iterator[object]:
    missing = []
    if importlib.util.find_spec("pyspark") is None:
        missing.append("pyspark (make install-spark)")
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        missing.append("Java 17 (apt-get install openjdk-17-jre-headless)")
    if missing:
        message = f"Spark is not installed: {', '.join(missing)}"
        if IN_CI:
            pytest.fail(f"{message}; .ci/run installs Java and make test installs pyspark")
        pytest.skip(message)
    settings.JOINTCASE_LINK_BACKEND = "spark"
    settings.JOINTCASE_SPARK_MASTER = "local[2]"
    settings.JOINTCASE_SPARK_CONF = SPARK_CONF
    settings.JOINTCASE_SPARK_CHECKPOINT_DIR = str(tmp_path / "checkpoints")
    settings.JOINTCASE_SPARK_BREAK_LINEAGE = "parquet"
    yield settings
    spark_stop()


def register_person(actor: User | None = None, **changes: str) -> Person:
    row = person_row(
        1, given_names="Alice", surname="Quenby", date_of_birth="1971-03-14", **changes
    )
    (person,) = people_create_from_records(actor=actor, records=[row], actor_username="test")
    return person


def record_import(rows: list[dict[str, str]], name: str = "extract.csv") -> int:
    batch = import_start(actor=None, source_code=SOURCE, file_name=name, content=csv_bytes(rows))
    return import_run(batch.pk).pk


@pytest.fixture
def reviewing(settings: pytest.FixtureRequest) -> None:
    """Thresholds that send every candidate to review (nothing is sure enough to link)."""
    settings.JOINTCASE_LINK_UPPER = 1.01  # type: ignore[attr-defined]
    settings.JOINTCASE_LINK_LOWER = 0.001  # type: ignore[attr-defined]


@pytest.fixture
def under_review(
    reviewing: None,
    importers: Personas,  # noqa: F811
) -> Callable[..., RecordLinkage]:
    """``under_review(**changes)``: the register person Alice Quenby (recorded by the system
    administrator persona, so only they may see her), and a record of her (changed by
    ``changes``) imported and sent to review against her."""

    def make(**changes: str) -> RecordLinkage:
        person = Person.objects.filter(display_name__icontains="Quenby").first()
        person = person or register_person(actor=importers.system_admin)
        row = person_row(
            2,
            given_names="Alice",
            surname="Quenby",
            date_of_birth="1971-03-14",
            source_record_id="DEL-REVIEW",
            pnc_id="",
            crn="",
        )
        row.update(changes)
        record_import([row])
        linkage = RecordLinkage.objects.get(record__source_record_id=row["source_record_id"])
        assert linkage.candidates.filter(person=person).exists()
        return linkage

    return make
