"""The required-checks API: the same scoping, refusals and errors as the rest of the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from jointcase.accounts.models import User
from jointcase.accounts.tokens import api_token_create
from jointcase.audit.models import AuditEntry, Outcome
from jointcase.risk.models import CheckStatus, RequiredCheck
from tests.register_fixtures import CaseWorld

pytestmark = pytest.mark.django_db


def _api(user: User) -> Client:
    _token, plaintext = api_token_create(actor=None, user=user, name="test", days=1)
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")


def _da(world: CaseWorld) -> RequiredCheck:
    return RequiredCheck.objects.get(case=world.case, rule_code="DA_AT_ALLOCATION")


def _complete(client: Client, check: RequiredCheck, **body: object) -> object:
    return client.post(
        f"/api/v1/checks/{check.public_id}/complete", body, content_type="application/json"
    )


def test_a_cases_checks_and_mine(checks_world: CaseWorld) -> None:
    client = _api(checks_world.personas.nsd_practitioner)
    response = client.get(f"/api/v1/cases/{checks_world.case.public_id}/checks")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert {r["check_type_label"] for r in body["results"]} == {
        "Police domestic abuse call-out check",
        "Children's social care safeguarding check",
    }
    mine = client.get("/api/v1/checks/mine", {"check_type": "POLICE_DA_CALLOUT"}).json()
    assert [r["rule"] for r in mine["results"]] == ["DA_AT_ALLOCATION"]
    outsider = _api(checks_world.personas.officer_not_on_case)
    assert outsider.get(f"/api/v1/cases/{checks_world.case.public_id}/checks").status_code == 404
    assert outsider.get("/api/v1/checks/mine").json()["count"] == 0


def test_completing_through_the_api(checks_world: CaseWorld) -> None:
    today = timezone.localdate().isoformat()
    check = _da(checks_world)
    client = _api(checks_world.personas.nsd_practitioner)
    missing = _complete(client, check, requested_on=today, received_on=today)
    assert missing.status_code == 400  # type: ignore[attr-defined]
    assert {e["field"] for e in missing.json()["errors"]} == {"payload.outcome"}  # type: ignore[attr-defined]
    assert _da(checks_world).status == CheckStatus.OPEN
    done = _complete(client, check, outcome="NO_TRACE", requested_on=today, received_on=today)
    assert done.status_code == 200  # type: ignore[attr-defined]
    assert done.json()["status"] == "COMPLETED"  # type: ignore[attr-defined]


def test_the_api_refuses_like_the_pages(checks_world: CaseWorld) -> None:
    today = timezone.localdate().isoformat()
    check = _da(checks_world)
    body = {"outcome": "NO_TRACE", "requested_on": today, "received_on": today}
    other_role = _complete(_api(checks_world.personas.ctnm_officer), check, **body)
    assert other_role.status_code == 403  # type: ignore[attr-defined]
    hidden = _complete(_api(checks_world.personas.excluded_officer), check, **body)
    assert hidden.status_code == 404  # type: ignore[attr-defined]
    assert _da(checks_world).status == CheckStatus.OPEN
    assert AuditEntry.objects.filter(outcome=Outcome.DENY, action="check.complete").exists()
    off_scale = _complete(
        _api(checks_world.personas.nsd_practitioner), check, **{**body, "outcome": "MAYBE"}
    )
    assert off_scale.status_code == 400  # type: ignore[attr-defined]


def test_compliance_through_the_api(checks_world: CaseWorld) -> None:
    today = timezone.localdate()
    query = {
        "from": (today - dt.timedelta(days=400)).isoformat(),
        "to": (today + dt.timedelta(days=400)).isoformat(),
        "group_by": ["family", "month"],
    }
    assert (
        _api(checks_world.personas.nsd_practitioner)
        .get("/api/v1/compliance/checks", query)
        .status_code
        == 403
    )
    response = _api(checks_world.personas.national_lead).get("/api/v1/compliance/checks", query)
    assert response.status_code == 200
    assert response.json()["group_by"] == ["family", "month"]
    bad = _api(checks_world.personas.nsd_lead).get(
        "/api/v1/compliance/checks", {**query, "group_by": ["horoscope"]}
    )
    assert bad.status_code == 400
