""" "Known to you?" answers with the documented answer and nothing more, for every persona, on
the page and in the API; every ask is audited; asks are rate-limited per user."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from jointcase.access.known import known_ask_refusal
from jointcase.access.policy import person_decision
from jointcase.accounts.models import User
from jointcase.accounts.tokens import api_token_create
from jointcase.audit.models import AuditEntry, Outcome
from jointcase.exchange.services.known import ASK_ACTION, NO_MATCH, KnownAnswer
from tests.exchange_known.conftest import KnownWorld

pytestmark = pytest.mark.django_db

HOLLOWAY = {"given_names": "Daniel", "surname": "Holloway", "date_of_birth": "1990-04-12"}
FEATHERSTONE = {"given_names": "Rosalind", "surname": "Featherstone", "date_of_birth": "1972-09-30"}
NOBODY = {"given_names": "Peregrine", "surname": "Ashdown-Vale", "date_of_birth": "1961-06-03"}
#: Never in an answer: case references, aliases, identifiers, case facts, labels, the names
#: of other people on the register.
FORBIDDEN = [
    "JC-900001",
    "JC-900002",
    "Hollowey",
    "Fetherston",
    "X123456",
    "X765432",
    "A1234BC",
    "Islamist",
    "TACT",
    "UK EYES ONLY",
]


def _form(question: dict[str, str]) -> dict[str, str]:
    year, month, day = question["date_of_birth"].split("-")
    return {
        "given_names": question["given_names"],
        "surname": question["surname"],
        "date_of_birth-day": day,
        "date_of_birth-month": month,
        "date_of_birth-year": year,
        "identifier_type": question.get("identifier_type", ""),
        "identifier_value": question.get("identifier_value", ""),
    }


def _api(user: User) -> Client:
    _token, plaintext = api_token_create(actor=None, user=user, name="known", days=1)
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")


def _without_own_name(body: str, user: User) -> str:
    """The page less the header's signed-in name (a random synthetic staff name that may
    share a given name with someone asked about)."""
    return body.replace(html.escape(user.get_full_name()), "")


def _answer_text(body: str) -> str:
    found = re.search(r"<div[^>]*data-known-answer[^>]*>(.*?)</div>", body, re.S)
    assert found, "no answer on the page"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split())


def test_the_documented_answer_words_and_shape() -> None:
    assert KnownAnswer(known=False).sentence == NO_MATCH == "No managed record matches"
    known = KnownAnswer(known=True, agency="NSD North", role="Lead NSD practitioner")
    assert known.sentence == "A managed record exists: contact NSD North, Lead NSD practitioner"
    assert set(known.as_json()) == set(KnownAnswer(known=False).as_json())
    assert known.as_json() == {
        "known": True,
        "answer": known.sentence,
        "contact": {"agency": "NSD North", "role": "Lead NSD practitioner"},
        "person_id": None,
    }


def test_every_persona_gets_exactly_the_documented_answer_and_nothing_more(
    known_world: KnownWorld, client_for: Callable[[User], Client]
) -> None:
    holloway = known_world.world.person
    featherstone = known_world.hidden
    for persona, user in known_world.world.personas.all().items():
        page, api = client_for(user), _api(user)
        if known_ask_refusal(user) is not None:
            assert page.get(reverse("exchange:known")).status_code == 403, persona
            response = page.post(reverse("exchange:known"), _form(HOLLOWAY))
            assert response.status_code == 403, persona
            assert "managed record" not in response.content.decode(), persona
            refused = api.post("/api/v1/known", HOLLOWAY, content_type="application/json")
            assert refused.status_code == 403, persona
            assert "managed record" not in refused.content.decode(), persona
            continue
        cases = (
            (HOLLOWAY, holloway, "NSD North", "Lead NSD practitioner"),
            (FEATHERSTONE, featherstone, "CT Policing North West", "CTNM officer"),
            (NOBODY, None, "", ""),
        )
        for question, person, agency, role in cases:
            if person is None:
                expected = KnownAnswer(known=False)
            else:
                sees = person_decision(user, person).allowed
                expected = KnownAnswer(
                    known=True,
                    agency=agency,
                    role=role,
                    person_id=str(person.public_id) if sees else None,
                )
            where = f"{persona} asking about {question['surname']}"
            response = page.post(reverse("exchange:known"), _form(question))
            assert response.status_code == 200, where
            body = _without_own_name(response.content.decode(), user)
            wanted = expected.sentence + (" View the person" if expected.person_id else "")
            assert _answer_text(body) == wanted, where
            if person is not None and not expected.person_id:
                assert str(person.public_id) not in body, where
            for text in [*FORBIDDEN, question["surname"], question["given_names"]]:
                assert text not in body, f"{where}: {text!r} on the page"
            reply = api.post("/api/v1/known", question, content_type="application/json")
            assert reply.status_code == 200, where
            assert reply.json() == expected.as_json(), where
            for text in [*FORBIDDEN, question["surname"], question["given_names"]]:
                assert text not in reply.content.decode(), f"{where}: {text!r} in the API"


def test_a_visible_person_is_linked_and_a_hidden_one_is_not(
    known_world: KnownWorld, client_for: Callable[[User], Client]
) -> None:
    personas = known_world.world.personas
    holloway = known_world.world.person
    seen = client_for(personas.nsd_practitioner).post(reverse("exchange:known"), _form(HOLLOWAY))
    assert reverse("people:person", args=[holloway.public_id]) in seen.content.decode()
    unseen = client_for(personas.officer_not_on_case).post(
        reverse("exchange:known"), _form(HOLLOWAY)
    )
    assert str(holloway.public_id) not in unseen.content.decode()
    assert _answer_text(unseen.content.decode()) == (
        "A managed record exists: contact NSD North, Lead NSD practitioner"
    )


def test_an_identifier_alone_with_the_names_finds_the_person(
    known_world: KnownWorld, client_for: Callable[[User], Client]
) -> None:
    question = {
        "given_names": "Rosalind",
        "surname": "Featherstone",
        "date_of_birth": "1972-09-30",
        "identifier_type": "crn",
        "identifier_value": "x765432",
    }
    reply = _api(known_world.world.personas.ctnm_officer).post(
        "/api/v1/known", question, content_type="application/json"
    )
    assert reply.status_code == 200
    assert reply.json()["known"] is True


def test_every_ask_is_audited_with_who_asked_and_the_answer_class_never_the_names(
    known_world: KnownWorld, client_for: Callable[[User], Client]
) -> None:
    personas = known_world.world.personas
    user = personas.officer_not_on_case
    page = client_for(user)
    for question, answer in ((HOLLOWAY, "managed_hidden"), (NOBODY, "no_match")):
        before = AuditEntry.objects.filter(action=ASK_ACTION).count()
        assert page.post(reverse("exchange:known"), _form(question)).status_code == 200
        entries = list(AuditEntry.objects.filter(action=ASK_ACTION).order_by("seq"))
        assert len(entries) == before + 1
        entry = entries[-1]
        assert entry.actor_id == user.pk
        assert entry.actor_username == user.username
        assert entry.outcome == Outcome.SUCCESS
        assert entry.details["answer"] == answer
        assert entry.details["fields"] == ["date_of_birth", "given_names", "surname"]
        assert len(entry.details["question_sha256"]) == 64
        stored = str(entry.details) + entry.reason + entry.object_id
        assert question["surname"] not in stored
        assert question["given_names"] not in stored
    reply = _api(personas.nsd_practitioner).post(
        "/api/v1/known", HOLLOWAY, content_type="application/json"
    )
    assert reply.status_code == 200
    last = AuditEntry.objects.filter(action=ASK_ACTION).order_by("-seq").first()
    assert last is not None
    assert last.actor_id == personas.nsd_practitioner.pk
    assert last.details["answer"] == "managed_visible"
    assert last.details["matched_person"] == str(known_world.world.person.public_id)


def test_the_same_question_typed_differently_hashes_the_same(
    known_world: KnownWorld, client_for: Callable[[User], Client]
) -> None:
    page = client_for(known_world.world.personas.pom)
    page.post(reverse("exchange:known"), _form(HOLLOWAY))
    page.post(
        reverse("exchange:known"),
        _form({**HOLLOWAY, "given_names": " daniel ", "surname": "HOLLOWAY"}),
    )
    digests = [
        entry.details["question_sha256"]
        for entry in AuditEntry.objects.filter(action=ASK_ACTION).order_by("seq")
    ]
    assert len(digests) == 2
    assert digests[0] == digests[1]


@pytest.mark.parametrize(
    ("question", "field"),
    [
        ({**HOLLOWAY, "date_of_birth": "1990-02-30"}, "date_of_birth"),
        ({**HOLLOWAY, "date_of_birth": "12/04/1990"}, "date_of_birth"),
        ({**HOLLOWAY, "date_of_birth": "2999-01-01"}, "date_of_birth"),
        ({**HOLLOWAY, "surname": ""}, "surname"),
        ({**HOLLOWAY, "given_names": "   "}, "given_names"),
        ({**HOLLOWAY, "identifier_type": "crn", "identifier_value": "123"}, "identifier_value"),
        (
            {**HOLLOWAY, "identifier_type": "pnc_id", "identifier_value": "2019/0123456A"},
            "identifier_value",
        ),
        ({**HOLLOWAY, "identifier_type": "passport", "identifier_value": "1"}, "identifier_type"),
        ({**HOLLOWAY, "identifier_value": "X123456"}, "identifier_type"),
    ],
)
def test_bad_input_is_a_400_by_field_and_no_ask(
    known_world: KnownWorld,
    client_for: Callable[[User], Client],
    question: dict[str, str],
    field: str,
) -> None:
    user = known_world.world.personas.ctnm_officer
    reply = _api(user).post("/api/v1/known", question, content_type="application/json")
    assert reply.status_code == 400
    assert field in {item["field"].removeprefix("payload.") for item in reply.json()["errors"]}
    assert "managed record" not in reply.content.decode()
    if "/" not in question["date_of_birth"]:
        page = client_for(user).post(reverse("exchange:known"), _form(question))
        assert page.status_code == 400
        assert "govuk-error-summary" in page.content.decode()
        assert "data-known-answer" not in page.content.decode()
    assert not AuditEntry.objects.filter(action=ASK_ACTION).exists()


@override_settings(JOINTCASE_KNOWN_RATE_LIMIT=2, JOINTCASE_KNOWN_RATE_WINDOW_SECONDS=600)
def test_over_the_limit_the_page_says_so_and_the_api_answers_429_with_retry_after(
    known_world: KnownWorld, client_for: Callable[[User], Client]
) -> None:
    personas = known_world.world.personas
    user = personas.ctnm_officer
    api = _api(user)
    for _ in range(2):
        assert api.post("/api/v1/known", NOBODY, content_type="application/json").status_code == 200
    refused = api.post("/api/v1/known", NOBODY, content_type="application/json")
    assert refused.status_code == 429
    wait = int(refused["Retry-After"])
    assert 1 <= wait <= 600
    assert refused.json()["retry_after"] == wait
    assert "managed record" not in refused.content.decode()
    page = client_for(user).post(reverse("exchange:known"), _form(HOLLOWAY))
    assert page.status_code == 429
    assert "Try again in" in page.content.decode()
    assert "managed record" not in page.content.decode()
    assert AuditEntry.objects.filter(action=ASK_ACTION, actor_id=user.pk).count() == 2
    denials = AuditEntry.objects.filter(
        action="exchange.known_refused", actor_id=user.pk, outcome=Outcome.DENY
    )
    assert denials.count() == 2
    assert {entry.reason for entry in denials} == {"rate_limited"}
    # Another user has their own allowance.
    other = _api(personas.pom).post("/api/v1/known", NOBODY, content_type="application/json")
    assert other.status_code == 200
