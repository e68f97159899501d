"""The trained linkage model: it loads, it links synthetic extracts accurately, and the
thresholds and the twin rule decide what happens to each incoming record."""

from __future__ import annotations

import copy

import pandas as pd
import pytest

from jointcase.exchange.linkage.model import (
    MODEL_PATH,
    SPARK_SQL,
    Candidate,
    RegisterMatcher,
    link_classify,
    link_predict,
    link_predict_prepared,
    model_load,
    records_prepare,
    records_prepare_into,
    settings_in_dialect,
)
from jointcase.exchange.linkage.quality import linkage_evaluate
from jointcase.exchange.linkage.synthetic import extract_make


@pytest.fixture(scope="module")
def model():
    return model_load()


def test_the_versioned_model_file_loads_with_its_metadata_and_trained_parameters(model):
    assert MODEL_PATH.name == "linkage_model.json"
    assert model.metadata["format"] == 1
    assert model.metadata["evaluation"]["precision"] >= 0.99
    assert 0 < model.match_share <= 1
    assert model.settings["link_type"] == "link_only"
    names = [c["output_column_name"] for c in model.settings["comparisons"]]
    assert names[:4] == ["surname", "given_name", "date_of_birth", "address"]
    for comparison in model.settings["comparisons"]:
        for level in comparison["comparison_levels"]:
            if not level.get("is_null_level"):
                assert 0 < level["m_probability"] <= 1
                assert 0 < level["u_probability"] <= 1


def test_the_prior_follows_the_size_of_the_register(model):
    small, large = model.settings_for(1_000), model.settings_for(100_000)
    assert small["probability_two_random_records_match"] == pytest.approx(
        100 * large["probability_two_random_records_match"]
    )


def test_the_model_file_is_written_again_for_spark_with_the_same_trained_parameters(model):
    spark = settings_in_dialect(model.settings, SPARK_SQL)
    pairs = [
        (held, written)
        for held_comparison, written_comparison in zip(
            model.settings["comparisons"], spark["comparisons"], strict=True
        )
        for held, written in zip(
            held_comparison["comparison_levels"],
            written_comparison["comparison_levels"],
            strict=True,
        )
    ]
    for held, written in pairs:
        assert {k: v for k, v in held.items() if k != "sql_condition"} == {
            k: v for k, v in written.items() if k != "sql_condition"
        }
        assert '"' not in written["sql_condition"]
    conditions = " ".join(written["sql_condition"] for _, written in pairs)
    assert "jaro_winkler(`surname_l`, `surname_r`) >= 0.92" in conditions
    assert "arrays_overlap(split(`given_canonical_l`, ' '), split(`given_canonical_r`, ' '))" in (
        conditions
    )
    assert "jaro_winkler_similarity" not in conditions
    assert "list_has_any" not in conditions
    # A model trained on other comparisons is refused rather than half translated.
    foreign = copy.deepcopy(model.settings)
    foreign["comparisons"][0]["comparison_levels"][2]["sql_condition"] = "levenshtein(a, b) < 2"
    with pytest.raises(ValueError, match="retrain"):
        settings_in_dialect(foreign, SPARK_SQL)


def test_pairwise_precision_and_recall_on_a_fresh_synthetic_extract(model):
    evaluation = linkage_evaluate(extract_make(2500, seed=4242), model, upper=0.95, lower=0.5)
    assert evaluation.precision >= 0.99, evaluation.summary()
    assert evaluation.recall >= 0.95, evaluation.summary()
    assert evaluation.outcomes["new"] > 0
    assert evaluation.outcomes["link"] > 0


def _candidate(person: str, probability: float, weight: float, **extra) -> Candidate:
    fields = {
        "source_record_id": "R1",
        "person_id": person,
        "match_probability": probability,
        "match_weight": weight,
        "levels": {},
        "possible_twin": False,
        **extra,
    }
    return Candidate(**fields)


@pytest.mark.parametrize(
    ("probability", "outcome"), [(0.99, "link"), (0.95, "link"), (0.7, "review"), (0.3, "new")]
)
def test_the_two_thresholds_decide_link_review_or_new(probability, outcome):
    [decision] = link_classify(["R1"], [_candidate("P1", probability, 10.0)], upper=0.95, lower=0.5)
    assert decision.outcome == outcome
    assert decision.person_id == (None if outcome == "new" else "P1")


def test_a_record_without_candidates_is_a_new_person():
    [decision] = link_classify(["R2"], [_candidate("P1", 0.99, 20.0)], upper=0.95, lower=0.5)
    assert (decision.outcome, decision.person_id) == ("new", None)


def test_the_thresholds_come_from_the_settings(settings):
    settings.JOINTCASE_LINK_UPPER, settings.JOINTCASE_LINK_LOWER = 0.995, 0.9
    outcomes = [
        link_classify(["R1"], [_candidate("P1", p, 10.0)])[0].outcome for p in (0.999, 0.99, 0.8)
    ]
    assert outcomes == ["link", "review", "new"]


def test_two_people_both_above_the_upper_threshold_go_to_review_unless_one_is_far_ahead():
    close = [_candidate("P1", 0.999, 20.0), _candidate("P2", 0.998, 18.0)]
    assert link_classify(["R1"], close, upper=0.95, lower=0.5)[0].outcome == "review"
    apart = [_candidate("P1", 0.999, 30.0), _candidate("P2", 0.998, 18.0)]
    [decision] = link_classify(["R1"], apart, upper=0.95, lower=0.5)
    assert (decision.outcome, decision.person_id) == ("link", "P1")


def test_a_best_match_that_may_be_a_twin_goes_to_review():
    [decision] = link_classify(
        ["R1"], [_candidate("P1", 0.999, 20.0, possible_twin=True)], upper=0.95, lower=0.5
    )
    assert (decision.outcome, decision.possible_twin) == ("review", True)


@pytest.fixture(scope="module")
def twin_world():
    extract = extract_make(1500, seed=77)
    people = {p.person_id: p for p in extract.people}
    pairs = [
        (people[p.twin_of], p)
        for p in extract.people
        if p.twin_of and p.in_register and people[p.twin_of].in_register
    ]
    return pd.DataFrame(extract.register), pairs[0]


def _record_of(person, *, given: str | None = None) -> dict[str, str]:
    row = person.register_row()
    del row["person_id"]
    row.update(pnc_id="", crn="", prison_number="", source="test", source_record_id="IN-1")
    if given is not None:
        row["given_names"] = given
    return row


def test_a_twins_own_record_links_to_them_and_the_other_twin_is_flagged(model, twin_world):
    register, (first, second) = twin_world
    incoming = pd.DataFrame([_record_of(first)])
    candidates = link_predict(incoming, register, model, threshold=0.01)
    by_person = {c.person_id: c for c in candidates}
    assert by_person[second.person_id].possible_twin
    assert not by_person[first.person_id].possible_twin
    assert by_person[first.person_id].levels["given_name"] == "exact"
    [decision] = link_classify(["IN-1"], candidates, upper=0.95, lower=0.5)
    assert (decision.outcome, decision.person_id) == ("link", first.person_id)
    assert decision.possible_twin


def test_a_sibling_neither_twin_goes_to_review_not_to_a_link(model, twin_world):
    register, (first, _second) = twin_world
    incoming = pd.DataFrame([_record_of(first, given="Zebedee")])
    candidates = link_predict(incoming, register, model, threshold=0.01)
    [decision] = link_classify(["IN-1"], candidates, upper=0.95, lower=0.5)
    assert decision.outcome in ("review", "new")
    assert decision.possible_twin


def test_candidates_say_which_fields_agree(model, twin_world):
    register, (first, _second) = twin_world
    incoming = pd.DataFrame([{**_record_of(first), "postcode": "ZZ99 9ZZ", "town": "Nowhere"}])
    [best, *_] = link_predict(incoming, register, model, threshold=0.01)
    assert {"surname", "given_name", "date_of_birth"} <= set(best.agreeing)
    assert best.levels["address"] == "disagree"
    assert best.levels["pnc_id"] == "missing"


def test_records_are_compared_in_a_normal_form():
    raw = pd.DataFrame(
        [
            {
                "given_names": " Zoë  Ann",
                "surname": "O'Brien",
                "date_of_birth": "1990-02-03",
                "postcode": "sw1a 1aa",
                "pnc_id": "2019/0123456x",
                "crn": "",
            }
        ]
    )
    [row] = records_prepare(raw, side="incoming").to_dict("records")
    assert (row["given_name"], row["surname"], row["postcode"]) == ("zoe", "obrien", "SW1A1AA")
    assert (row["postcode_sector"], row["pnc_id"]) == ("SW1A1", "2019/0123456X")
    assert pd.isna(row["crn"])
    assert row["birth_year"] == "1990"


def test_records_prepared_into_a_linkage_database_are_those_records_prepare_returns():
    import duckdb

    raw = pd.DataFrame(
        [
            {"given_names": "Chris", "surname": "Ólafsdóttir", "source_record_id": "A"},
            {"given_names": " Zoë  Ann", "surname": "O'Brien", "postcode": "sw1a 1aa"},
            {"given_names": None, "surname": float("nan"), "date_of_birth": "1990-02-03"},
            {"given_names": "Nobodyknows", "crn": "x 12", "person_id": "P9"},
        ]
    )
    for side in ("incoming", "register"):
        expected = records_prepare(raw, side=side)
        with duckdb.connect() as connection:
            records_prepare_into(connection, raw, side=side, table="prepared")
            table = connection.execute("select * from prepared order by unique_id").df()
        assert list(table.columns) == list(expected.columns)
        as_rows = [
            frame.astype(object).where(frame.notna(), None).to_dict("records")
            for frame in (table, expected)
        ]
        assert as_rows[0] == as_rows[1]
    canonical = dict(zip(expected["given_name"], expected["given_canonical"], strict=True))
    assert "christopher" in canonical["chris"].split()
    assert canonical["nobodyknows"] == "nobodyknows"
    assert list(expected["surname"])[:2] == ["olafsdottir", "obrien"]


def test_the_batch_finds_the_same_pairs_from_raw_records_as_from_prepared_ones(model):
    extract = extract_make(300, seed=31)
    incoming, register = pd.DataFrame(extract.records), pd.DataFrame(extract.register)
    from_raw = link_predict(incoming, register, model, threshold=0.01)
    from_prepared = link_predict_prepared(
        records_prepare(incoming, side="incoming"),
        records_prepare(register, side="register"),
        model,
        people=register["person_id"].nunique(),
        threshold=0.01,
    )

    def key(c: Candidate) -> tuple[object, ...]:
        levels = tuple(sorted(c.levels.items()))
        return (c.source_record_id, c.person_id, round(c.match_weight, 9), levels, c.possible_twin)

    assert from_raw
    assert sorted(map(key, from_raw)) == sorted(map(key, from_prepared))


def test_a_records_candidates_are_ranked_by_weight_from_the_lower_threshold_up():
    held = [
        _candidate("P1", 0.8, 6.0),
        _candidate("P2", 0.3, 2.0),
        _candidate("P3", 0.97, 12.0),
    ]
    [decision, new] = link_classify(["R1", "R9"], held, upper=0.95, lower=0.5)
    assert [c.person_id for c in decision.candidates] == ["P3", "P1"]
    assert (decision.outcome, decision.person_id) == ("link", "P3")
    assert (new.outcome, new.candidates) == ("new", ())


def test_live_matching_against_the_loaded_register_agrees_with_the_batch(model, twin_world):
    register, (first, second) = twin_world
    matcher = RegisterMatcher(register, model)
    for person, given in ((first, None), (second, None), (first, "Zebedee")):
        incoming = pd.DataFrame([_record_of(person, given=given)])
        live = link_classify(["IN-1"], matcher.match(incoming))[0]
        batch = link_classify(["IN-1"], link_predict(incoming, register, model))[0]
        assert live.outcome == batch.outcome
        assert {c.person_id for c in live.candidates} == {c.person_id for c in batch.candidates}
        if live.outcome == "link":
            assert live.person_id == batch.person_id == person.person_id
        assert live.possible_twin
    assert live.outcome != "link"
