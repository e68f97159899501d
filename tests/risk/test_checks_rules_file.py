"""The rules file is data validated at start-up: a bad file stops the service naming the
file, the line and the field; the bundled file loads and covers every check type the issue
names."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from pytest_django.fixtures import Settings as SettingsWrapper

from jointcase.risk.check_rules import DEFAULT_RULES_PATH, rules_current, rules_load, rules_parse

GOOD = DEFAULT_RULES_PATH.read_text(encoding="utf-8")


def test_the_bundled_rules_load_with_every_check_type_the_issue_names() -> None:
    rules = rules_load(DEFAULT_RULES_PATH)
    assert {
        "POLICE_DA_CALLOUT",
        "CHILDRENS_SOCIAL_CARE",
        "ADULT_SOCIAL_CARE",
        "MARAC_REFERRAL",
        "MAPPA_LEVEL_REVIEW",
        "ASSESSMENT_REVIEW",
        "LICENCE_CONDITION_REVIEW",
        "NOTIFICATION_COMPLIANCE",
        "HOME_VISIT_AFTER_RELEASE",
    } <= set(rules.check_types)
    kinds = {rule.trigger.kind for rule in rules.rules}
    assert kinds == {
        "ALLOCATION",
        "PHASE_ENTERED",
        "BEFORE_RELEASE",
        "CHANGE_OF_CIRCUMSTANCE",
        "PERIODIC",
    }


def _line_of(text: str, needle: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        (
            "trigger: {kind: ALLOCATION}\n    deadline_working_days: 10\n    cohorts: [ALL]\n    "
            "responsible_role: LEAD_NSD_PRACTITIONER\n  - code: CSC_AT_ALLOCATION",
            "trigger: {kind: ON_A_WHIM}\n    deadline_working_days: 10\n    cohorts: [ALL]\n    "
            "responsible_role: LEAD_NSD_PRACTITIONER\n  - code: CSC_AT_ALLOCATION",
            "kind",
            "unknown trigger 'ON_A_WHIM'",
        ),
        (
            "  - code: DA_PRE_RELEASE\n    check_type: POLICE_DA_CALLOUT",
            "  - code: DA_PRE_RELEASE\n    check_type: HOROSCOPE_CHECK",
            "check_type",
            "unknown check type 'HOROSCOPE_CHECK'",
        ),
        (
            "    trigger: {kind: BEFORE_RELEASE, days: 28}\n    deadline_working_days: 5\n    "
            "cohorts: [ALL]\n    responsible_role: LEAD_NSD_PRACTITIONER",
            "    trigger: {kind: BEFORE_RELEASE, days: 28}\n    deadline_working_days: 5\n    "
            "cohorts: [ALL]\n    responsible_role: ASTROLOGER",
            "responsible_role",
            "unknown case role 'ASTROLOGER'",
        ),
        (
            "    cohorts: [TACT, TACT_CONNECTED, TERRORIST_RISK]",
            "    cohorts: [TACT, PIRATES]",
            "cohorts",
            "unknown cohort 'PIRATES'",
        ),
        (
            "changes: [NEW_ADDRESS]}",
            "changes: [NEW_HAIRCUT]}",
            "changes",
            "unknown change 'NEW_HAIRCUT'",
        ),
    ],
)
def test_a_bad_rule_names_the_file_the_line_and_the_field(
    old: str, new: str, field: str, message: str
) -> None:
    assert old in GOOD, old
    bad = GOOD.replace(old, new, 1)
    with pytest.raises(ImproperlyConfigured) as raised:
        rules_parse(bad, source="rules/changed.yaml")
    text = str(raised.value)
    # The line that holds the bad value (the bad word is the one quoted in the message).
    line = _line_of(bad, message.split("'")[1])
    assert text.startswith(f"rules/changed.yaml, line {line}, field '{field}'"), text
    assert message in text


def test_a_bad_rules_file_stops_start_up(tmp_path: Path, settings: SettingsWrapper) -> None:
    bad = tmp_path / "required_checks.yaml"
    bad.write_text(GOOD.replace("family: SAFEGUARDING", "family: GOSSIP", 1), encoding="utf-8")
    settings.JOINTCASE_CHECK_RULES = str(bad)
    rules_current.cache_clear()
    try:
        with pytest.raises(
            ImproperlyConfigured, match=r"required_checks.yaml, line \d+, field 'family'"
        ):
            apps.get_app_config("risk").ready()
    finally:
        rules_current.cache_clear()
        settings.JOINTCASE_CHECK_RULES = ""
        rules_current()


def test_a_deadline_off_the_scale_is_refused() -> None:
    bad = GOOD.replace("deadline_working_days: 10", "deadline_working_days: 0", 1)
    with pytest.raises(ImproperlyConfigured, match="field 'deadline_working_days'"):
        rules_parse(bad, source="x.yaml")


def test_a_duplicate_rule_code_is_refused() -> None:
    bad = GOOD.replace("code: CSC_AT_ALLOCATION", "code: DA_AT_ALLOCATION", 1)
    with pytest.raises(ImproperlyConfigured, match="duplicate rule DA_AT_ALLOCATION"):
        rules_parse(bad, source="x.yaml")
