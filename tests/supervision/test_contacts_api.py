"""Contacts in the API: a case's contacts with notes only at the caller's clearance, planning
and recording one; 400 by field (nothing stored), 404 for a case the caller may not see, 403
for a caller who sees the case but may not plan contacts; the OpenAPI documents exactly these
answers."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from jointcase.api import api
from jointcase.cases.models import CaseAccessGrant, TimelineEvent
from jointcase.supervision.models import Contact, ContactKind, ContactOutcome
from jointcase.supervision.services.contacts import NotesLabel, contact_record
from tests.register_fixtures import CaseWorld
from tests.supervision.conftest import SECRET_NOTE
from tests.support.api import api_client

pytestmark = pytest.mark.django_db


def _url(world: CaseWorld) -> str:
    return f"/api/v1/cases/{world.case.public_id}/contacts"


def _post(world: CaseWorld, user: Any, body: dict[str, Any]) -> Any:
    return api_client(user).post(_url(world), json.dumps(body), content_type="application/json")


def test_notes_are_returned_only_at_the_callers_clearance(contacts_world: CaseWorld) -> None:
    contact_record(
        actor=contacts_world.personas.nsd_practitioner,
        case=contacts_world.case,
        kind=ContactKind.JOINT_POLICE_VISIT,
        occurred_at=timezone.now() - dt.timedelta(days=1),
        outcome=ContactOutcome.ATTENDED,
        notes=SECRET_NOTE,
        label=NotesLabel(classification="SECRET"),
    )
    cleared = api_client(contacts_world.personas.nsd_practitioner).get(_url(contacts_world))
    assert cleared.status_code == 200
    row = cleared.json()["results"][0]
    assert (row["notes"], row["notes_withheld"]) == (SECRET_NOTE, False)
    below = api_client(contacts_world.personas.pom).get(_url(contacts_world))
    assert below.status_code == 200
    body = below.json()
    assert body["count"] == 1
    assert (body["results"][0]["notes"], body["results"][0]["notes_withheld"]) == (None, True)
    assert body["results"][0]["kind"] == "JOINT_POLICE_VISIT"
    assert SECRET_NOTE not in below.content.decode()


def test_a_contact_is_planned_and_recorded_through_the_api(contacts_world: CaseWorld) -> None:
    user = contacts_world.personas.ctnm_officer
    planned = _post(
        contacts_world,
        user,
        {
            "action": "plan",
            "kind": "JOINT_POLICE_VISIT",
            "planned_for": (timezone.now() + dt.timedelta(days=3)).isoformat(),
        },
    )
    assert planned.status_code == 201, planned.content
    assert planned.json()["outcome"] == ""
    recorded = _post(
        contacts_world,
        user,
        {
            "action": "record",
            "kind": "TELEPHONE",
            "occurred_at": (timezone.now() - dt.timedelta(hours=2))
            .replace(tzinfo=None)
            .isoformat(),
            "outcome": "ACCEPTABLE_ABSENCE",
            "notes": "Unwell; rearranged (synthetic).",
        },
    )
    assert recorded.status_code == 201, recorded.content
    assert recorded.json()["notes"] == "Unwell; rearranged (synthetic)."
    assert Contact.objects.count() == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {
                "action": "record",
                "kind": "OFFICE",
                "occurred_at": "2099-01-01T10:00:00+00:00",
                "outcome": "ATTENDED",
            },
            "occurred_at",
        ),
        (
            {
                "action": "record",
                "kind": "OFFICE",
                "occurred_at": "2024-01-01T10:00:00+00:00",
                "outcome": "FAILED_TO_ATTEND",
                "enforcement": "RECALL_REQUEST",
            },
            "enforcement_reason",
        ),
        ({"action": "plan", "kind": "OFFICE"}, "planned_for"),
        ({"action": "record", "kind": "NOT_A_KIND", "outcome": "ATTENDED"}, "kind"),
        (
            {
                "action": "plan",
                "kind": "OFFICE",
                "planned_for": "2099-01-01T10:00:00Z",
                "caveats": ["NOPE"],
            },
            "caveats",
        ),
    ],
)
def test_bad_input_is_a_400_by_field_and_nothing_is_stored(
    contacts_world: CaseWorld, body: dict[str, Any], field: str
) -> None:
    timeline = TimelineEvent.objects.count()
    response = _post(contacts_world, contacts_world.personas.nsd_practitioner, body)
    assert response.status_code == 400, response.content
    fields = {error["field"].removeprefix("payload.") for error in response.json()["errors"]}
    assert field in fields
    assert not Contact.objects.exists()
    assert TimelineEvent.objects.count() == timeline


def test_an_invisible_case_is_a_404_and_a_partner_who_sees_it_is_refused_with_a_403(
    contacts_world: CaseWorld,
) -> None:
    body = {
        "action": "record",
        "kind": "OFFICE",
        "occurred_at": "2024-01-01T10:00:00+00:00",
        "outcome": "ATTENDED",
    }
    outsider = contacts_world.personas.officer_not_on_case
    assert api_client(outsider).get(_url(contacts_world)).status_code == 404
    assert _post(contacts_world, outsider, body).status_code == 404
    excluded = contacts_world.personas.excluded_officer
    assert _post(contacts_world, excluded, body).status_code == 404
    partner = contacts_world.personas.partner_liaison
    now = timezone.now()
    CaseAccessGrant.objects.create(
        case=contacts_world.case,
        user=partner,
        reason="Intelligence sharing (synthetic)",
        starts_at=now - dt.timedelta(hours=1),
        expires_at=now + dt.timedelta(days=1),
    )
    assert api_client(partner).get(_url(contacts_world)).status_code == 200
    refused = _post(contacts_world, partner, body)
    assert refused.status_code == 403
    assert "agencies that manage cases" in refused.json()["detail"]
    assert not Contact.objects.exists()


def test_the_openapi_documents_exactly_the_answers_given() -> None:
    schema = api.get_openapi_schema()
    operations = schema["paths"]["/api/v1/cases/{case_id}/contacts"]
    errors = {"400", "401", "403", "404", "429"}  # any operation's (api_common.JointCaseApi)
    assert {str(code) for code in operations["get"]["responses"]} == {"200", *errors}
    assert {str(code) for code in operations["post"]["responses"]} == {"201", "409", *errors}
