"""`jointcase seed linkage` writes synthetic extracts; `jointcase link` trains and measures."""

from __future__ import annotations

import io

from django.core.management import call_command

from jointcase.exchange.linkage.model import model_load
from jointcase.exchange.linkage.synthetic import SOURCES


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_seed_linkage_writes_the_same_extracts_for_the_same_seed(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    for directory in (first, second):
        _run("seed", "linkage", "--records", "150", "--seed", "4", "--out", str(directory))
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted([f"{s}.csv" for s in SOURCES] + ["register.csv", "truth.csv"])
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes()
    truth_rows = (first / "truth.csv").read_text(encoding="utf-8").count("\n") - 1
    extract_rows = sum(
        (first / f"{s}.csv").read_text(encoding="utf-8").count("\n") - 1 for s in SOURCES
    )
    assert truth_rows == extract_rows > 100


def test_link_train_writes_a_model_that_loads_and_evaluate_reports_its_quality(tmp_path):
    path = tmp_path / "model.json"
    output = _run("link", "train", "--records", "600", "--seed", "3", "--output", str(path))
    assert "pairwise precision" in output
    model = model_load(path)
    assert model.metadata["training_records"] > 500
    assert model.metadata["evaluation"]["seed"] == 4
    report = _run("link", "evaluate", "--records", "400", "--seed", "8", "--model", str(path))
    assert "pairwise precision" in report
    assert "recall" in report
