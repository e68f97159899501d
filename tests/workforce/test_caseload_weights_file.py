"""The weights file: the bundled one loads; an unknown phase, RoSH level, MAPPA level, cohort,
role, case role or agency kind (or a missing or out-of-range figure) stops start-up with an
error naming the file and the line."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from pytest_django.fixtures import Settings as SettingsWrapper

from jointcase.workforce.weights import (
    DEFAULT_WEIGHTS_PATH,
    weights_current,
    weights_load,
    weights_parse,
)

BUNDLED = DEFAULT_WEIGHTS_PATH.read_text(encoding="utf-8")


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_the_bundled_file_loads_with_every_phase_and_both_caseload_roles() -> None:
    weights = weights_load(DEFAULT_WEIGHTS_PATH)
    assert weights.tables["phase"]["LICENCE"] == Decimal("3.0")
    assert set(weights.roles) == {"NSD_PRACTITIONER", "CTNM_OFFICER"}
    assert weights.roles["NSD_PRACTITIONER"].allocated_by == "NSD_SENIOR_LEAD"
    assert weights.case_weight(phase="LICENCE", rosh="HIGH", mappa_level=2, cohort="TACT") == (
        Decimal("5.5")
    )


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("    LICENCE: 3.0", "    ON_LICENCE: 3.0", "unknown phase 'ON_LICENCE'"),
        ("    VERY_HIGH: 2.0", "    EXTREME: 2.0", "unknown RoSH level 'EXTREME'"),
        ("    3: 1.0", "    4: 1.0", "unknown MAPPA level '4'"),
        ("    SOC: 0.5", "    GANGS: 0.5", "unknown cohort 'GANGS'"),
        ("  CTNM_OFFICER:", "  CT_DETECTIVE:", "unknown role 'CT_DETECTIVE'"),
        ("    lead_case_role: CTNM_OFFICER", "    lead_case_role: DETECTIVE", "unknown case role"),
        ("    agency_kind: POLICE", "    agency_kind: MILITARY", "unknown agency kind"),
        ("    allocated_by: CT_SUPERVISOR", "    allocated_by: BOSS", "unknown role 'BOSS'"),
        ("    cap: 24", "    cap: -3", "expected a number from 1 to 1000"),
        ("co_working_fraction: 0.5", "co_working_fraction: 2", "expected a number from 0 to 1"),
    ],
)
def test_a_wrong_entry_names_the_file_the_line_and_what_is_wrong(
    old: str, new: str, message: str
) -> None:
    assert old in BUNDLED, old
    text = BUNDLED.replace(old, new, 1)
    with pytest.raises(ImproperlyConfigured) as error:
        weights_parse(text, source="weights.yaml")
    line = _line_of(text, new.strip())
    assert str(error.value).startswith(f"weights.yaml, line {line}"), str(error.value)
    assert message in str(error.value)


def test_a_missing_phase_is_an_error_not_a_zero_weight() -> None:
    text = BUNDLED.replace("    RECALLED: 2.0\n", "", 1)
    with pytest.raises(ImproperlyConfigured, match="no weight for RECALLED"):
        weights_parse(text, source="weights.yaml")


def test_not_yaml_names_the_line() -> None:
    with pytest.raises(ImproperlyConfigured, match=r"weights.yaml, line \d+: not valid YAML"):
        weights_parse("version: 1\ncase_weights: [\n", source="weights.yaml")


def test_a_bad_file_stops_start_up(tmp_path: Path, settings: SettingsWrapper) -> None:
    bad = tmp_path / "weights.yaml"
    bad.write_text(BUNDLED.replace("    SOC: 0.5", "    PIRACY: 0.5"), encoding="utf-8")
    settings.JOINTCASE_WORKFORCE_WEIGHTS = str(bad)
    weights_current.cache_clear()
    try:
        with pytest.raises(ImproperlyConfigured) as error:
            apps.get_app_config("workforce").ready()
        assert str(error.value).startswith(f"{bad}, line {_line_of(bad.read_text(), 'PIRACY')}")
    finally:
        settings.JOINTCASE_WORKFORCE_WEIGHTS = ""
        weights_current.cache_clear()
        weights_current()
