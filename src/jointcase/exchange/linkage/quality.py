"""How well the linkage does on a synthetic extract whose truth is known."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pandas as pd

from jointcase.exchange.linkage.engines import LinkageEngine
from jointcase.exchange.linkage.model import (
    LinkageModel,
    link_classify,
    link_predict,
    pairwise_quality,
)
from jointcase.exchange.linkage.synthetic import SyntheticExtract


@dataclass(frozen=True)
class Evaluation:
    records: int
    register_people: int
    precision: float
    recall: float
    outcomes: dict[str, int]

    def as_dict(self) -> dict[str, object]:
        return {
            "records": self.records,
            "register_people": self.register_people,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "outcomes": dict(sorted(self.outcomes.items())),
        }

    def summary(self) -> str:
        outcomes = ", ".join(f"{count} {name}" for name, count in sorted(self.outcomes.items()))
        return (
            f"{self.records} records against {self.register_people} register people: "
            f"pairwise precision {self.precision:.4f}, recall {self.recall:.4f} ({outcomes})"
        )


def linkage_evaluate(
    extract: SyntheticExtract,
    model: LinkageModel,
    *,
    upper: float,
    lower: float,
    engine: LinkageEngine | None = None,
) -> Evaluation:
    """Pairwise precision and recall of the links JointCase would make (outcome "link")
    against the extract's true (record, person) pairs; reviews count as links not made.
    Splink runs on ``engine`` (by default the one the settings name)."""
    incoming = pd.DataFrame(extract.records)
    register = pd.DataFrame(extract.register)
    candidates = link_predict(incoming, register, model, threshold=lower, engine=engine)
    decisions = link_classify(incoming["source_record_id"], candidates, upper=upper, lower=lower)
    linked = {(d.source_record_id, str(d.person_id)) for d in decisions if d.outcome == "link"}
    precision, recall = pairwise_quality(linked, extract.true_pairs())
    return Evaluation(
        records=len(incoming),
        register_people=len(register),
        precision=precision,
        recall=recall,
        outcomes=dict(Counter(d.outcome for d in decisions)),
    )
