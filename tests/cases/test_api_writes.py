"""The register's write API: persons and cases (with the pages' rules, the person form's
real-time match and the stale-edit version), the case team and exclusions (those who may
manage them only). Bad input is a 400 by field and nothing is stored."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from jointcase.audit.models import AuditEntry, Outcome
from jointcase.cases.models import Case, CaseExclusion, CaseTeamMember
from jointcase.people.models import Person
from tests.support.api import api_client

pytestmark = pytest.mark.django_db


def _send(client: Client, method: str, url: str, body: dict[str, Any], **headers: str) -> Any:
    return client.generic(
        method, url, json.dumps(body), content_type="application/json", headers=headers
    )


def _fields(response: Any) -> set[str]:
    return {error["field"] for error in response.json()["errors"]}


def test_creating_a_person_runs_the_person_form_s_match(case_world):
    client = api_client(case_world.personas.nsd_practitioner)
    people = Person.objects.count()
    # Bad input: a 400 naming each field, and nothing stored.
    bad = _send(
        client,
        "POST",
        "/api/v1/persons",
        {"family_name": " ", "date_of_birth": "2999-01-01", "gender": "X"},
    )
    assert bad.status_code == 400
    assert "payload.gender" in _fields(bad)  # the schema names the body field
    blank = _send(client, "POST", "/api/v1/persons", {"family_name": " "})
    assert blank.status_code == 400
    assert _fields(blank) == {"family_name"}
    future = _send(
        client, "POST", "/api/v1/persons", {"family_name": "Marlowe", "date_of_birth": "2999-01-01"}
    )
    assert _fields(future) == {"date_of_birth"}
    # The register's Daniel Holloway matches: 409 with him, and nothing created.
    details = {"given_names": "Daniel", "family_name": "Holloway", "date_of_birth": "1990-04-12"}
    refused = _send(client, "POST", "/api/v1/persons", details)
    assert refused.status_code == 409, refused.content
    body = refused.json()
    assert [match["id"] for match in body["possible_matches"]] == [str(case_world.person.public_id)]
    assert _fields(refused) == {"confirm_new"}
    assert Person.objects.count() == people
    # Confirmed: created, with the matches it was checked against.
    created = _send(
        client, "POST", "/api/v1/persons", {**details, "confirm_new": True}, Idempotency_Key="p-1"
    )
    assert created.status_code == 201, created.content
    person = created.json()
    assert person["display_name"] == "HOLLOWAY, Daniel"
    assert len(person["possible_matches"]) == 1
    # A retry with the same key replays the answer and makes no second person.
    again = _send(
        client, "POST", "/api/v1/persons", {**details, "confirm_new": True}, Idempotency_Key="p-1"
    )
    assert again.json()["id"] == person["id"]
    assert again["Idempotent-Replayed"] == "true"
    assert Person.objects.count() == people + 1
    # Someone nobody has heard of: no matches, created at once.
    new = _send(client, "POST", "/api/v1/persons", {"family_name": "Quillfeather"})
    assert new.status_code == 201
    assert new.json()["possible_matches"] == []


def test_changing_a_person_needs_the_version_last_read(case_world):
    client = api_client(case_world.personas.nsd_practitioner)
    url = f"/api/v1/persons/{case_world.person.public_id}"
    version = client.get(url).json()["version"]
    changed = _send(client, "PATCH", url, {"version": version, "nationality": "British"})
    assert changed.status_code == 200, changed.content
    assert changed.json()["version"] == version + 1
    assert changed.json()["date_of_birth"] == "1990-04-12"  # not sent: unchanged
    stale = _send(client, "PATCH", url, {"version": version, "gender": "MALE"})
    assert stale.status_code == 409
    assert _fields(stale) == {"version"}
    extra = _send(client, "PATCH", url, {"version": version + 1, "display_name": "X"})
    assert extra.status_code == 400
    assert Person.objects.get(pk=case_world.person.pk).gender == ""
    outsider = api_client(case_world.personas.officer_not_on_case)
    assert _send(outsider, "PATCH", url, {"version": version + 1}).status_code == 404


def test_opening_and_changing_a_case(case_world):
    practitioner = case_world.personas.nsd_practitioner
    client = api_client(practitioner)
    body = {
        "person": str(case_world.person.public_id),
        "actor_role": "LEAD_NSD_PRACTITIONER",
        "cohort": "TACT",
        "ideology": "OTHER",
        "lead_agency": practitioner.agency.code,
    }
    cases = Case.objects.count()
    bad = _send(client, "POST", "/api/v1/cases", {**body, "cohort": "NONE", "lead_agency": "x"})
    assert bad.status_code == 400
    assert "payload.cohort" in _fields(bad)
    unknown = _send(client, "POST", "/api/v1/cases", {**body, "lead_agency": "nowhere"})
    assert _fields(unknown) == {"lead_agency"}
    hidden = api_client(case_world.personas.officer_not_on_case)
    assert _send(hidden, "POST", "/api/v1/cases", body).status_code == 404
    assert Case.objects.count() == cases
    opened = _send(client, "POST", "/api/v1/cases", body)
    assert opened.status_code == 201, opened.content
    case = opened.json()
    assert case["person"]["id"] == str(case_world.person.public_id)
    team = client.get(f"/api/v1/cases/{case['id']}/team").json()["results"]
    assert [(m["user"], m["role"]) for m in team] == [
        (practitioner.username, "LEAD_NSD_PRACTITIONER")
    ]
    url = f"/api/v1/cases/{case['id']}"
    changed = _send(client, "PATCH", url, {"version": case["version"], "ideology": "ISLAMIST"})
    assert changed.status_code == 200, changed.content
    assert changed.json()["ideology"] == "ISLAMIST"
    stale = _send(client, "PATCH", url, {"version": case["version"], "cohort": "TACT"})
    assert _fields(stale) == {"version"}
    assert _send(hidden, "PATCH", url, {"version": 1}).status_code == 404


def test_the_case_team_and_exclusions_are_managed_by_their_managers_only(case_world):
    personas = case_world.personas
    case_url = f"/api/v1/cases/{case_world.case.public_id}"
    manager = api_client(personas.nsd_practitioner)  # the lead practitioner
    officer = api_client(personas.ctnm_officer)  # on the team, not a manager
    # Anyone who sees the case reads its team; only managers its exclusions.
    assert officer.get(f"{case_url}/team").json()["count"] == 3
    denials = AuditEntry.objects.filter(outcome=Outcome.DENY).count()
    assert officer.get(f"{case_url}/exclusions").status_code == 403
    add = {"role": "CT_SUPERVISOR", "user": personas.ct_supervisor.username}
    assert _send(officer, "POST", f"{case_url}/team", add).status_code == 403
    assert AuditEntry.objects.filter(outcome=Outcome.DENY).count() >= denials + 2
    exclusions = manager.get(f"{case_url}/exclusions").json()["results"]
    assert [row["user"] for row in exclusions] == [personas.excluded_officer.username]
    # Team: bad input, an excluded user, then a member added and taken off.
    members = CaseTeamMember.objects.count()
    neither = _send(manager, "POST", f"{case_url}/team", {"role": "CT_SUPERVISOR"})
    assert _fields(neither) == {"user"}
    excluded = {"role": "CTNM_OFFICER", "user": personas.excluded_officer.username}
    assert _fields(_send(manager, "POST", f"{case_url}/team", excluded)) == {"user"}
    assert CaseTeamMember.objects.count() == members
    added = _send(manager, "POST", f"{case_url}/team", add)
    assert added.status_code == 201, added.content
    member_id = added.json()["id"]
    assert officer.delete(f"{case_url}/team/{member_id}").status_code == 403
    assert manager.delete(f"{case_url}/team/{member_id}").status_code == 204
    assert manager.delete(f"{case_url}/team/999999").status_code == 404
    assert not CaseTeamMember.objects.filter(pk=member_id).exists()  # started today: gone
    # Exclusions: an unknown user and a missing reason are 400s; then one added and lifted.
    nobody = _send(manager, "POST", f"{case_url}/exclusions", {"user": "nobody", "reason": "r"})
    assert _fields(nobody) == {"user"}
    target = personas.officer_not_on_case.username
    no_reason = _send(manager, "POST", f"{case_url}/exclusions", {"user": target, "reason": ""})
    assert _fields(no_reason) == {"reason"}
    excluded_now = _send(
        manager, "POST", f"{case_url}/exclusions", {"user": target, "reason": "Conflict"}
    )
    assert excluded_now.status_code == 201, excluded_now.content
    exclusion_id = excluded_now.json()["id"]
    lift_url = f"{case_url}/exclusions/{exclusion_id}/lift"
    assert _fields(_send(manager, "POST", lift_url, {"reason": " "})) == {"reason"}
    assert _send(officer, "POST", lift_url, {"reason": "r"}).status_code == 403
    assert _send(manager, "POST", lift_url, {"reason": "Resolved"}).status_code == 204
    assert not CaseExclusion.objects.filter(pk=exclusion_id).exists()
    # Someone who may not see the case: 404 on every operation, as for a missing case.
    outsider = api_client(personas.officer_not_on_case)
    assert outsider.get(f"{case_url}/team").status_code == 404
    assert _send(outsider, "POST", f"{case_url}/team", add).status_code == 404
