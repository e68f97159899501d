"""The Spark linkage engine: the same trained model file, on the same synthetic extract,
finds the same candidates and makes the same links on Spark (local mode) as on DuckDB.

One Spark session, a few hundred records, small shuffles, no UI: marked ``spark`` (make test:
in the SQLite run). Without pyspark or Java it skips, and with CI=true it fails (.ci/run
installs Java, ``make test`` installs pyspark). Without Java, asking for the Spark engine is
a plain error saying what to install (no Spark needed to check that)."""

from __future__ import annotations

import pandas as pd
import pytest

from jointcase.exchange.linkage.engines import (
    DuckDBEngine,
    EngineUnavailable,
    SparkOptions,
    engine_get,
    spark_session,
)
from jointcase.exchange.linkage.model import (
    Candidate,
    link_classify,
    link_predict,
    model_load,
    pairwise_quality,
)
from jointcase.exchange.linkage.synthetic import extract_make


def _by_pair(candidates: list[Candidate]) -> dict[tuple[str, str], Candidate]:
    return {(c.source_record_id, c.person_id): c for c in candidates}


@pytest.mark.spark
def test_the_same_model_makes_the_same_links_on_spark_as_on_duckdb(spark_settings, tmp_path):
    extract = extract_make(300, seed=11)
    incoming, register = pd.DataFrame(extract.records), pd.DataFrame(extract.register)
    model = model_load()

    on_duckdb = link_predict(incoming, register, model, engine=DuckDBEngine())
    engine = engine_get()  # JOINTCASE_LINK_BACKEND=spark
    assert engine.name == "spark"
    on_spark = link_predict(incoming, register, model)

    # The same candidate pairs from the lower threshold up, each with the same probability,
    # weight, comparison levels and twin flag.
    duckdb_pairs, spark_pairs = _by_pair(on_duckdb), _by_pair(on_spark)
    assert len(duckdb_pairs) > 200
    assert set(spark_pairs) == set(duckdb_pairs)
    for pair, expected in duckdb_pairs.items():
        got = spark_pairs[pair]
        assert got.match_probability == pytest.approx(expected.match_probability, abs=1e-9)
        assert got.match_weight == pytest.approx(expected.match_weight, rel=1e-9, abs=1e-9)
        assert got.levels == expected.levels, pair
        assert got.possible_twin == expected.possible_twin, pair

    # And so the same decisions: the same records linked to the same people, reviewed, new.
    ids = list(incoming["source_record_id"])
    decided = [
        {(d.source_record_id, d.outcome, d.person_id, d.possible_twin) for d in decisions}
        for decisions in (link_classify(ids, on_duckdb), link_classify(ids, on_spark))
    ]
    assert decided[0] == decided[1]
    outcomes = {outcome for _, outcome, _, _ in decided[1]}
    assert outcomes == {"link", "review", "new"}
    links = {(record, person) for record, outcome, person, _ in decided[1] if outcome == "link"}
    precision, recall = pairwise_quality(links, extract.true_pairs())
    assert precision >= 0.99
    assert recall >= 0.9

    # Each Spark run cleans up after itself: no intermediate tables are left behind.
    checkpoints = tmp_path / "checkpoints"
    assert not checkpoints.exists() or list(checkpoints.iterdir()) == []


def test_without_java_the_spark_engine_says_what_to_install(monkeypatch):
    pytest.importorskip("pyspark")
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setattr("shutil.which", lambda name: None)
    with pytest.raises(EngineUnavailable, match="openjdk-17-jre-headless"):
        spark_session(SparkOptions())
