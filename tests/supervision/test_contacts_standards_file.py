"""The contact standards file: the bundled file loads; a file with an unknown phase, RoSH
level, MAPPA level or contact kind stops start-up with an error naming the file and the line."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from pytest_django.fixtures import Settings as SettingsWrapper

from jointcase.supervision.standards import (
    DEFAULT_STANDARDS_PATH,
    standards_current,
    standards_load,
    standards_parse,
)

GOOD = """\
version: 3
standards:
  - code: FIRST_WEEKS
    label: Weekly contact
    phases: [LICENCE]
    weeks_since_release: {from: 0, until: 12}
    every_days: 7
    kinds: [OFFICE, HOME_VISIT]
  - code: CUSTODY
    label: Monthly contact
    phases: [CUSTODY]
    rosh: [HIGH]
    mappa_levels: [2, 3]
    every_days: 31
    kinds: [VIDEO]
"""


def test_the_bundled_standards_file_is_valid_and_covers_every_open_phase() -> None:
    standards = standards_load(DEFAULT_STANDARDS_PATH)
    covered = set().union(*(s.phases for s in standards.standards))
    assert covered == {"CUSTODY", "PRE_RELEASE", "LICENCE", "POST_LICENCE", "RECALLED"}


def test_a_valid_file_is_read_field_by_field() -> None:
    standards = standards_parse(GOOD, source="good.yaml")
    first, second = standards.standards
    assert standards.version == 3
    assert (first.weeks_from, first.weeks_until, first.every_days) == (0, 12, 7)
    assert first.line == 3
    assert second.line == 9
    assert second.rosh == {"HIGH"}
    assert second.mappa_levels == {2, 3}


@pytest.mark.parametrize(
    ("old", "new", "line", "field"),
    [
        ("phases: [LICENCE]", "phases: [PAROLE]", 5, "phases"),
        ("rosh: [HIGH]", "rosh: [EXTREME]", 12, "rosh"),
        ("mappa_levels: [2, 3]", "mappa_levels: [4]", 13, "mappa_levels"),
        ("kinds: [VIDEO]", "kinds: [CARRIER_PIGEON]", 15, "kinds"),
        ("every_days: 7", "every_days: 0", 7, "every_days"),
        ("until: 12}", "until: 0}", 6, "until"),
    ],
)
def test_an_unknown_value_is_refused_naming_the_file_line_and_field(
    old: str, new: str, line: int, field: str
) -> None:
    bad = GOOD.replace(old, new)
    assert bad != GOOD
    with pytest.raises(ImproperlyConfigured) as error:
        standards_parse(bad, source="/etc/jointcase/standards.yaml")
    assert f"/etc/jointcase/standards.yaml, line {line}, field '{field}'" in str(error.value)


def test_a_bad_standards_file_stops_start_up(tmp_path: Path, settings: SettingsWrapper) -> None:
    bad = tmp_path / "standards.yaml"
    bad.write_text(GOOD.replace("phases: [CUSTODY]", "phases: [CUSTODY, ON_THE_MOON]"))
    settings.JOINTCASE_CONTACT_STANDARDS = str(bad)
    standards_current.cache_clear()
    try:
        with pytest.raises(ImproperlyConfigured) as error:
            apps.get_app_config("supervision").ready()
        assert f"{bad}, line 11, field 'phases'" in str(error.value)
        assert "ON_THE_MOON" in str(error.value)
    finally:
        standards_current.cache_clear()
    settings.JOINTCASE_CONTACT_STANDARDS = ""
    standards_current.cache_clear()
    apps.get_app_config("supervision").ready()  # the bundled file again


def test_the_check_command_names_the_problem(tmp_path: Path) -> None:
    from django.core.management import CommandError, call_command

    bad = tmp_path / "standards.yaml"
    bad.write_text(GOOD.replace("[OFFICE, HOME_VISIT]", "[OFFICE, SEANCE]"))
    with pytest.raises(CommandError, match=r"line 8, field 'kinds'.*SEANCE"):
        call_command("contacts", "check", str(bad))
