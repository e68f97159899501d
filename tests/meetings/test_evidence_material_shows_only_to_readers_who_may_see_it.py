"""An action completed with a material item as evidence shows that item only to readers the
material rule lets see it: anyone else sees nothing about it (no link, no id, no title), on the
page and in the API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from jointcase.accounts.models import User
from jointcase.accounts.tokens import api_token_create
from jointcase.keyring import Keyring
from jointcase.material.services import items as item_services
from jointcase.meetings.models import AgreedAction
from jointcase.meetings.services.actions import action_complete, action_create
from tests.register_fixtures import CaseWorld

pytestmark = pytest.mark.django_db
ClientFor = Callable[[User], Client]
TITLE = "Police intelligence report on travel"


def _completed_with_secret_evidence(world: CaseWorld) -> tuple[AgreedAction, str]:
    people = world.personas
    item = item_services.material_add(
        actor=people.ctnm_officer,
        case=world.case,
        kind="INTELLIGENCE_REPORT",
        title=TITLE,
        classification="SECRET",
        caveats=["UK EYES ONLY"],
        body="Covert source reports travel planning (synthetic).",
    )
    action = action_create(
        actor=people.ctnm_officer,
        case=world.case,
        description="Confirm the travel reporting",
        owner=people.ctnm_officer,
        due_date=timezone.localdate() + dt.timedelta(days=5),
        source_kind="MATERIAL",
    )
    action = action_complete(
        actor=people.ctnm_officer,
        action=action,
        evidence="Reporting confirmed",
        evidence_item_id=item.pk,
    )
    return action, str(item.pk)


def test_a_bpss_reader_sees_nothing_of_secret_evidence_on_the_action_page(
    team_world: CaseWorld, keyring: Keyring, client_for: ClientFor
) -> None:
    action, item_id = _completed_with_secret_evidence(team_world)
    response = client_for(team_world.personas.pom).get(f"/meetings/actions/{action.public_id}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Reporting confirmed" in body  # the evidence text is the action's own
    assert "Linked material" not in body
    assert item_id not in body
    assert TITLE not in body


def test_a_cleared_reader_on_the_case_follows_the_evidence_link(
    team_world: CaseWorld, keyring: Keyring, client_for: ClientFor
) -> None:
    action, item_id = _completed_with_secret_evidence(team_world)
    body = (
        client_for(team_world.personas.nsd_practitioner)
        .get(f"/meetings/actions/{action.public_id}/")
        .content.decode()
    )
    assert "Linked material" in body
    assert f"/material/{item_id}/" in body


def test_the_api_never_gives_a_bpss_reader_the_secret_evidence_id(
    team_world: CaseWorld, keyring: Keyring
) -> None:
    action, item_id = _completed_with_secret_evidence(team_world)
    _token, plaintext = api_token_create(
        actor=None, user=team_world.personas.pom, name="test", days=1
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    for url in (
        f"/api/v1/actions/{action.public_id}",
        f"/api/v1/cases/{team_world.case.public_id}/actions",
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert item_id not in response.content.decode()
        assert TITLE not in response.content.decode()
