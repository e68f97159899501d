"""``jointcase demo-users`` lists the demo sign-ins it finds (accounts' own personas list),
with the one published demo password, and skips personas the database does not hold."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from jointcase.accounts.personas import DEMO_PASSWORD, PERSONAS

pytestmark = pytest.mark.django_db


def test_demo_users_lists_the_personas_the_database_holds(personas):
    personas.pom.delete()
    out = io.StringIO()
    call_command("demo_users", "--json", stdout=out)
    rows = json.loads(out.getvalue())
    listed = [row["username"] for row in rows]
    expected = [p.username for p in PERSONAS if p.username != "pom.bpss"]
    assert listed == expected
    assert {row["password"] for row in rows} == {DEMO_PASSWORD}
    assert rows[listed.index("nsd.practitioner")]["vetting"] == "SC"


def test_demo_users_says_to_seed_first_when_no_persona_exists(db):
    out = io.StringIO()
    call_command("demo_users", stdout=out)
    assert "run `jointcase seed` first" in out.getvalue()
