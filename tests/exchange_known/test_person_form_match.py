"""The person form matches a new person against the whole register before saving: likely
persons the user may see are listed, the others only as the documented "Known to you?" answer;
"create a new person anyway" creates exactly one person."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from jointcase.accounts.models import User
from jointcase.accounts.tokens import api_token_create
from jointcase.audit.models import AuditEntry
from jointcase.exchange.services.known import MATCH_ACTION
from jointcase.people.models import Person
from tests.exchange_known.conftest import KnownWorld

pytestmark = pytest.mark.django_db

HOLLOWAY = {
    "given_names": "Daniel",
    "family_name": "Holloway",
    "date_of_birth-day": "12",
    "date_of_birth-month": "4",
    "date_of_birth-year": "1990",
    "gender": "",
    "nationality": "",
}
FEATHERSTONE = {
    **HOLLOWAY,
    "given_names": "Rosalind",
    "family_name": "Featherstone",
    "date_of_birth-day": "30",
    "date_of_birth-month": "9",
    "date_of_birth-year": "1972",
}
NEWCOMER = {**HOLLOWAY, "given_names": "Ottoline", "family_name": "Brackenbury-Lisle"}
#: Never shown to a user who may not see the person.
HIDDEN_DETAILS = ["JC-900001", "JC-900002", "Hollowey", "Fetherston", "X123456", "X765432"]


def _token(body: str) -> str:
    found = re.search(r'name="confirm_new" value="([^"]+)"', body)
    assert found, "no create-anyway form"
    return found.group(1)


def test_a_visible_match_is_listed_and_nothing_is_saved_until_confirmed(
    known_world: KnownWorld, client_for: Callable[[User], Client]
) -> None:
    user = known_world.world.personas.nsd_practitioner
    holloway = known_world.world.person
    client = client_for(user)
    people = Person.objects.count()
    response = client.post(reverse("people:new"), HOLLOWAY)
    assert response.status_code == 200
    body = response.content.decode()
    assert "This person may already be on the register" in body
    assert reverse("people:person", args=[holloway.public_id]) in body
    assert "X123456" in body  # the user may see this person's identifiers
    assert "JC-900001" not in body
    assert Person.objects.count() == people
    token = _token(body)
    created = client.post(reverse("people:new"), {**HOLLOWAY, "confirm_new": token})
    assert created.status_code == 302
    assert Person.objects.count() == people + 1
    # The same confirmation again (a double click, the back button) creates nothing more: it
    # is matched again, and now finds the person just created too.
    again = client.post(reverse("people:new"), {**HOLLOWAY, "confirm_new": token})
    assert again.status_code == 200
    assert Person.objects.count() == people + 1
    new = Person.objects.order_by("-pk").first()
    assert new is not None
    assert reverse("people:person", args=[new.public_id]) in again.content.decode()
    assert AuditEntry.objects.filter(action=MATCH_ACTION, actor_id=user.pk).count() == 2


def test_a_hidden_match_is_only_the_documented_answer(
    known_world: KnownWorld, client_for: Callable[[User], Client]
) -> None:
    user = known_world.world.personas.officer_not_on_case
    holloway = known_world.world.person
    client = client_for(user)
    response = client.post(reverse("people:new"), HOLLOWAY)
    assert response.status_code == 200
    body = response.content.decode()
    assert "A managed record exists: contact NSD North, Lead NSD practitioner" in body
    assert str(holloway.public_id) not in body
    assert "data-matches" not in body
    for text in HIDDEN_DETAILS:
        assert text not in body, text
    people = Person.objects.count()
    created = client.post(reverse("people:new"), {**HOLLOWAY, "confirm_new": _token(body)})
    assert created.status_code == 302
    assert Person.objects.count() == people + 1


def test_a_person_like_nobody_is_saved_at_once(
    known_world: KnownWorld, client_for: Callable[[User], Client]
) -> None:
    client = client_for(known_world.world.personas.pom)
    people = Person.objects.count()
    response = client.post(reverse("people:new"), NEWCOMER)
    assert response.status_code == 302
    assert Person.objects.count() == people + 1


def test_changed_or_invalid_details_are_never_created_on_an_old_confirmation(
    known_world: KnownWorld, client_for: Callable[[User], Client]
) -> None:
    client = client_for(known_world.world.personas.ctnm_officer)
    people = Person.objects.count()
    token = _token(client.post(reverse("people:new"), HOLLOWAY).content.decode())
    # Details changed after the matches were shown: matched again, not created.
    changed = client.post(reverse("people:new"), {**FEATHERSTONE, "confirm_new": token})
    assert changed.status_code == 200
    assert "This person may already be on the register" in changed.content.decode()
    assert Person.objects.count() == people
    token = _token(changed.content.decode())
    invalid = client.post(
        reverse("people:new"), {**FEATHERSTONE, "date_of_birth-day": "31", "confirm_new": token}
    )
    assert invalid.status_code == 400
    assert "govuk-error-summary" in invalid.content.decode()
    assert Person.objects.count() == people


def test_the_api_lists_visible_matches_and_answers_for_the_others(
    known_world: KnownWorld,
) -> None:
    personas = known_world.world.personas
    record = {"given_names": "Daniel", "surname": "Holloway", "date_of_birth": "1990-04-12"}
    for user, sees in ((personas.nsd_practitioner, True), (personas.officer_not_on_case, False)):
        _token_row, plaintext = api_token_create(actor=None, user=user, name="t", days=1)
        api = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
        reply = api.post("/api/v1/persons/matches", record, content_type="application/json")
        assert reply.status_code == 200, reply.content
        body = reply.json()
        ids = [match["id"] for match in body["matches"]]
        if sees:
            assert ids == [str(known_world.world.person.public_id)]
            assert body["others"]["known"] is False
        else:
            assert ids == []
            assert body["others"] == {
                "known": True,
                "answer": "A managed record exists: contact NSD North, Lead NSD practitioner",
                "contact": {"agency": "NSD North", "role": "Lead NSD practitioner"},
                "person_id": None,
            }
            for text in HIDDEN_DETAILS:
                assert text not in reply.content.decode()
    for bad_fields, field in (
        ({"crn": "12"}, "crn"),
        ({"date_of_birth": "1990-13-01"}, "date_of_birth"),
    ):
        bad = api.post(
            "/api/v1/persons/matches", {**record, **bad_fields}, content_type="application/json"
        )
        assert bad.status_code == 400
        named = {item["field"].removeprefix("payload.") for item in bad.json()["errors"]}
        assert named == {field}


@override_settings(JOINTCASE_KNOWN_RATE_LIMIT=1)
def test_over_the_rate_limit_the_person_form_says_so_and_saves_nothing(
    known_world: KnownWorld, client_for: Callable[[User], Client]
) -> None:
    client = client_for(known_world.world.personas.pom)
    assert client.post(reverse("people:new"), NEWCOMER).status_code == 302
    people = Person.objects.count()
    refused = client.post(reverse("people:new"), {**NEWCOMER, "given_names": "Thomasina"})
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "govuk-error-summary" in body
    assert "too many times" in body
    assert Person.objects.count() == people
