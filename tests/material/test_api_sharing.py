"""Share requests and tearline approval through the API: the pages' services and rules (the
originator agency decides, four eyes on a tearline, a request the asker's vetting could never
see granted is refused with the tearline request offered instead)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from jointcase.material.models import MaterialItem, ShareRequest
from tests.material.item_helpers import approved_tearline, secret_report
from tests.support.api import api_client

pytestmark = pytest.mark.usefixtures("keyring")


def _post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def _fields(response: Any) -> set[str]:
    return {error["field"] for error in response.json()["errors"]}


def test_the_pom_asks_for_a_tearline_at_her_level_and_the_originator_decides(material_world):
    personas = material_world.personas
    parent = secret_report(material_world)
    tearline = approved_tearline(material_world, parent)
    pom, supervisor = api_client(personas.pom), api_client(personas.ct_supervisor)
    url = f"/api/v1/material/{parent.pk}/requests"
    # Her vetting does not reach the report: an access request is refused before it is made.
    access = _post(pom, url, {"kind": "ACCESS", "reason": "Sentence planning"})
    assert access.status_code == 400
    assert _fields(access) == {"kind"}
    assert _post(pom, url, {"kind": "TEARLINE", "reason": ""}).status_code == 400
    assert not ShareRequest.objects.exists()
    asked = _post(pom, url, {"kind": "TEARLINE", "reason": "Sentence planning"})
    assert asked.status_code == 201, asked.content
    share = asked.json()
    assert share["status"] == "PENDING"
    assert share["title"] == tearline.title  # never the fuller version's title
    assert "Police intelligence report" not in asked.content.decode()
    assert pom.get("/api/v1/material/requests/mine").json()["results"][0]["id"] == share["id"]
    inbox = supervisor.get("/api/v1/material/requests/inbox").json()
    assert [row["id"] for row in inbox["results"]] == [share["id"]]
    assert pom.get("/api/v1/material/requests/inbox").json()["count"] == 0
    # The requester knows of it but may not decide (403); an outsider may not know (404).
    decision_url = f"/api/v1/material/requests/{share['id']}/decision"
    assert _post(pom, decision_url, {"approve": False, "reason": "r"}).status_code == 403
    outsider = api_client(personas.officer_not_on_case)
    assert _post(outsider, decision_url, {"approve": False, "reason": "r"}).status_code == 404
    assert _post(outsider, url, {"kind": "TEARLINE", "reason": "r"}).status_code == 404
    # A tearline request is answered by writing one: here it can only be refused.
    approve = _post(supervisor, decision_url, {"approve": True, "reason": "Yes"})
    assert approve.status_code == 400
    assert _fields(approve) == {"decision"}
    refused = _post(supervisor, decision_url, {"approve": False, "reason": "Not needed"})
    assert refused.status_code == 200, refused.content
    assert refused.json()["status"] == "REFUSED"
    assert _post(supervisor, decision_url, {"approve": False, "reason": "x"}).status_code == 403


def test_an_approved_access_request_lets_the_requester_read_the_item(material_world):
    personas = material_world.personas
    parent = secret_report(material_world, caveats=[], releasable_to=["ctu-north-east"])
    approved_tearline(material_world, parent)
    practitioner = api_client(personas.nsd_practitioner)
    assert practitioner.get(f"/api/v1/material/{parent.pk}").status_code == 404
    asked = _post(
        practitioner,
        f"/api/v1/material/{parent.pk}/requests",
        {"kind": "ACCESS", "reason": "Risk review"},
    )
    assert asked.status_code == 201, asked.content
    decision_url = f"/api/v1/material/requests/{asked.json()['id']}/decision"
    supervisor = api_client(personas.ct_supervisor)
    too_long = _post(supervisor, decision_url, {"approve": True, "reason": "ok", "days": 999})
    assert _fields(too_long) == {"payload.days"}
    approved = _post(supervisor, decision_url, {"approve": True, "reason": "ok", "days": 7})
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "APPROVED"
    assert practitioner.get(f"/api/v1/material/{parent.pk}").status_code == 200


def test_a_draft_tearline_is_approved_by_a_second_person_of_the_originator(material_world):
    personas = material_world.personas
    parent = secret_report(material_world)
    author = api_client(personas.ctnm_officer)
    draft = _post(
        author,
        f"/api/v1/material/{parent.pk}/tearlines",
        {"title": "Tearline: travel", "body": "Travel plans", "classification": "OFFICIAL"},
    ).json()
    url = f"/api/v1/material/{draft['id']}/approval"
    own = _post(author, url, {"approve": True})
    assert own.status_code == 403
    assert "second person" in own.json()["detail"]
    supervisor = api_client(personas.ct_supervisor)
    assert _fields(_post(supervisor, url, {"approve": False, "reason": ""})) == {"reason"}
    assert (
        _post(supervisor, f"/api/v1/material/{parent.pk}/approval", {"approve": True}).status_code
        == 403
    )
    approved = _post(supervisor, url, {"approve": True})
    assert approved.status_code == 200, approved.content
    assert approved.json()["tearline_status"] == "APPROVED"
    assert _post(supervisor, url, {"approve": False, "reason": "x"}).status_code == 403
    assert MaterialItem.objects.get(pk=draft["id"]).tearline_status == "APPROVED"
