"""The record-linkage model: Splink (Fellegi-Sunter) on DuckDB, pure and free of Django models.

Matching is ``link_only`` between two tables: the incoming partner records and the register
(one row per person name and address JointCase holds, tagged with the person's id). Link-only
rather than link-and-dedupe because the register is already one row set per person (the people
app merges duplicates by hand) and incoming records are resolved one by one against it:
comparing incoming records with each other would only add pairs nobody acts on.

The trained model file (``data/linkage_model.json``) holds Splink's own settings with the
trained m and u probabilities, plus JointCase's metadata (version, how it was trained and its
measured quality). Its training data is generated (``synthetic.py``), never real.

The prior (the probability that two random records match) depends on the register's size, so
it is not taken from training as is: the model keeps the share of incoming records that match
someone, and each prediction divides it by the number of register people it is matched against.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any, Literal

import pandas as pd

MODEL_PATH = Path(__file__).resolve().parent.parent / "data" / "linkage_model.json"
MODEL_FORMAT = 1

Outcome = Literal["link", "review", "new"]

#: The columns both sides of a comparison carry after ``records_prepare``.
PREPARED_COLUMNS = (
    "unique_id",
    "person_id",
    "source",
    "source_record_id",
    "given_name",
    "given_canonical",
    "surname",
    "date_of_birth",
    "birth_year",
    "postcode",
    "postcode_sector",
    "postcode_district",
    "town",
    "pnc_id",
    "crn",
    "prison_number",
)

IDENTIFIERS = ("pnc_id", "crn", "prison_number")

#: Candidate pairs are only those agreeing on one of these (each a SQL join condition).
BLOCKING_RULES = (
    "l.date_of_birth = r.date_of_birth",
    "l.surname = r.surname and l.birth_year = r.birth_year",
    "l.given_name = r.given_name and l.surname = r.surname",
    "l.surname = r.given_name and l.given_name = r.surname",
    "l.postcode = r.postcode",
    "l.pnc_id = r.pnc_id",
    "l.crn = r.crn",
    "l.prison_number = r.prison_number",
)


def _level(sql: str, label: str, **extra: Any) -> dict[str, Any]:
    return {"sql_condition": sql, "label_for_charts": label, **extra}


def _null(*columns: str) -> dict[str, Any]:
    sql = " or ".join(f'"{c}_l" is null or "{c}_r" is null' for c in columns)
    return _level(sql, "missing", is_null_level=True)


def _else() -> dict[str, Any]:
    return _level("ELSE", "disagree")


def _jaro_winkler(column: str, threshold: float) -> dict[str, Any]:
    return _level(
        f'jaro_winkler_similarity("{column}_l", "{column}_r") >= {threshold}',
        f"similar ({threshold})",
    )


def _comparisons() -> list[dict[str, Any]]:
    surname = {
        "output_column_name": "surname",
        "comparison_levels": [
            _null("surname"),
            _level(
                '"surname_l" = "surname_r"',
                "exact",
                tf_adjustment_column="surname",
                tf_adjustment_weight=1.0,
            ),
            _jaro_winkler("surname", 0.92),
            _level('"surname_l" = "given_name_r" or "given_name_l" = "surname_r"', "swapped"),
            _jaro_winkler("surname", 0.8),
            _else(),
        ],
    }
    given = {
        "output_column_name": "given_name",
        "comparison_levels": [
            _null("given_name"),
            _level(
                '"given_name_l" = "given_name_r"',
                "exact",
                tf_adjustment_column="given_name",
                tf_adjustment_weight=1.0,
            ),
            _level(
                "list_has_any(string_split(\"given_canonical_l\", ' '), "
                "string_split(\"given_canonical_r\", ' '))",
                "nickname or variant",
            ),
            _jaro_winkler("given_name", 0.92),
            _level('"given_name_l" = "surname_r" or "surname_l" = "given_name_r"', "swapped"),
            _jaro_winkler("given_name", 0.8),
            _else(),
        ],
    }
    day_month_swap = (
        'substr("date_of_birth_l", 1, 4) = substr("date_of_birth_r", 1, 4) and '
        'substr("date_of_birth_l", 6, 2) = substr("date_of_birth_r", 9, 2) and '
        'substr("date_of_birth_l", 9, 2) = substr("date_of_birth_r", 6, 2)'
    )
    date_of_birth = {
        "output_column_name": "date_of_birth",
        "comparison_levels": [
            _null("date_of_birth"),
            _level('"date_of_birth_l" = "date_of_birth_r"', "exact"),
            _level(day_month_swap, "day and month swapped"),
            _level(
                'substr("date_of_birth_l", 6, 5) = substr("date_of_birth_r", 6, 5) and '
                'abs(cast("birth_year_l" as integer) - cast("birth_year_r" as integer)) <= 1',
                "year one out",
            ),
            _level('damerau_levenshtein("date_of_birth_l", "date_of_birth_r") <= 1', "one digit"),
            _else(),
        ],
    }
    address = {
        "output_column_name": "address",
        "comparison_levels": [
            _null("postcode"),
            _level('"postcode_l" = "postcode_r"', "same postcode"),
            _level('"postcode_sector_l" = "postcode_sector_r"', "same postcode sector"),
            _level('"town_l" = "town_r"', "same town"),
            _else(),
        ],
    }
    identifiers = [
        {
            "output_column_name": name,
            "comparison_levels": [
                _null(name),
                _level(f'"{name}_l" = "{name}_r"', "exact"),
                _else(),
            ],
        }
        for name in IDENTIFIERS
    ]
    return [surname, given, date_of_birth, address, *identifiers]


def settings_untrained() -> dict[str, Any]:
    """Splink's settings before training (m and u estimated by ``link_train``)."""
    return {
        "link_type": "link_only",
        "unique_id_column_name": "unique_id",
        "source_dataset_column_name": "source_dataset",
        "probability_two_random_records_match": 0.0001,
        "blocking_rules_to_generate_predictions": [
            {"blocking_rule": rule, "sql_dialect": "duckdb"} for rule in BLOCKING_RULES
        ],
        "comparisons": _comparisons(),
        "retain_matching_columns": True,
        "retain_intermediate_calculation_columns": False,
        "additional_columns_to_retain": ["person_id", "source_record_id"],
        "sql_dialect": "duckdb",
    }


# ---------------------------------------------------------------------------------------------
# Preparing records: the normal form both sides are compared in.


def _ascii_lower(value: Any) -> str:
    text = unicodedata.normalize("NFKD", "" if value is None else str(value))
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = text.encode("ascii", "ignore").decode("ascii").lower()
    return " ".join(re.sub(r"[^a-z ]+", " ", text.replace("'", "")).split())


def _canonical_given(name: str) -> str:
    """The canonical forms the name may stand for, space separated ("chris" -> "christian
    christina christine christopher"); the name itself when it has no known variants."""
    from jointcase.people.search.names import nickname_groups

    return " ".join(sorted(nickname_groups(name) or {name}))


def records_prepare(records: pd.DataFrame, *, side: str) -> pd.DataFrame:
    """Records in the import format (or register rows with ``person_id``) in the normal form:
    lower-case ASCII names, first given name and its canonical form, ISO dates, compact
    postcodes and their sector, identifiers upper case without spaces; empty values as null.
    ``side`` names the table ("incoming" or "register") and prefixes the unique ids."""
    frame = records.fillna("").astype(str)
    out = pd.DataFrame(index=frame.index)

    def column(name: str) -> pd.Series:
        return frame[name] if name in frame else pd.Series("", index=frame.index)

    if "person_id" in frame and side == "register":
        out["person_id"] = frame["person_id"]
    else:
        out["person_id"] = ""
    out["source"] = column("source")
    out["source_record_id"] = column("source_record_id")
    given_tokens = column("given_names").map(_ascii_lower).str.split()
    out["given_name"] = given_tokens.map(lambda tokens: tokens[0] if tokens else "")
    canonical = {name: _canonical_given(name) for name in set(out["given_name"])}
    out["given_canonical"] = out["given_name"].map(canonical)
    out["surname"] = column("surname").map(_ascii_lower)
    out["date_of_birth"] = column("date_of_birth").str.strip().str.slice(0, 10)
    out["birth_year"] = out["date_of_birth"].str.slice(0, 4)
    postcode = column("postcode").str.upper().str.replace(r"\s+", "", regex=True)
    out["postcode"] = postcode
    out["postcode_sector"] = postcode.str.slice(0, -2)
    out["postcode_district"] = postcode.str.slice(0, -3)
    out["town"] = column("town").map(_ascii_lower)
    for name in IDENTIFIERS:
        out[name] = column(name).str.upper().str.replace(r"\s+", "", regex=True)
    out["unique_id"] = [f"{side}:{i}" for i in range(len(out))]
    out = out.replace("", None)
    return out[list(PREPARED_COLUMNS)].reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Training and the model file.


@dataclass(frozen=True)
class LinkageModel:
    """Splink's trained settings and JointCase's metadata about them."""

    settings: dict[str, Any]
    metadata: dict[str, Any]

    @property
    def match_share(self) -> float:
        return float(self.metadata["match_share"])

    def settings_for(self, register_rows: int) -> dict[str, Any]:
        """The trained settings with the prior for a register of this many rows."""
        settings = copy.deepcopy(self.settings)
        prior = min(self.match_share / max(register_rows, 1), 0.5)
        settings["probability_two_random_records_match"] = prior
        return settings

    def to_json(self) -> str:
        payload = {"jointcase": self.metadata, "splink_settings": self.settings}
        return json.dumps(payload, indent=1, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> LinkageModel:
        payload = json.loads(text)
        metadata = payload["jointcase"]
        if metadata.get("format") != MODEL_FORMAT:
            raise ValueError(f"Unsupported linkage model format {metadata.get('format')!r}")
        return cls(settings=payload["splink_settings"], metadata=metadata)


def model_load(path: Path | None = None) -> LinkageModel:
    return LinkageModel.from_json((path or MODEL_PATH).read_text(encoding="utf-8"))


def _linker(incoming: pd.DataFrame, register: pd.DataFrame, settings: Mapping[str, Any]) -> Any:
    from splink import DuckDBAPI, Linker

    return Linker(
        [incoming, register],
        dict(settings),
        db_api=DuckDBAPI(),
        input_table_aliases=["incoming", "register"],
    )


def _untrained_levels_neutral(settings: dict[str, Any]) -> None:
    """A level the training data never showed among matches weighs nothing either way (m = u)
    rather than Splink's default guess."""
    for comparison in settings["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            if level.get("m_probability") is None and level.get("u_probability") is not None:
                level["m_probability"] = level["u_probability"]


def link_train(
    incoming: pd.DataFrame, register: pd.DataFrame, *, seed: int = 1, description: str = ""
) -> LinkageModel:
    """Train on raw incoming records and register rows (never real people): u by random
    sampling, the prior from deterministic identifier rules, m by expectation maximisation in
    two sessions blocked on different fields so every comparison is estimated once."""
    import logging

    for name in ("splink", "splink.internals"):
        logging.getLogger(name).setLevel(logging.ERROR)
    left = records_prepare(incoming, side="incoming")
    right = records_prepare(register, side="register")
    linker = _linker(left, right, settings_untrained())
    linker.training.estimate_probability_two_random_records_match(
        [
            "l.pnc_id = r.pnc_id",
            "l.crn = r.crn",
            "l.prison_number = r.prison_number",
            "l.given_name = r.given_name and l.surname = r.surname "
            "and l.date_of_birth = r.date_of_birth",
        ],
        recall=0.9,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=3e6, seed=seed)
    # Blocked on an identifier, nearly every pair is a true match whatever the names say, so
    # twins (same family name, date of birth and address) do not pass for matches.
    for rule in ("l.pnc_id = r.pnc_id", "l.crn = r.crn"):
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, fix_u_probabilities=True
        )
    settings = linker.misc.save_model_to_json()
    _untrained_levels_neutral(settings)
    prior = float(settings["probability_two_random_records_match"])
    metadata = {
        "format": MODEL_FORMAT,
        "trained_on": dt.date.today().isoformat(),
        "splink_version": version("splink"),
        "training_records": len(left),
        "training_register_rows": len(right),
        "match_share": min(prior * len(right), 1.0),
        "description": description,
    }
    return LinkageModel(settings=settings, metadata=metadata)


# ---------------------------------------------------------------------------------------------
# Prediction and classification.


#: Match weight (log2 of the Bayes factor) by which the best person must beat a runner-up that
#: also reaches the upper threshold: 5 means 32 times more likely.
AMBIGUITY_MARGIN_WEIGHT = 5.0


@dataclass(frozen=True)
class Candidate:
    """One register person an incoming record may be."""

    source_record_id: str
    person_id: str
    match_probability: float
    match_weight: float
    levels: dict[str, str]
    possible_twin: bool

    @property
    def agreeing(self) -> list[str]:
        return [name for name, label in self.levels.items() if label not in ("disagree", "missing")]


@dataclass(frozen=True)
class Decision:
    """What happens to one incoming record: link to a person, review, or a new person."""

    source_record_id: str
    outcome: Outcome
    person_id: str | None
    match_probability: float
    possible_twin: bool
    candidates: list[Candidate] = field(default_factory=list)


def _gamma_labels(settings: Mapping[str, Any]) -> dict[str, dict[int, str]]:
    labels: dict[str, dict[int, str]] = {}
    for comparison in settings["comparisons"]:
        levels = comparison["comparison_levels"]
        counted = [level for level in levels if not level.get("is_null_level")]
        mapping = {-1: "missing"}
        for position, level in enumerate(counted):
            mapping[len(counted) - 1 - position] = level["label_for_charts"]
        labels[comparison["output_column_name"]] = mapping
    return labels


def splink_predict(
    incoming: pd.DataFrame, register: pd.DataFrame, settings: Mapping[str, Any], threshold: float
) -> pd.DataFrame:
    """Plain Splink on prepared tables: every blocked pair at or above ``threshold``."""
    linker = _linker(incoming, register, settings)
    frame = linker.inference.predict(threshold_match_probability=threshold)
    result = frame.as_pandas_dataframe()
    frame.drop_table_from_database_and_remove_from_cache()
    return result


def link_predict(
    incoming: pd.DataFrame,
    register: pd.DataFrame,
    model: LinkageModel | None = None,
    *,
    threshold: float | None = None,
    prepared_register: pd.DataFrame | None = None,
) -> list[Candidate]:
    """Every (incoming record, register person) pair at or above ``threshold`` (by default the
    lower linkage threshold), best first per record; one candidate per person (the best of
    its names and addresses)."""
    from django.conf import settings as django_settings

    model = model or model_load()
    threshold = django_settings.JOINTCASE_LINK_LOWER if threshold is None else threshold
    left = records_prepare(incoming, side="incoming")
    right = (
        prepared_register
        if prepared_register is not None
        else records_prepare(register, side="register")
    )
    people = right["person_id"].nunique()
    splink_settings = model.settings_for(people)
    pairs = splink_predict(left, right, splink_settings, threshold)
    return candidates_from_pairs(pairs, splink_settings)


def candidates_from_pairs(pairs: pd.DataFrame, settings: Mapping[str, Any]) -> list[Candidate]:
    if pairs.empty:
        return []
    labels = _gamma_labels(settings)
    incoming_left = pairs["source_dataset_l"] == "incoming"
    record = pairs["source_record_id_l"].where(incoming_left, pairs["source_record_id_r"])
    person = pairs["person_id_r"].where(incoming_left, pairs["person_id_l"])
    pairs = pairs.assign(record_key=record, person_key=person)
    pairs = pairs.sort_values("match_weight", ascending=False)
    pairs = pairs.drop_duplicates(["record_key", "person_key"])
    candidates = []
    for row in pairs.itertuples(index=False):
        values = row._asdict()
        levels = {
            name: mapping.get(int(values[f"gamma_{name}"]), "disagree")
            for name, mapping in labels.items()
        }
        twin = bool(
            values["surname_l"] is not None
            and values["surname_l"] == values["surname_r"]
            and values["date_of_birth_l"] is not None
            and values["date_of_birth_l"] == values["date_of_birth_r"]
            and levels["given_name"] == "disagree"
            and not any(levels[name] == "exact" for name in IDENTIFIERS)
        )
        candidates.append(
            Candidate(
                source_record_id=str(values["record_key"]),
                person_id=str(values["person_key"]),
                match_probability=float(values["match_probability"]),
                match_weight=float(values["match_weight"]),
                levels=levels,
                possible_twin=twin,
            )
        )
    return candidates


def link_classify(
    source_record_ids: Iterable[str],
    candidates: Iterable[Candidate],
    *,
    upper: float | None = None,
    lower: float | None = None,
) -> list[Decision]:
    """Link when the best person reaches ``upper``, is not a possible twin of the record and
    no other person comes close (another person also at ``upper`` must be at least
    ``AMBIGUITY_MARGIN_WEIGHT`` below in match weight); otherwise review from ``lower`` up;
    a new person below ``lower``. A record whose candidates include a twin is flagged for the
    reviewer either way."""
    from django.conf import settings as django_settings

    upper = django_settings.JOINTCASE_LINK_UPPER if upper is None else upper
    lower = django_settings.JOINTCASE_LINK_LOWER if lower is None else lower
    by_record: dict[str, list[Candidate]] = {}
    for candidate in candidates:
        by_record.setdefault(candidate.source_record_id, []).append(candidate)
    decisions = []
    for record_id in source_record_ids:
        ranked = sorted(
            (c for c in by_record.get(record_id, []) if c.match_probability >= lower),
            key=lambda c: c.match_weight,
            reverse=True,
        )
        twin = any(c.possible_twin for c in by_record.get(record_id, []))
        if not ranked:
            decisions.append(Decision(record_id, "new", None, 0.0, twin, []))
            continue
        best, runner_up = ranked[0], (ranked[1] if len(ranked) > 1 else None)
        clear = runner_up is None or (
            runner_up.match_probability < upper
            or best.match_weight - runner_up.match_weight >= AMBIGUITY_MARGIN_WEIGHT
        )
        sure = best.match_probability >= upper and clear and not best.possible_twin
        outcome: Outcome = "link" if sure else "review"
        decisions.append(
            Decision(record_id, outcome, best.person_id, best.match_probability, twin, ranked)
        )
    return decisions


def pairwise_quality(
    predicted: Iterable[tuple[str, str]], truth: Iterable[tuple[str, str]]
) -> tuple[float, float]:
    """Pairwise precision and recall of (record, person) links against the true pairs."""
    predicted_set, truth_set = set(predicted), set(truth)
    right = len(predicted_set & truth_set)
    precision = right / len(predicted_set) if predicted_set else 1.0
    recall = right / len(truth_set) if truth_set else 1.0
    return precision, recall
