"""Record linkage (exchange.linkage): JointCase's linkage beside plain Splink, its quality on
the synthetic truth, and one incoming record against a large register.

Targets:
- a batch of synthetic partner records linked against the synthetic register, JointCase
  (raw records prepared, Splink, one candidate per person, link/review/new) beside plain Splink
  (the same prepared records and trained settings, ``Linker.inference.predict``), alternated in
  one run: at most 1.3 times plain Splink;
- pairwise precision of the links made at least 0.99 and recall at least 0.95 on that truth;
- one record against a register of 100,000 people (``RegisterMatcher``: the register loaded
  and its term frequencies computed once): p95 at most 1 s.

No database is used: the register is generated (never real people), so the module runs once
whichever database the run is for (on SQLite only). ``JOINTCASE_BENCH_LINKAGE_PEOPLE`` and
``JOINTCASE_BENCH_LINKAGE_RECORDS`` change the register size and the batch size (defaults
100,000 and 10,000); ``JOINTCASE_BENCH_REQUESTS`` the single-record samples (default 200,
at most 100 used here).
"""

from __future__ import annotations

import logging
import os
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from benchmarks.common import percentile, setup_django

RATIO_TARGET = 1.3
ONE_RECORD_TARGET_MS = 1000.0
ROUNDS = 6


def _plain_splink(incoming: Any, register: Any, settings: dict[str, Any], lower: float) -> Any:
    from splink import DuckDBAPI, Linker

    linker = Linker(
        [incoming, register],
        settings,
        db_api=DuckDBAPI(),
        input_table_aliases=["incoming", "register"],
    )
    return linker.inference.predict(threshold_match_probability=lower).as_pandas_dataframe()


def _side_by_side(report: Callable[..., Any], records: int) -> None:
    import pandas as pd
    from django.conf import settings

    from jointcase.exchange.linkage.model import (
        link_classify,
        link_predict,
        model_load,
        pairwise_quality,
        records_prepare,
    )
    from jointcase.exchange.linkage.synthetic import extract_make

    upper, lower = settings.JOINTCASE_LINK_UPPER, settings.JOINTCASE_LINK_LOWER
    model = model_load()
    extract = extract_make(records, seed=9001)
    incoming, register = pd.DataFrame(extract.records), pd.DataFrame(extract.register)
    prepared_incoming = records_prepare(incoming, side="incoming")
    prepared_register = records_prepare(register, side="register")
    splink_settings = model.settings_for(len(register))
    ours: list[float] = []
    plain: list[float] = []
    decisions: list[Any] = []
    for round_ in range(ROUNDS):
        # Alternate which goes first, so neither always runs on a warmer machine.
        for which in ("plain", "ours") if round_ % 2 == 0 else ("ours", "plain"):
            started = time.perf_counter()
            if which == "plain":
                _plain_splink(prepared_incoming, prepared_register, splink_settings, lower)
                plain.append(time.perf_counter() - started)
                continue
            candidates = link_predict(
                incoming, register, model, threshold=lower, prepared_register=prepared_register
            )
            decisions = link_classify(
                incoming["source_record_id"], candidates, upper=upper, lower=lower
            )
            ours.append(time.perf_counter() - started)
    label = f"linkage {len(incoming)} records x {len(register)} people"
    baseline = statistics.median(plain)
    report(f"{label}: plain Splink (median of {ROUNDS})", round(baseline, 2), "s")
    report(
        f"{label}: JointCase (median of {ROUNDS})",
        round(statistics.median(ours), 2),
        "s",
        target=f"<= {RATIO_TARGET} x plain Splink",
        baseline=round(baseline, 2),
    )
    linked = {(d.source_record_id, str(d.person_id)) for d in decisions if d.outcome == "link"}
    precision, recall = pairwise_quality(linked, extract.true_pairs())
    report(f"{label}: pairwise precision (upper {upper})", round(precision, 4), "", ">= 0.99")
    report(f"{label}: pairwise recall (upper {upper})", round(recall, 4), "", ">= 0.95")
    reviews = sum(d.outcome == "review" for d in decisions)
    report(f"{label}: sent to review", reviews, "records")


def _one_record(report: Callable[..., Any], people_count: int, samples: int) -> None:
    import pandas as pd

    from jointcase.exchange.linkage.model import RegisterMatcher, link_classify
    from jointcase.exchange.linkage.synthetic import extract_make, population_make

    people = population_make(people_count, seed=4040, register_share=1.0)
    register = pd.DataFrame([p.register_row() for p in people if p.in_register])
    started = time.perf_counter()
    matcher = RegisterMatcher(register)
    report(
        f"linkage register of {len(register)} people: prepared and loaded",
        round(time.perf_counter() - started, 2),
        "s",
    )
    # Incoming records: half are people of the register written as a partner would, half
    # records of other synthetic people.
    rng = random.Random(7)
    held = rng.sample([p for p in people if p.in_register], samples // 2)
    others = extract_make(samples * 2, seed=4041).records[: samples - len(held)]
    rows: list[dict[str, str]] = []
    for person in held:
        row = person.register_row()
        del row["person_id"]
        rows.append({**row, "source": "bench", "source_record_id": person.person_id})
    rows.extend(others)
    rng.shuffle(rows)
    matcher.match(pd.DataFrame(rows[:1]))  # warm
    timings: list[float] = []
    linked = 0
    for row in rows:
        started = time.perf_counter()
        candidates = matcher.match(pd.DataFrame([row]))
        [decision] = link_classify([row["source_record_id"]], candidates)
        timings.append((time.perf_counter() - started) * 1000)
        linked += decision.outcome == "link" and decision.person_id == row["source_record_id"]
    label = f"linkage one record against {len(register)} people"
    report(f"{label} p50", round(percentile(timings, 50), 1), "ms")
    report(f"{label} p95", round(percentile(timings, 95), 1), "ms", f"<= {ONE_RECORD_TARGET_MS:g}")
    report(f"{label}: register people found and linked", f"{linked}/{len(held)}", "records")


def run(report: Callable[..., Any]) -> None:
    setup_django()
    from django.db import connection

    if connection.vendor != "sqlite":
        return  # no database involved: measured once, in the SQLite run
    logging.getLogger("splink").setLevel(logging.ERROR)
    people_count = int(os.environ.get("JOINTCASE_BENCH_LINKAGE_PEOPLE", "100000"))
    records = int(os.environ.get("JOINTCASE_BENCH_LINKAGE_RECORDS", "10000"))
    samples = min(int(os.environ.get("JOINTCASE_BENCH_REQUESTS", "200")), 100)
    _side_by_side(report, records)
    _one_record(report, people_count, samples)


if __name__ == "__main__":

    def _print(
        benchmark: str, value: Any, unit: str, target: str = "", baseline: Any = None
    ) -> None:
        print(f"{benchmark}: {value} {unit} {target} (baseline {baseline})")

    run(_print)
