"""No raw codes on pages: every audit action the code writes, every stored
choice in a change, licence condition details and the audit pages read as plain English, from
one place (``jointcase.audit.labels``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client

from jointcase.audit.labels import action_label, details_lines, value_label
from jointcase.cases.services import licence_add, licence_condition_add
from jointcase.meetings.models import ActionStatus

SOURCE = Path(__file__).resolve().parents[2] / "src" / "jointcase"
#: ``action="area.verb"`` and ``action=f"area.{...}"`` as the services write them.
ACTION = re.compile(r"""action=f?["']([a-z_]+\.[a-z_.{}' =]+)["']""")


def _actions_in_source() -> set[str]:
    found: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        for match in ACTION.finditer(path.read_text(encoding="utf-8")):
            code = match.group(1)
            # An f-string's placeholder stands for a word: try a typical one.
            found.add(re.sub(r"\{[^}]*\}", "remind", code))
    return found


def test_the_source_writes_actions_the_labels_can_read() -> None:
    actions = _actions_in_source()
    assert len(actions) > 100, "the action pattern no longer finds the services' actions"


@pytest.mark.parametrize("code", sorted(_actions_in_source()))
def test_every_audit_action_reads_as_plain_english(code: str) -> None:
    label = action_label(code)
    assert label[0].isupper(), label
    assert "_" not in label, label
    assert "." not in label, label
    assert code not in label


def test_known_actions_have_their_own_words() -> None:
    assert action_label("audit.purpose_declared") == "Purpose of consultation declared"
    assert action_label("material.tearline_approved") == "Material: tearline approved"
    assert action_label("mfa.totp_registered") == "Second factor: authenticator app added"
    assert action_label("agencies.user_mfa_reset") == "Agency administration: user MFA reset"


def test_stored_choices_in_a_change_read_as_their_labels() -> None:
    assert value_label(ActionStatus.OPEN.value) == ActionStatus.OPEN.label
    assert value_label(None) == "(blank)"
    assert value_label(True) == "Yes"
    lines = details_lines(
        {"changes": {"status": ["OPEN", "DONE"], "review_date": [None, "2027-01-02"]}, "n": 2}
    )
    assert lines == [
        f"Status: {ActionStatus.OPEN.label} → {ActionStatus.DONE.label}",
        "Review date: (blank) → 2027-01-02",
        "N: 2",
    ]


@pytest.mark.django_db
def test_licence_condition_details_use_the_catalogues_words(case_world, client_for) -> None:
    practitioner = case_world.personas.nsd_practitioner
    licence = licence_add(
        actor=practitioner,
        case=case_world.case,
        starts_on=case_world.sentence.sentence_date,
        expires_on=case_world.sentence.led,
    )
    licence_condition_add(
        actor=practitioner,
        licence=licence,
        code="REPORT_TO",
        parameters={"place": "POLICE_STATION", "schedule": "Mondays at 10:00"},
    )
    page = client_for(practitioner).get(f"/cases/{case_world.case.public_id}/sentence/")
    body = page.content.decode()
    assert "Place: Police station" in body
    assert "Reporting times: Mondays at 10:00" in body
    assert "POLICE_STATION" not in body


@pytest.mark.django_db
def test_case_history_and_the_audit_overview_show_no_codes(
    case_world, client_for: Callable[..., Client]
) -> None:
    practitioner = case_world.personas.nsd_practitioner
    history = client_for(practitioner).get(f"/cases/{case_world.case.public_id}/history/")
    body = history.content.decode()
    assert history.status_code == 200
    assert not re.search(r">\s*[a-z_]+\.[a-z_.]+\s*<", body), "a raw action code is on the page"
    overview = client_for(case_world.personas.auditor).get("/audit/")
    assert overview.status_code == 200
    assert "&lt;code" not in overview.content.decode()
