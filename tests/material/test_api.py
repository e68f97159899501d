"""The material API: same rules as the pages; mass assignment refused; 400 with field errors."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from jointcase.material.models import MaterialItem
from tests.material.item_helpers import SECRET_BODY, approved_tearline, secret_report
from tests.support.api import api_client

pytestmark = pytest.mark.usefixtures("keyring")


def _post(client: Client, url: str, data: dict) -> object:
    return client.post(url, json.dumps(data), content_type="application/json")


def test_the_api_lists_only_what_the_caller_may_see(material_world):
    parent = secret_report(material_world)
    tearline = approved_tearline(material_world, parent)
    pom = api_client(material_world.personas.pom)
    listing = pom.get(f"/api/v1/cases/{material_world.case.public_id}/material").json()
    assert listing["count"] == 1
    assert listing["results"][0]["id"] == str(tearline.pk)
    assert pom.get(f"/api/v1/material/{parent.pk}").status_code == 404
    officer = api_client(material_world.personas.ctnm_officer)
    detail = officer.get(f"/api/v1/material/{parent.pk}").json()
    assert detail["body"] == SECRET_BODY
    assert detail["originator"] == "ctu-north-east"


def test_someone_not_on_the_case_gets_404_for_the_case_list(material_world):
    secret_report(material_world)
    outsider = api_client(material_world.personas.officer_not_on_case)
    assert (
        outsider.get(f"/api/v1/cases/{material_world.case.public_id}/material").status_code == 404
    )


def test_creating_through_the_api_takes_the_originator_from_the_caller(material_world):
    officer = api_client(material_world.personas.ctnm_officer)
    response = _post(
        officer,
        f"/api/v1/cases/{material_world.case.public_id}/material",
        {
            "kind": "NOTE",
            "title": "API note",
            "classification": "OFFICIAL-SENSITIVE",
            "body": "Text",
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["originator"] == "ctu-north-east"


def test_mass_assignment_of_the_originator_is_refused(material_world):
    officer = api_client(material_world.personas.ctnm_officer)
    response = _post(
        officer,
        f"/api/v1/cases/{material_world.case.public_id}/material",
        {
            "kind": "NOTE",
            "title": "API note",
            "classification": "OFFICIAL",
            "body": "Text",
            "originator": "partner",
        },
    )
    assert response.status_code == 400
    assert any(e["field"].endswith("originator") for e in response.json()["errors"])
    assert not MaterialItem.objects.exists()


def test_bad_input_is_a_400_with_field_errors(material_world):
    officer = api_client(material_world.personas.ctnm_officer)
    response = _post(
        officer,
        f"/api/v1/cases/{material_world.case.public_id}/material",
        {
            "kind": "NOTE",
            "title": "x",
            "classification": "TOP SECRET",
            "body": "b",
            "caveats": ["NOPE"],
        },
    )
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"classification", "caveats"} <= fields
    assert not MaterialItem.objects.exists()


def test_a_tearline_through_the_api_and_the_label_operation(material_world):
    parent = secret_report(material_world)
    officer = api_client(material_world.personas.ctnm_officer)
    response = _post(
        officer,
        f"/api/v1/material/{parent.pk}/tearlines",
        {
            "title": "T",
            "body": "sanitised",
            "classification": "OFFICIAL",
        },
    )
    assert response.status_code == 201
    assert response.json()["tearline_status"] == "DRAFT"
    practitioner = api_client(material_world.personas.nsd_practitioner)
    note = secret_report(material_world, caveats=[], classification="OFFICIAL")
    raised = _post(
        practitioner,
        f"/api/v1/material/{note.pk}/label",
        {
            "classification": "SECRET",
            "orcon": False,
            "reason": "Source detail",
            "version": 1,
        },
    )
    assert raised.status_code == 200
    assert raised.json()["classification"] == "SECRET"
    lowered = _post(
        practitioner,
        f"/api/v1/material/{note.pk}/label",
        {
            "classification": "OFFICIAL",
            "orcon": False,
            "reason": "x",
            "version": 2,
        },
    )
    assert lowered.status_code == 403  # view versus edit: seen, not the originator


def test_a_hidden_fuller_version_is_not_revealed_by_the_api(material_world):
    parent = secret_report(material_world)
    tearline = approved_tearline(material_world, parent, hide_fuller_version=True)
    pom = api_client(material_world.personas.pom)
    listing = pom.get(f"/api/v1/cases/{material_world.case.public_id}/material").json()
    assert listing["results"][0]["parent"] is None
    assert pom.get(f"/api/v1/material/{tearline.pk}").json()["parent"] is None
    officer = api_client(material_world.personas.ctnm_officer)
    assert officer.get(f"/api/v1/material/{tearline.pk}").json()["parent"] == str(parent.pk)


def test_the_list_narrows_by_title_kind_and_marking_within_what_the_caller_may_see(
    material_world,
):
    secret_report(material_world, title="Travel to the port")
    secret_report(
        material_world, title="Travel plans", classification="OFFICIAL-SENSITIVE", caveats=[]
    )
    secret_report(material_world, title="Associates", kind="NOTE", caveats=[])
    url = f"/api/v1/cases/{material_world.case.public_id}/material"
    officer = api_client(material_world.personas.ctnm_officer)

    def titles(client: Client, query: str) -> tuple[int, list[str]]:
        body = client.get(f"{url}?{query}").json()
        return body["count"], sorted(item["title"] for item in body["results"])

    assert titles(officer, "title=travel") == (2, ["Travel plans", "Travel to the port"])
    assert titles(officer, "title=travel+port") == (1, ["Travel to the port"])
    assert titles(officer, "kind=NOTE") == (1, ["Associates"])
    assert titles(officer, "classification=SECRET&title=travel") == (1, ["Travel to the port"])
    # the BPSS prison offender manager: the SECRET item is neither listed nor counted
    pom = api_client(material_world.personas.pom)
    assert titles(pom, "title=travel") == (1, ["Travel plans"])
    assert titles(pom, "classification=SECRET") == (0, [])
    bad = officer.get(f"{url}?classification=COSMIC&kind=POEM")
    assert bad.status_code == 400
    assert {e["field"] for e in bad.json()["errors"]} == {"classification", "kind"}


def test_material_refusals_answer_in_the_shared_error_shape(material_world):
    """The material routes raise and ``jointcase.api_common``'s handlers answer: a stale version
    is a 400 keyed by ``version``, a refusal of a visible item a 403 that says why, an item
    the caller may not see the bare 404 of a missing one."""
    note = secret_report(material_world, caveats=[], classification="OFFICIAL")
    practitioner = api_client(material_world.personas.nsd_practitioner)
    url = f"/api/v1/material/{note.pk}/label"
    raise_it = {"classification": "SECRET", "orcon": False, "reason": "Source detail"}
    stale = _post(practitioner, url, {**raise_it, "version": 7})
    assert stale.status_code == 400
    assert [error["field"] for error in stale.json()["errors"]] == ["version"]
    assert _post(practitioner, url, {**raise_it, "version": 1}).status_code == 200
    lowered = _post(
        practitioner, url, {**raise_it, "classification": "OFFICIAL", "reason": "x", "version": 2}
    )
    assert lowered.status_code == 403
    body = lowered.json()
    assert "the originator, may lower this label" in body["detail"]
    assert body["errors"] == [{"field": "request", "message": body["detail"]}]
    outsider = api_client(material_world.personas.officer_not_on_case)
    hidden = _post(outsider, url, {**raise_it, "version": 2})
    assert hidden.status_code == 404
    assert hidden.json() == {"detail": "Not Found"}
    assert MaterialItem.objects.get(pk=note.pk).classification == "SECRET"
