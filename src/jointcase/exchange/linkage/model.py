"""The record-linkage model: Splink (Fellegi-Sunter), pure and free of Django models. Training
and live matching run on DuckDB; a batch (``link_predict``) runs on the engine the settings
name, DuckDB or Spark (``engines.py``), from the same model file.

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
import functools
import json
import logging
import math
import operator
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from django.conf import settings as django_settings

from jointcase.people.search.names import nickname_table

if TYPE_CHECKING:
    from jointcase.exchange.linkage.engines import EngineRun, LinkageEngine

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


@dataclass(frozen=True)
class SqlDialect:
    """How the comparisons' SQL is spelled for one engine. The model file holds the DuckDB
    spelling (the engine it was trained on); ``settings_in_dialect`` rewrites it for another
    engine from the same comparisons, so one trained file drives both."""

    name: str
    quote: str
    jaro_winkler: str
    #: SQL true when the two space-separated word lists share a word (``{left}``, ``{right}``).
    words_overlap: str

    def column(self, name: str) -> str:
        return f"{self.quote}{name}{self.quote}"


DUCKDB_SQL = SqlDialect(
    name="duckdb",
    quote='"',
    jaro_winkler="jaro_winkler_similarity",
    words_overlap="list_has_any(string_split({left}, ' '), string_split({right}, ' '))",
)
#: Spark SQL: no double-quoted identifiers; Jaro-Winkler and Damerau-Levenshtein are the
#: functions of the similarity jar that ships with Splink (registered by Splink's SparkAPI).
SPARK_SQL = SqlDialect(
    name="spark",
    quote="`",
    jaro_winkler="jaro_winkler",
    words_overlap="arrays_overlap(split({left}, ' '), split({right}, ' '))",
)
DIALECTS = {dialect.name: dialect for dialect in (DUCKDB_SQL, SPARK_SQL)}


def _level(sql: str, label: str, **extra: Any) -> dict[str, Any]:
    return {"sql_condition": sql, "label_for_charts": label, **extra}


def _else() -> dict[str, Any]:
    return _level("ELSE", "disagree")


@dataclass(frozen=True)
class _Levels:
    """Comparison levels' conditions on the two sides of a pair, spelled for one dialect."""

    d: SqlDialect

    def c(self, name: str, side: str) -> str:
        return self.d.column(f"{name}_{side}")

    def null(self, name: str) -> dict[str, Any]:
        sql = f"{self.c(name, 'l')} is null or {self.c(name, 'r')} is null"
        return _level(sql, "missing", is_null_level=True)

    def jaro_winkler(self, name: str, threshold: float) -> dict[str, Any]:
        return _level(
            f"{self.d.jaro_winkler}({self.c(name, 'l')}, {self.c(name, 'r')}) >= {threshold}",
            f"similar ({threshold})",
        )

    def same(self, name: str, other: str | None = None) -> str:
        return f"{self.c(name, 'l')} = {self.c(other or name, 'r')}"

    def exact_with_frequency(self, name: str) -> dict[str, Any]:
        return _level(self.same(name), "exact", tf_adjustment_column=name, tf_adjustment_weight=1.0)

    def swapped(self, name: str, other: str) -> dict[str, Any]:
        """The name given in the other name's place (given and family names swapped)."""
        return _level(
            f"{self.same(name, other)} or {self.c(other, 'l')} = {self.c(name, 'r')}", "swapped"
        )


def _surname(x: _Levels) -> dict[str, Any]:
    return {
        "output_column_name": "surname",
        "comparison_levels": [
            x.null("surname"),
            x.exact_with_frequency("surname"),
            x.jaro_winkler("surname", 0.92),
            x.swapped("surname", "given_name"),
            x.jaro_winkler("surname", 0.8),
            _else(),
        ],
    }


def _given_name(x: _Levels) -> dict[str, Any]:
    variant = x.d.words_overlap.format(
        left=x.c("given_canonical", "l"), right=x.c("given_canonical", "r")
    )
    return {
        "output_column_name": "given_name",
        "comparison_levels": [
            x.null("given_name"),
            x.exact_with_frequency("given_name"),
            _level(variant, "nickname or variant"),
            x.jaro_winkler("given_name", 0.92),
            x.swapped("given_name", "surname"),
            x.jaro_winkler("given_name", 0.8),
            _else(),
        ],
    }


def _date_of_birth(x: _Levels) -> dict[str, Any]:
    dob_l, dob_r = x.c("date_of_birth", "l"), x.c("date_of_birth", "r")
    day_month_swap = (
        f"substr({dob_l}, 1, 4) = substr({dob_r}, 1, 4) and "
        f"substr({dob_l}, 6, 2) = substr({dob_r}, 9, 2) and "
        f"substr({dob_l}, 9, 2) = substr({dob_r}, 6, 2)"
    )
    year_one_out = (
        f"substr({dob_l}, 6, 5) = substr({dob_r}, 6, 5) and "
        f"abs(cast({x.c('birth_year', 'l')} as integer) - "
        f"cast({x.c('birth_year', 'r')} as integer)) <= 1"
    )
    return {
        "output_column_name": "date_of_birth",
        "comparison_levels": [
            x.null("date_of_birth"),
            _level(x.same("date_of_birth"), "exact"),
            _level(day_month_swap, "day and month swapped"),
            _level(year_one_out, "year one out"),
            _level(f"damerau_levenshtein({dob_l}, {dob_r}) <= 1", "one digit"),
            _else(),
        ],
    }


def _address(x: _Levels) -> dict[str, Any]:
    return {
        "output_column_name": "address",
        "comparison_levels": [
            x.null("postcode"),
            _level(x.same("postcode"), "same postcode"),
            _level(x.same("postcode_sector"), "same postcode sector"),
            _level(x.same("town"), "same town"),
            _else(),
        ],
    }


def _identifier(x: _Levels, name: str) -> dict[str, Any]:
    return {
        "output_column_name": name,
        "comparison_levels": [x.null(name), _level(x.same(name), "exact"), _else()],
    }


def _comparisons(d: SqlDialect = DUCKDB_SQL) -> list[dict[str, Any]]:
    x = _Levels(d)
    identifiers = [_identifier(x, name) for name in IDENTIFIERS]
    return [_surname(x), _given_name(x), _date_of_birth(x), _address(x), *identifiers]


def settings_in_dialect(settings: Mapping[str, Any], dialect: SqlDialect) -> dict[str, Any]:
    """Trained settings (DuckDB SQL, as the model file holds them) with every comparison
    level's condition spelled for ``dialect``; the trained m and u probabilities, the labels
    and the term-frequency adjustments stay as they are. Refuses a model file whose
    conditions are not the ones this code writes (a model trained on other comparisons):
    retrain it. Blocking rules are plain equalities that Splink translates itself."""
    out = copy.deepcopy(dict(settings))
    if dialect == DUCKDB_SQL:
        return out
    written, wanted = _comparisons(DUCKDB_SQL), _comparisons(dialect)
    held = out["comparisons"]
    if [len(c["comparison_levels"]) for c in held] != [
        len(c["comparison_levels"]) for c in written
    ]:
        raise ValueError("The linkage model's comparisons are not this code's: retrain it.")
    for comparison, duckdb_comparison, target in zip(held, written, wanted, strict=True):
        levels = zip(
            comparison["comparison_levels"],
            duckdb_comparison["comparison_levels"],
            target["comparison_levels"],
            strict=True,
        )
        for level, duckdb_level, target_level in levels:
            if level["sql_condition"] != duckdb_level["sql_condition"]:
                raise ValueError(
                    "The linkage model's comparison "
                    f"{comparison.get('output_column_name')!r} is not this code's "
                    f"({level['sql_condition']!r}): retrain it (jointcase link train)."
                )
            level["sql_condition"] = target_level["sql_condition"]
    out["sql_dialect"] = dialect.name
    return out


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


_RAW_COLUMNS = (
    "person_id",
    "source",
    "source_record_id",
    "given_names",
    "surname",
    "date_of_birth",
    "town",
    "postcode",
    *IDENTIFIERS,
)


def _words(column: str) -> str:
    """SQL: lower-case ASCII words (Zoë -> zoe, O'Brien -> obrien, other non-letters a space)."""
    return (
        f"trim(regexp_replace(replace(lower(strip_accents({column})), '''', ''), "
        "'[^a-z]+', ' ', 'g'))"
    )


def _compact(column: str) -> str:
    return f"upper(replace(replace(replace({column}, ' ', ''), chr(9), ''), chr(10), ''))"


def _prepare_sql(raw: str, *, ordered: bool = True) -> str:
    """The preparation of the raw records in table ``raw`` (a name from this module, never
    input, with the records' ``row_number``), joined to the nickname table; the one value
    (the side) is bound as a parameter. ``ordered``: the rows in the records' order (a table
    Splink reads needs none)."""
    given_canonical = "coalesce(nicknames.given_canonical, prepared.given_name)"
    columns = ", ".join(
        f"{given_canonical} as given_canonical" if name == "given_canonical" else f"prepared.{name}"
        for name in PREPARED_COLUMNS
    )
    return f"""
with words as (
    select
        row_number, person_id, source, source_record_id,
        {_words("given_names")} as given_words,
        {_words("surname")} as surname,
        left(trim(date_of_birth), 10) as date_of_birth,
        lower(trim(town)) as town,
        {_compact("postcode")} as postcode,
        {", ".join(f"{_compact(name)} as {name}" for name in IDENTIFIERS)}
    from {raw}
),
prepared as (
    select
        row_number,
        $side || ':' || row_number as unique_id,
        nullif(person_id, '') as person_id,
        nullif(source, '') as source,
        nullif(source_record_id, '') as source_record_id,
        nullif(split_part(given_words, ' ', 1), '') as given_name,
        nullif(surname, '') as surname,
        nullif(date_of_birth, '') as date_of_birth,
        nullif(left(date_of_birth, 4), '') as birth_year,
        nullif(postcode, '') as postcode,
        nullif(left(postcode, greatest(length(postcode) - 2, 0)), '') as postcode_sector,
        nullif(left(postcode, greatest(length(postcode) - 3, 0)), '') as postcode_district,
        nullif(town, '') as town,
        {", ".join(f"nullif({name}, '') as {name}" for name in IDENTIFIERS)}
    from words
)
select {columns}
from prepared
left join {_NICKNAMES} as nicknames on nicknames.given_name = prepared.given_name
{"order by prepared.row_number" if ordered else ""}
"""  # noqa: S608 (table and column names from this module)


#: The name under which a preparation reads the nickname table (``_nicknames_frame``).
_NICKNAMES = "jointcase_nicknames"


@functools.cache
def _nicknames_frame() -> pd.DataFrame:
    """Every name word with known variants and its canonical forms, space separated ("chris"
    -> "christian christina christine christopher"); a name not in it stands for itself."""
    table = nickname_table()
    return pd.DataFrame(
        {
            "given_name": pd.Series(list(table), dtype=str),
            "given_canonical": pd.Series(
                [" ".join(sorted(forms)) for forms in table.values()], dtype=str
            ),
        }
    )


def _duckdb_connect() -> Any:
    """A new in-memory DuckDB database."""
    import duckdb  # noqa: PLC0415 - optional duckdb

    return duckdb.connect()


@functools.cache
def _prepare_database() -> Any:
    """One in-memory DuckDB database for preparing records (opening one costs tens of
    milliseconds); each preparation works in its own cursor, which is safe across threads."""
    import duckdb  # noqa: PLC0415 - optional duckdb

    return duckdb.connect()


def parquet_read(path: Path) -> pd.DataFrame:
    """A Parquet file as a frame, read by DuckDB (no pyarrow needed)."""
    with _prepare_database().cursor() as cursor:
        return cursor.read_parquet(str(path)).df()


def parquet_write(frame: pd.DataFrame, path: Path) -> None:
    """A frame written to a Parquet file by DuckDB (no pyarrow needed)."""
    with _prepare_database().cursor() as cursor:
        cursor.register("frame", frame)
        cursor.execute(f"copy frame to '{_sql_text(str(path))}' (format parquet)")


def _sql_text(text: str) -> str:
    return text.replace("'", "''")


def _raw_frame(records: pd.DataFrame, side: str) -> pd.DataFrame:
    raw = records.reindex(columns=list(_RAW_COLUMNS), fill_value="").fillna("").astype(str)
    if side != "register":
        raw["person_id"] = ""
    raw["row_number"] = np.arange(len(raw), dtype=np.int64)
    return raw


def records_prepare(records: pd.DataFrame, *, side: str) -> pd.DataFrame:
    """Records in the import format (or register rows with ``person_id``) in the normal form:
    lower-case ASCII names, first given name and its canonical forms, ISO dates, compact
    postcodes and their sector, identifiers upper case without spaces; empty values as null.
    ``side`` names the table ("incoming" or "register") and prefixes the unique ids. The work
    is done in DuckDB, column at a time, so that preparing a large register stays cheap."""
    with _prepare_database().cursor() as cursor:
        cursor.register("raw", _raw_frame(records, side))
        cursor.register(_NICKNAMES, _nicknames_frame())
        return cursor.execute(_prepare_sql("raw"), {"side": side}).df()


@dataclass(frozen=True)
class RawRecords:
    """Records in the import format that the engine of a linkage prepares itself, where it
    links them (``EngineRun.table``); ``side`` as for ``records_prepare``."""

    frame: pd.DataFrame
    side: str


def records_prepare_into(connection: Any, records: pd.DataFrame, *, side: str, table: str) -> None:
    """``records_prepare`` into a new table ``table`` (a name from the caller's code, never
    input) of the DuckDB ``connection``, a linkage's own database, where Splink then reads
    it: the prepared rows are not turned into a frame only to be read back."""
    raw = f"{table}_raw"
    connection.register(raw, _raw_frame(records, side))
    connection.register(_NICKNAMES, _nicknames_frame())
    try:
        sql = _prepare_sql(raw, ordered=False)
        connection.execute(f"create table {table} as {sql}", {"side": side})
    finally:
        connection.unregister(raw)


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


def _linker(
    incoming: pd.DataFrame | Path | RawRecords,
    register: pd.DataFrame | Path | RawRecords,
    settings: Mapping[str, Any],
    *,
    run: EngineRun | None = None,
    dialect: SqlDialect = DUCKDB_SQL,
) -> Any:
    """A link-only Splink linker of the two prepared tables, in an engine ``run`` (a new
    DuckDB database when none) with the settings' SQL spelled in the engine's ``dialect``."""
    from splink import DuckDBAPI, Linker  # noqa: PLC0415 - optional splink

    db_api = run.db_api if run is not None else DuckDBAPI()
    if run is not None:
        tables = [run.table(incoming), run.table(register)]
    else:
        tables = [_frame_of(t) for t in (incoming, register)]
    return Linker(
        tables,
        settings_in_dialect(settings, dialect),
        db_api=db_api,
        input_table_aliases=["incoming", "register"],
        # Splink's timings at INFO on stderr are for notebooks; JointCase logs its own.
        set_up_basic_logging=False,
    )


def _frame_of(table: pd.DataFrame | Path | RawRecords) -> pd.DataFrame:
    if isinstance(table, RawRecords):
        return records_prepare(table.frame, side=table.side)
    return parquet_read(table) if isinstance(table, Path) else table


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


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class Decision:
    """What happens to one incoming record: link to a person, review, or a new person."""

    source_record_id: str
    outcome: Outcome
    person_id: str | None
    match_probability: float
    possible_twin: bool
    candidates: tuple[Candidate, ...] = ()


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


def link_predict(
    incoming: pd.DataFrame,
    register: pd.DataFrame,
    model: LinkageModel | None = None,
    *,
    threshold: float | None = None,
    prepared_register: pd.DataFrame | None = None,
    engine: LinkageEngine | None = None,
) -> list[Candidate]:
    """Every (incoming record, register person) pair at or above ``threshold`` (by default the
    lower linkage threshold), best first per record; one candidate per person (the best of
    its names and addresses). Runs on ``engine``, by default the one the settings name
    (``JOINTCASE_LINK_BACKEND``): the same model and the same pairs on DuckDB or Spark. The
    engine prepares the records itself (on DuckDB, straight into the linkage's database)."""

    if prepared_register is None:
        right: pd.DataFrame | RawRecords = RawRecords(register, "register")
        people = _people_count(register)
    else:
        right, people = prepared_register, _people_count(prepared_register)
    return _predict(
        RawRecords(incoming, "incoming"),
        right,
        model,
        people=people,
        threshold=threshold,
        engine=engine,
    )


def _people_count(register: pd.DataFrame) -> int:
    """The register people in register rows, raw or prepared (an empty id is no one)."""
    ids = register["person_id"]
    ids = ids[ids.notna()].astype(str)
    return int(ids[ids != ""].nunique())


def link_predict_prepared(
    incoming: pd.DataFrame | Path,
    register: pd.DataFrame | Path,
    model: LinkageModel | None = None,
    *,
    people: int,
    threshold: float | None = None,
    engine: LinkageEngine | None = None,
) -> list[Candidate]:
    """``link_predict`` on records already in the normal form (``records_prepare``), each
    side a frame or a Parquet file the engine reads itself (Spark with ``spark.read``, for
    extracts too large to pass through the process); ``people`` is the number of register
    people (the prior depends on it)."""
    return _predict(incoming, register, model, people=people, threshold=threshold, engine=engine)


def _predict(
    incoming: pd.DataFrame | Path | RawRecords,
    register: pd.DataFrame | Path | RawRecords,
    model: LinkageModel | None,
    *,
    people: int,
    threshold: float | None,
    engine: LinkageEngine | None,
) -> list[Candidate]:
    from jointcase.exchange.linkage.engines import engine_get  # noqa: PLC0415 - cycle: engines imports model

    engine = engine or engine_get()
    model = model or model_load()
    threshold = django_settings.JOINTCASE_LINK_LOWER if threshold is None else threshold
    splink_settings = model.settings_for(people)
    with engine.run() as run:
        linker = _linker(incoming, register, splink_settings, run=run, dialect=engine.dialect)
        # The settings do not change during a prediction: what Splink derives from them by
        # parsing their SQL is worked out once rather than at each of its steps.
        _settings_freeze(linker._settings_obj)
        frame = linker.inference.predict(threshold_match_probability=threshold)
        pairs = _pairs_fetch(
            linker,
            frame,
            splink_settings,
            incoming_left="source_dataset_l = 'incoming'",
            dialect=engine.dialect,
            connection=getattr(run, "connection", None),
        )
    return candidates_from_pairs(pairs, splink_settings)


def _pairs_fetch(
    linker: Any,
    frame: Any,
    settings: Mapping[str, Any],
    *,
    incoming_left: str,
    dialect: SqlDialect = DUCKDB_SQL,
    connection: Any = None,
) -> dict[str, np.ndarray]:
    """From Splink's predictions (still in the engine), only what a candidate needs: the best
    pair per (incoming record, register person) with its match weight and probability, the
    level each comparison reached, and whether the person may be the record's twin (same
    surname and date of birth, given names that disagree, no identifier in common).
    ``incoming_left`` is the SQL saying the incoming record is on the left of a pair. DuckDB
    keeps the best pair with ``qualify`` (about 7% faster end to end); Spark, which has no
    ``qualify``, with the same window in a subquery. The pairs come as columns (``record_key``,
    ``person_key``, ``match_probability``, ``match_weight``, ``gamma_<comparison>``,
    ``possible_twin``), fetched straight from the DuckDB ``connection`` the predictions are in
    when there is one (rather than through a table and a frame)."""
    names = [comparison["output_column_name"] for comparison in settings["comparisons"]]
    gammas = ", ".join(f"gamma_{name}" for name in names)
    no_identifier = " and ".join(f"coalesce(gamma_{name}, 0) != 1" for name in IDENTIFIERS)
    columns = f"""
        case when {incoming_left} then source_record_id_l else source_record_id_r end
            as record_key,
        case when {incoming_left} then person_id_r else person_id_l end as person_key,
        match_probability,
        match_weight,
        {gammas},
        coalesce(
            surname_l = surname_r and date_of_birth_l = date_of_birth_r
            and gamma_given_name = 0 and {no_identifier},
            false
        ) as possible_twin"""
    best = "row_number() over (partition by record_key, person_key order by match_weight desc)"
    if dialect.name == DUCKDB_SQL.name:
        sql = f"""
            select {columns}
            from {frame.physical_name}
            qualify {best} = 1
            order by record_key, match_weight desc
        """  # noqa: S608 (names from the model's own settings)
    else:
        sql = f"""
            select record_key, person_key, match_probability, match_weight, {gammas},
                possible_twin
            from (
                select *, {best} as pair_rank
                from (select {columns} from {frame.physical_name}) as pairs
            ) as ranked
            where pair_rank = 1
            order by record_key, match_weight desc
        """  # noqa: S608 (names from the model's own settings)
    fetched: dict[str, np.ndarray]
    if connection is not None:
        fetched = dict(connection.execute(sql).fetchnumpy())
    else:
        pairs = linker.misc.query_sql(sql, output_type="pandas")
        fetched = {str(name): pairs[name].to_numpy() for name in pairs.columns}
    frame.drop_table_from_database_and_remove_from_cache()
    return fetched


def candidates_from_pairs(
    pairs: Mapping[str, np.ndarray], settings: Mapping[str, Any]
) -> list[Candidate]:
    """Candidates from the columns ``_pairs_fetch`` returns, best first per record. Candidates
    whose comparisons reached the same levels share one ``levels`` mapping (a batch has a
    few hundred distinct ones among thousands of pairs), which nothing changes."""
    if not len(pairs["record_key"]):
        return []
    labels = _gamma_labels(settings)
    names = list(labels)
    gammas = np.column_stack([np.asarray(pairs[f"gamma_{name}"], dtype=np.int64) for name in names])
    distinct, which = np.unique(gammas, axis=0, return_inverse=True)
    shared = [
        {name: labels[name].get(gamma, "disagree") for name, gamma in zip(names, row, strict=True)}
        for row in distinct.tolist()
    ]
    return [
        Candidate(
            source_record_id=str(record_id),
            person_id=str(person_id),
            match_probability=probability,
            match_weight=weight,
            levels=shared[index],
            possible_twin=twin,
        )
        for record_id, person_id, probability, weight, index, twin in zip(
            pairs["record_key"].tolist(),
            pairs["person_key"].tolist(),
            np.asarray(pairs["match_probability"], dtype=float).tolist(),
            np.asarray(pairs["match_weight"], dtype=float).tolist(),
            which.ravel().tolist(),
            np.asarray(pairs["possible_twin"], dtype=bool).tolist(),
            strict=True,
        )
    ]


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

    upper = django_settings.JOINTCASE_LINK_UPPER if upper is None else upper
    lower = django_settings.JOINTCASE_LINK_LOWER if lower is None else lower
    # Most records have one candidate or none: only those with more get a list.
    first: dict[str, Candidate] = {}
    more: dict[str, list[Candidate]] = {}
    for candidate in candidates:
        record_id = candidate.source_record_id
        if record_id not in first:
            first[record_id] = candidate
        elif record_id in more:
            more[record_id].append(candidate)
        else:
            more[record_id] = [first[record_id], candidate]
    decisions = []
    for record_id in source_record_ids:
        only = first.get(record_id)
        if only is None:
            decisions.append(Decision(record_id, "new", None, 0.0, False))
        else:
            decisions.append(_decide(record_id, more.get(record_id) or (only,), upper, lower))
    return decisions


_BY_WEIGHT = operator.attrgetter("match_weight")


def _decide(record_id: str, held: Sequence[Candidate], upper: float, lower: float) -> Decision:
    """``link_classify``'s decision for one record with candidates."""
    if len(held) == 1:
        ranked = tuple(held) if held[0].match_probability >= lower else ()
    else:
        kept = [c for c in held if c.match_probability >= lower]
        ranked = tuple(sorted(kept, key=_BY_WEIGHT, reverse=True))
    twin = any(c.possible_twin for c in held)
    if not ranked:
        return Decision(record_id, "new", None, 0.0, twin)
    best, runner_up = ranked[0], (ranked[1] if len(ranked) > 1 else None)
    clear = runner_up is None or (
        runner_up.match_probability < upper
        or best.match_weight - runner_up.match_weight >= AMBIGUITY_MARGIN_WEIGHT
    )
    sure = best.match_probability >= upper and clear and not best.possible_twin
    outcome: Outcome = "link" if sure else "review"
    return Decision(record_id, outcome, best.person_id, best.match_probability, twin, ranked)


def pairwise_quality(
    predicted: Iterable[tuple[str, str]], truth: Iterable[tuple[str, str]]
) -> tuple[float, float]:
    """Pairwise precision and recall of (record, person) links against the true pairs."""
    predicted_set, truth_set = set(predicted), set(truth)
    right = len(predicted_set & truth_set)
    precision = right / len(predicted_set) if predicted_set else 1.0
    recall = right / len(truth_set) if truth_set else 1.0
    return precision, recall


class RegisterMatcher:
    """Live matching: the register prepared and loaded into DuckDB once, with its term
    frequencies, then any number of incoming records matched against it with Splink's
    ``find_matches_to_new_records`` (the same comparisons, blocking rules and prior as
    ``link_predict``). Build a new matcher when the register has changed."""

    def __init__(self, register: pd.DataFrame, model: LinkageModel | None = None) -> None:
        from splink import DuckDBAPI, Linker  # noqa: PLC0415 - optional splink

        self.model = model or model_load()
        self.register = records_prepare(register, side="register")
        settings = self.model.settings_for(int(self.register["person_id"].nunique()))
        settings["link_type"] = "dedupe_only"
        settings.pop("source_dataset_column_name", None)
        self.settings = settings
        self._connection = _duckdb_connect()
        self._linker = Linker(
            self.register,
            settings,
            db_api=DuckDBAPI(connection=self._connection),
            set_up_basic_logging=False,
        )
        (self._table,) = self._linker._input_tables_dict
        self._rows_made = len(self.register)
        _settings_freeze(self._linker._settings_obj)
        self._frequencies_compute()

    def _frequencies_compute(self) -> None:
        for column in ("surname", "given_name"):
            self._linker.table_management.compute_tf_table(column)

    def update(self, register: pd.DataFrame, person_ids: Collection[str]) -> None:
        """Bring the matcher up to date with the people ``person_ids`` (public ids), who were
        added, changed or removed: their rows now are ``register`` (in ``register_frame``'s
        form; a person without rows is gone). The rest of the register is kept as prepared;
        the term frequencies and the prior are worked out again for the register as it now
        is, so a match afterwards is the one a matcher built afresh would make, in a
        fraction of the time."""
        prepared = records_prepare(register, side="register")
        made = self._rows_made
        prepared["unique_id"] = [f"register:{made + i + 1}" for i in range(len(prepared))]
        self._rows_made += len(prepared)
        kept = self.register[~self.register["person_id"].isin(set(person_ids))]
        self.register = (
            pd.concat([kept, prepared], ignore_index=True)
            if len(prepared)
            else kept.reset_index(drop=True)
        )
        linker = self._linker
        linker.table_management.invalidate_cache()
        linker._db_api.register_table(self.register, self._table, overwrite=True)
        people = int(self.register["person_id"].nunique())
        prior = self.model.settings_for(people)["probability_two_random_records_match"]
        linker._settings_obj.core_model_settings.probability_two_random_records_match = prior
        self._frequencies_compute()

    def match(self, incoming: pd.DataFrame, *, threshold: float | None = None) -> list[Candidate]:
        """Candidates at or above ``threshold`` (by default the lower linkage threshold)."""

        threshold = django_settings.JOINTCASE_LINK_LOWER if threshold is None else threshold
        records = records_prepare(incoming, side="incoming")
        weight = _match_weight(threshold)
        frame = self._linker.inference.find_matches_to_new_records(
            records, blocking_rules=list(BLOCKING_RULES), match_weight_threshold=weight
        )
        pairs = _pairs_fetch(
            self._linker,
            frame,
            self.settings,
            incoming_left="false",
            connection=self._connection,
        )
        return candidates_from_pairs(pairs, self.settings)


#: Splink derives these from the settings by parsing their SQL with sqlglot on every call,
#: which is most of the time a single-record match takes, and a fifth of a batch's; the
#: settings of a matcher, and of a batch linker once built, never change, so each is worked
#: out once.
_SETTINGS_DERIVED = (
    "_additional_column_names_to_retain",
    "_additional_columns_to_retain",
    "_term_frequency_columns",
    "_columns_used_by_comparisons",
    "_columns_to_select_for_blocking",
    "_columns_to_select_for_comparison_vector_values",
)


def _freeze(obj: Any, names: Iterable[str]) -> None:
    """Each of ``names`` (properties of ``obj``'s class) worked out once for this object."""
    base = type(obj)
    cached = {name: functools.cached_property(getattr(base, name).fget) for name in names}
    obj.__class__ = type(f"Frozen{base.__name__}", (base,), cached)


def _settings_freeze(settings_obj: Any) -> None:
    _freeze(settings_obj, _SETTINGS_DERIVED)
    for comparison in settings_obj.comparisons:
        for level in comparison.comparison_levels:
            _freeze(level, ("_input_columns_used_by_sql_condition",))


def _match_weight(probability: float) -> float:
    """The match weight (prior included, as Splink reports it) of ``probability``, a hair
    lower so that Splink's strict filter keeps a pair exactly at it."""

    clipped = min(max(probability, 1e-12), 1 - 1e-12)
    return math.log2(clipped / (1 - clipped)) - 1e-9
