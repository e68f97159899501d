"""Instruments are versioned data files, validated at start-up: a bad file names the file,
the line and the field."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from jointcase.risk.instruments import (
    INSTRUMENTS_DIR,
    instrument_parse,
    instruments_current,
    instruments_parse,
)
from jointcase.risk.models.assessments import RiskDomain

GOOD = (INSTRUMENTS_DIR / "extremism_v1.yaml").read_text(encoding="utf-8")


def test_the_three_instruments_load_and_address_every_domain_between_them() -> None:
    loaded = {i.code: i for i in instruments_current()}
    assert set(loaded) == {"WHOLE_RISK", "EXTREMISM_RISK", "POLICE_RISK_FRAMEWORK"}
    assert loaded["WHOLE_RISK"].rosh
    assert [s.code for s in loaded["EXTREMISM_RISK"].sections] == [
        "ENGAGEMENT",
        "INTENT",
        "CAPABILITY",
    ]
    general = {d for s in loaded["WHOLE_RISK"].sections for d in s.domains}
    assert general == set(RiskDomain.values)


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_an_unknown_domain_names_the_file_line_and_field() -> None:
    bad = GOOD.replace("domains: [TERRORISM_EXTREMISM, VIOLENCE]", "domains: [TERRORISM, VIOLENCE]")
    with pytest.raises(ImproperlyConfigured) as stopped:
        instrument_parse(Path("extremism_v9.yaml"), bad)
    line = _line_of(bad, "domains: [TERRORISM, VIOLENCE]")
    assert str(stopped.value) == (
        f"extremism_v9.yaml, line {line}, field sections.INTENT.domains: unknown domain 'TERRORISM'"
    )


def test_an_unknown_scale_or_family_or_missing_field_stops_start_up() -> None:
    cases = [
        (GOOD.replace("scale: presence}", "scale: stars}", 1), "scale", "unknown scale 'stars'"),
        (GOOD.replace("family: extremism", "family: astrology"), "family", "unknown family"),
        (GOOD.replace("    title: Capability\n", ""), "sections.CAPABILITY.title", "is missing"),
        (GOOD + "colour: red\n", "colour", "unknown field"),
    ]
    for text, field, message in cases:
        with pytest.raises(ImproperlyConfigured) as stopped:
            instrument_parse(Path("x.yaml"), text)
        assert field in str(stopped.value), stopped.value
        assert message in str(stopped.value), stopped.value
        assert str(stopped.value).startswith("x.yaml, line ")


def test_the_same_code_and_version_twice_stops_start_up(tmp_path: Path) -> None:
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text(GOOD, encoding="utf-8")
    with pytest.raises(ImproperlyConfigured, match=r"already defined in a\.yaml"):
        instruments_parse(tmp_path.glob("*.yaml"))


def test_a_revised_instrument_is_a_new_file_and_the_latest_version_is_offered(
    tmp_path: Path,
) -> None:
    (tmp_path / "v1.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "v2.yaml").write_text(GOOD.replace("version: 1", "version: 2"), encoding="utf-8")
    loaded = instruments_parse(tmp_path.glob("*.yaml"))
    assert sorted(loaded) == [("EXTREMISM_RISK", 1), ("EXTREMISM_RISK", 2)]
