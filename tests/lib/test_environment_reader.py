"""The strict environment reader (jointcase.lib.env): documented spellings only, and any other
value stops start-up with an error naming the variable."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from jointcase.lib.env import env_bool, env_choice, env_float, env_int, env_list, env_mapping


@pytest.mark.parametrize("word", ["1", "true", "TRUE", "Yes", "on", " true "])
def test_every_documented_spelling_of_true_reads_as_true(word):
    assert env_bool("JOINTCASE_AUDIT_ENABLED", False, environ={"JOINTCASE_AUDIT_ENABLED": word})


@pytest.mark.parametrize("word", ["0", "false", "False", "no", "OFF"])
def test_every_documented_spelling_of_false_reads_as_false(word):
    assert not env_bool("JOINTCASE_AUDIT_ENABLED", True, environ={"JOINTCASE_AUDIT_ENABLED": word})


@pytest.mark.parametrize("word", ["maybe", "2", "enabled", "y", "t", "-1"])
def test_an_unexpected_boolean_stops_start_up_naming_the_variable(word):
    with pytest.raises(ImproperlyConfigured, match="JOINTCASE_AUDIT_ENABLED"):
        env_bool("JOINTCASE_AUDIT_ENABLED", True, environ={"JOINTCASE_AUDIT_ENABLED": word})


def test_an_unset_or_empty_variable_takes_its_default():
    assert env_bool("X", True, environ={}) is True
    assert env_bool("X", False, environ={"X": "  "}) is False
    assert env_int("X", 7, environ={"X": ""}) == 7
    assert env_list("X", "a, b,,c", environ={}) == ["a", "b", "c"]


@pytest.mark.parametrize("value", ["ten", "1.5", "1e3", "-5", "99999999999999999999999"])
def test_a_number_that_is_not_a_whole_number_in_range_stops_start_up(value):
    with pytest.raises(ImproperlyConfigured, match="JOINTCASE_BREAKGLASS_MINUTES"):
        env_int(
            "JOINTCASE_BREAKGLASS_MINUTES",
            30,
            maximum=10_000,
            environ={"JOINTCASE_BREAKGLASS_MINUTES": value},
        )
    assert env_int("N", 30, environ={"N": "45"}) == 45


@pytest.mark.parametrize("value", ["soon", "nan", "inf", "-1"])
def test_a_bad_decimal_stops_start_up(value):
    with pytest.raises(ImproperlyConfigured, match="JOINTCASE_AUDIT_WITNESS_TIMEOUT"):
        env_float(
            "JOINTCASE_AUDIT_WITNESS_TIMEOUT",
            5.0,
            environ={"JOINTCASE_AUDIT_WITNESS_TIMEOUT": value},
        )
    assert env_float("F", 5.0, environ={"F": "2.5"}) == 2.5


def test_a_misspelt_environment_name_stops_start_up():
    choices = ("development", "demo", "test", "production")
    with pytest.raises(ImproperlyConfigured, match="JOINTCASE_ENV"):
        env_choice("JOINTCASE_ENV", "development", choices, environ={"JOINTCASE_ENV": "prod"})
    assert env_choice("JOINTCASE_ENV", "development", choices, environ={}) == "development"


def test_spark_settings_are_semicolon_separated_spark_names_and_values():
    text = " spark.executor.memory=8g ; spark.jars=a.jar,b.jar;;spark.driver.extraJavaOptions=-Xss4m -Da=b "
    assert env_mapping("C", key_prefix="spark.", environ={"C": text}) == {
        "spark.executor.memory": "8g",
        "spark.jars": "a.jar,b.jar",
        "spark.driver.extraJavaOptions": "-Xss4m -Da=b",
    }
    assert env_mapping("C", key_prefix="spark.", environ={}) == {}
    for bad in ("executor.memory=8g", "spark.executor.memory", "spark.executor.memory="):
        with pytest.raises(ImproperlyConfigured, match="JOINTCASE_SPARK_CONF"):
            env_mapping(
                "JOINTCASE_SPARK_CONF", key_prefix="spark.", environ={"JOINTCASE_SPARK_CONF": bad}
            )
