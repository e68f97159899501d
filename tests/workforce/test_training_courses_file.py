"""The course catalogue is data, validated at start-up: an unknown course or role (or any
malformed entry) stops the service naming the file, the line and the field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from pytest_django.fixtures import Settings as SettingsWrapper

from jointcase.workforce.courses import (
    DEFAULT_COURSES_PATH,
    add_months,
    courses_current,
    courses_load,
    courses_parse,
)

GOOD = """\
version: 3
courses:
  - code: CT_AWARENESS
    label: CT awareness
    validity_months: 24
  - code: SC_INDUCTION
    label: Separation centre induction
    validity_months: 12
    separation_centre_only: true
requirements:
  - role: POM
    courses: [CT_AWARENESS, SC_INDUCTION]
"""


def test_the_bundled_catalogue_loads_with_every_course_of_the_brief() -> None:
    catalogue = courses_load(DEFAULT_COURSES_PATH)
    assert {
        "CT_AWARENESS",
        "EXTREMISM_RISK_GUIDANCE",
        "CHALLENGING_EXTREMIST_VIEWS",
        "SEPARATION_CENTRE_INDUCTION",
    } <= set(catalogue.courses)
    assert catalogue.courses["SEPARATION_CENTRE_INDUCTION"].separation_centre_only
    assert catalogue.staff_roles == {"POM", "PRISON_CT_LEAD"}


def test_a_course_added_as_data_is_required_where_named() -> None:
    catalogue = courses_parse(GOOD, source="new.yaml")
    assert catalogue.version == 3
    assert catalogue.required_for({"POM"}, separation_centre=False) == {"CT_AWARENESS"}
    assert catalogue.required_for({"POM"}, separation_centre=True) == {
        "CT_AWARENESS",
        "SC_INDUCTION",
    }


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (
            ("courses: [CT_AWARENESS, SC_INDUCTION]", "courses: [CT_AWARENESS, FIRST_AID]"),
            "line 12, field 'courses': unknown course 'FIRST_AID'",
        ),
        (
            ("role: POM", "role: PRISON_OFFICER"),
            "line 11, field 'role': unknown role 'PRISON_OFFICER'",
        ),
        (("role: POM", "role: pom"), "line 11, field 'role'"),
        (("validity_months: 24", "validity_months: 0"), "line 5, field 'validity_months'"),
        (
            ("separation_centre_only: true", "separation_centre_only: maybe"),
            "line 9, field 'separation_centre_only'",
        ),
        (("label: CT awareness", "label: ''"), "line 4, field 'label'"),
        (("code: SC_INDUCTION", "code: CT_AWARENESS"), "line 6, field 'code': duplicate course"),
        (
            ("    validity_months: 12\n", "    validity_months: 12\n    colour: red\n"),
            "line 9, field 'colour': unknown field",
        ),
    ],
)
def test_a_bad_entry_names_the_file_line_and_field(change: tuple[str, str], where: str) -> None:
    with pytest.raises(ImproperlyConfigured) as raised:
        courses_parse(GOOD.replace(*change), source="/etc/jointcase/courses.yaml")
    assert str(raised.value).startswith("/etc/jointcase/courses.yaml, ")
    assert where in str(raised.value)


def test_start_up_refuses_a_bad_courses_file(tmp_path: Path, settings: SettingsWrapper) -> None:
    bad = tmp_path / "courses.yaml"
    bad.write_text(GOOD.replace("role: POM", "role: PRISON_OFFICER"), encoding="utf-8")
    settings.JOINTCASE_TRAINING_COURSES = str(bad)
    courses_current.cache_clear()
    try:
        with pytest.raises(ImproperlyConfigured, match=rf"{bad}, line 11, field 'role'"):
            apps.get_app_config("workforce").ready()
    finally:
        settings.JOINTCASE_TRAINING_COURSES = ""
        courses_current.cache_clear()
    assert courses_current().source == str(DEFAULT_COURSES_PATH)


def test_validity_months_end_on_the_same_day_or_the_months_last() -> None:
    assert add_months(dt.date(2026, 3, 15), 12) == dt.date(2027, 3, 15)
    assert add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2026, 1, 31), -3) == dt.date(2025, 10, 31)
