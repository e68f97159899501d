"""Choosing an action's owner: an unknown username, an existing user who is not on the case and
an excluded user get one identical answer, so no case member can tell which usernames exist."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from jointcase.access.meetings import OWNER_REFUSED
from jointcase.accounts.models import User
from jointcase.accounts.tokens import api_token_create
from jointcase.meetings.models import AgreedAction
from jointcase.meetings.services.actions import action_create
from tests.register_fixtures import CaseWorld

pytestmark = pytest.mark.django_db
ClientFor = Callable[[User], Client]
NOT_USERS = ["nobody.here", "officer.notoncase", "excluded.officer", "prison.ctlead"]


def _api(user: User) -> Client:
    _token, plaintext = api_token_create(actor=None, user=user, name="test", days=1)
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")


def _answers(client: Client, url: str, payloads: list[dict[str, object]]) -> set[tuple[int, str]]:
    return {
        (response.status_code, response.content.decode())
        for response in (
            client.post(url, json.dumps(p), content_type="application/json") for p in payloads
        )
    }


def test_reassigning_to_an_unknown_or_an_unsuitable_user_answers_the_same_in_the_api(
    team_world: CaseWorld,
) -> None:
    people = team_world.personas
    action = action_create(
        actor=people.ct_supervisor,
        case=team_world.case,
        description="Check the address",
        owner=people.nsd_practitioner,
        due_date=timezone.localdate() + dt.timedelta(days=5),
        source_kind="ASSESSMENT",
    )
    answers = _answers(
        _api(people.ct_supervisor),
        f"/api/v1/actions/{action.public_id}/reassign",
        [{"owner": name, "reason": "Leave"} for name in NOT_USERS],
    )
    assert len(answers) == 1
    ((status, body),) = answers
    assert status == 400
    assert json.loads(body)["errors"] == [{"field": "owner", "message": OWNER_REFUSED}]
    assert AgreedAction.objects.get(pk=action.pk).owner == people.nsd_practitioner


def test_agreeing_an_action_for_an_unknown_or_an_unsuitable_user_answers_the_same_in_the_api(
    team_world: CaseWorld,
) -> None:
    people = team_world.personas
    # with other fields wrong too: the answers must not differ in any field
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    answers = _answers(
        _api(people.ct_supervisor),
        f"/api/v1/cases/{team_world.case.public_id}/actions",
        [{"description": " ", "owner": name, "due_date": yesterday} for name in NOT_USERS],
    )
    assert len(answers) == 1
    ((status, body),) = answers
    assert status == 400
    assert {"field": "owner", "message": OWNER_REFUSED} in json.loads(body)["errors"]
    assert not AgreedAction.objects.exists()


def test_reassigning_on_the_page_to_a_missing_or_an_unsuitable_person_answers_the_same(
    team_world: CaseWorld, client_for: ClientFor
) -> None:
    people = team_world.personas
    action = action_create(
        actor=people.ct_supervisor,
        case=team_world.case,
        description="Check the address",
        owner=people.nsd_practitioner,
        due_date=timezone.localdate() + dt.timedelta(days=5),
        source_kind="ASSESSMENT",
    )
    client = client_for(people.ct_supervisor)
    url = f"/meetings/actions/{action.public_id}/reassign/"
    missing_pk = User.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1000
    for owner in (missing_pk, people.prison_ct_lead.pk, people.officer_not_on_case.pk):
        response = client.post(url, {"version": action.version, "owner": owner, "reason": "x"})
        assert response.status_code == 400
        assert OWNER_REFUSED in response.content.decode()
    assert AgreedAction.objects.get(pk=action.pk).owner == people.nsd_practitioner
