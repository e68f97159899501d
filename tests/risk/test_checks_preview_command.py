"""``jointcase checks preview RULES_FILE`` validates a changed file with the start-up code and
shows what it would raise on today's data, writing nothing."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from jointcase.risk.check_rules import DEFAULT_RULES_PATH
from jointcase.risk.models import RequiredCheck
from tests.register_fixtures import CaseWorld

pytestmark = pytest.mark.django_db

NEW_RULE = """
  - code: DA_WEEKLY_TEST
    check_type: POLICE_DA_CALLOUT
    trigger: {kind: BEFORE_RELEASE, days: 200}
    deadline_working_days: 3
    cohorts: [TACT]
    responsible_role: LEAD_NSD_PRACTITIONER
"""


def test_preview_shows_a_new_rule_and_writes_nothing(
    checks_world: CaseWorld, tmp_path: Path
) -> None:
    from tests.risk.conftest import enter_pre_release

    enter_pre_release(checks_world, release_in_days=100)
    changed = tmp_path / "rules.yaml"
    changed.write_text(DEFAULT_RULES_PATH.read_text(encoding="utf-8") + NEW_RULE, encoding="utf-8")
    before = RequiredCheck.objects.count()
    out = StringIO()
    call_command("checks", "preview", str(changed), stdout=out)
    lines = {line.split()[0]: line.split() for line in out.getvalue().splitlines()[2:]}
    assert lines["DA_WEEKLY_TEST"][1:] == ["new", "BEFORE_RELEASE", "1", "1"]
    assert lines["DA_AT_ALLOCATION"][1] == "unchanged"
    assert RequiredCheck.objects.count() == before


def test_preview_of_a_bad_file_names_the_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "rules.yaml"
    bad.write_text(
        DEFAULT_RULES_PATH.read_text(encoding="utf-8").replace(
            "responsible_role: CTNM_OFFICER", "responsible_role: WIZARD"
        ),
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match=r"line \d+, field 'responsible_role'"):
        call_command("checks", "preview", str(bad))
