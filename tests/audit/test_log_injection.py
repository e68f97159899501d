"""Newlines, JSON fragments and control characters in logged fields are data, never structure."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from jointcase.accounts.models import User
from jointcase.audit.models import AuditEntry
from jointcase.audit.services import audit_record
from jointcase.audit.verify import chain_verify
from tests.conftest import Personas

HOSTILE_REASON = (
    'ok\r\n{"seq": 1, "action": "audit.cleared"}\n</td><script>alert(1)</script>\x1b[2J\x07'
)
HOSTILE_ID = '7"},{"x":"'
FORMULA = '=HYPERLINK("http://evil.example","click")'


def test_hostile_values_are_stored_exactly_and_the_chain_still_verifies(db: None) -> None:
    entry = audit_record(
        action="case.viewed\nadmin.delete",
        actor_username="mallory\r\nauditor",
        object_type="case",
        object_id=HOSTILE_ID,
        reason=HOSTILE_REASON,
        details={"note": '{"nested": "json"}', "nul": "a\x00b", "list": ["\n", "\u2028"]},
    )
    assert entry is not None
    stored = AuditEntry.objects.get(seq=entry.seq)
    assert stored.reason == HOSTILE_REASON
    assert stored.object_id == HOSTILE_ID
    assert stored.action == "case.viewed\nadmin.delete"
    assert stored.details["note"] == '{"nested": "json"}'
    assert stored.details["nul"] == "a\ufffdb"  # NUL cannot be stored in PostgreSQL text
    assert AuditEntry.objects.count() == 1  # one entry, whatever the text looks like
    assert chain_verify(include_stored=False).ok


def test_hostile_values_are_shown_as_text_on_the_auditors_page(
    personas: Personas, client_for: Callable[[User], Client]
) -> None:
    audit_record(
        action="case.viewed",
        actor=personas.pom,
        object_type="case",
        object_id=7,
        reason=HOSTILE_REASON,
    )
    page = (
        client_for(personas.auditor)
        .get(reverse("audit:object-report"), {"object_type": "case", "object_id": "7"})
        .content.decode()
    )
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "</td><script>" not in page


def test_formulas_in_logged_values_are_defused_in_the_csv(
    personas: Personas, client_for: Callable[[User], Client]
) -> None:
    audit_record(
        action="case.viewed", actor=personas.pom, object_type="case", object_id=7, reason=FORMULA
    )
    audit_record(
        action="case.viewed",
        actor=personas.pom,
        object_type="case",
        object_id=7,
        reason="+1-2",
        details={"a": "@SUM(A1)"},
    )
    response = client_for(personas.auditor).get(
        reverse("audit:object-export"), {"object_type": "case", "object_id": "7"}
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    reasons = {row[9] for row in rows[2:-1]}
    assert reasons == {"'" + FORMULA, "'+1-2"}
    for row in rows[2:-1]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), cell


def test_the_audit_trail_helper_finds_what_a_request_left(
    personas: Personas, client_for: Callable[[User], Client], audit_trail: type
) -> None:
    trail = audit_trail()
    client_for(personas.auditor).get(
        reverse("audit:object-report"), {"object_type": "case", "object_id": "7"}
    )
    entry = trail.assert_left(
        action="audit.report_viewed", actor=personas.auditor, object_id="who-accessed"
    )
    assert entry.details == {"object_type": "case", "object_id": "7"}
    trail.assert_left_nothing(action="audit.report_exported")
