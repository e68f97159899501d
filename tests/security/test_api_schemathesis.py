"""The OpenAPI document is exact: schemathesis, driven in-process through the WSGI application,
generates requests from /api/v1/openapi.json for every operation (present and future) and runs
all its checks on each answer: no 5xx, every status and body as documented (errors included),
no schema-valid request refused as malformed, invalid ones refused, authentication not ignored.
Three callers: a CT supervisor persona's token with every scope (all checks, no failures), no
token (every operation 401) and a read-only token (every write 403, before anything runs).

Bounded and deterministic: a few derandomized examples per operation and generation mode, no
example database, so it never flakes and costs well under a minute. A larger pass, by hand:
docs/api.md "Generating a client".
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from ninja import Schema
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from jointcase.access.accounts import READ, TOKEN_SCOPES
from jointcase.accounts.tokens import api_token_create
from jointcase.keyring import keyring_init
from tests.conftest import Personas

# A generic walk over every API operation, like the route walk: run once (the SQLite run).
pytestmark = [pytest.mark.django_db, pytest.mark.route_walk]

OPENAPI = "/api/v1/openapi.json"
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: Rules JSON Schema cannot state, by operation and field: a request the document allows may
#: still be a 400, but only naming one of these fields (any other field at fault, or a 400 with
#: none, still fails "valid data should have been accepted"; every other check runs as usual).
#: Each one depends on the day, the register, the caller or another field:
_DATE_OF_BIRTH = "after 1900 and not in the future (today's date)"
_IDENTIFIER = "the identifier's own format, a PNC id with its check character"
_USER = "a username of an active user the rules allow here (the register of users)"
_CODES = "codes of active caveats or agencies (a vocabulary the database holds)"
_LABEL = "a classification within the caller's clearance and the system's, releasable as given"
RULES_BEYOND_THE_SCHEMA: dict[str, dict[str, str]] = {
    "POST /api/v1/known": {
        "date_of_birth": _DATE_OF_BIRTH,
        "identifier_value": _IDENTIFIER,
        "identifier_type": "given with a value (and a value with its type)",
    },
    "POST /api/v1/persons/matches": {
        "date_of_birth": _DATE_OF_BIRTH,
        "pnc_id": _IDENTIFIER,
        "crn": _IDENTIFIER,
        "prison_number": _IDENTIFIER,
    },
    "POST /api/v1/persons": {"date_of_birth": _DATE_OF_BIRTH},
    "PATCH /api/v1/persons/{person_id}": {"date_of_birth": _DATE_OF_BIRTH},
    "POST /api/v1/cases": {
        "lead_agency": _CODES,
        "opened_at": "not in the future (today's date)",
    },
    "PATCH /api/v1/cases/{case_id}": {"lead_agency": _CODES},
    "POST /api/v1/cases/{case_id}/team": {"user": _USER, "team": "the id of an active team"},
    "POST /api/v1/cases/{case_id}/exclusions": {"user": _USER},
    "POST /api/v1/cases/{case_id}/material": {
        "caveats": _CODES,
        "releasable_to": _CODES,
        "classification": _LABEL,
    },
    "POST /api/v1/cases/{case_id}/assessments": {
        "caveats": _CODES,
        "releasable_to": _CODES,
        "classification": _LABEL,
    },
    "GET /api/v1/compliance/checks": {"to": "on or after from, at most three years after it"},
    "POST /api/v1/cases/{case_id}/actions": {
        "owner": _USER,
        "due_date": "today or later (today's date)",
    },
    "POST /api/v1/actions/{action_id}/reassign": {"owner": _USER + ", not the current owner"},
    "POST /api/v1/actions/{action_id}/due": {"due_date": "today or later (today's date)"},
    "POST /api/v1/cases/{case_id}/plan": {"owner": _USER},
    "POST /api/v1/meetings": {
        "chair": _USER,
        "invitees": _USER,
        "minutes_releasable_to": _CODES,
    },
    "POST /api/v1/meetings/{meeting_id}": {"chair": _USER},
    "POST /api/v1/meetings/{meeting_id}/invitations": {
        "user": _USER,
        "external_agency": "an agency the minutes may be released to",
    },
    "POST /api/v1/meetings/{meeting_id}/minutes": {
        "caveats": _CODES,
        "releasable_to": _CODES + ", every invitee's agency among them",
        "classification": _LABEL,
    },
    "POST /api/v1/cases/{case_id}/contacts": {
        "caveats": _CODES,
        "releasable_to": _CODES,
        "classification": _LABEL,
        "planned_for": "today or later, up to a year ahead (today's date)",
        "occurred_at": "not in the future (the time now)",
        "enforcement_reason": "needed with an enforcement action",
        "enforcement": "no breach or recall request after an acceptable absence",
    },
    "POST /api/v1/checks/{check_id}/complete": {
        "requested_on": "today or earlier (today's date)",
        "received_on": "on or after requested_on, today or earlier (today's date)",
    },
}


def _beyond_the_schema(operation: Any, case: Any, response: Any) -> None:
    """A valid request answered 400 only for a rule of ``RULES_BEYOND_THE_SCHEMA``."""
    if response.status_code != 400 or not case.meta.generation.mode.is_positive:
        return
    errors = response.json().get("errors", [])
    fields = {item["field"].removeprefix("payload.").split(".")[0] for item in errors}
    allowed = RULES_BEYOND_THE_SCHEMA[operation.label]
    assert fields, f"{operation.label}: valid data refused naming no field: {response.text}"
    assert fields <= set(allowed), (
        f"{operation.label}: valid data refused on {sorted(fields - set(allowed))}: {response.text}"
    )


def _settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )


def _token(user: Any, scopes: list[str]) -> dict[str, str]:
    _row, plaintext = api_token_create(
        actor=None, user=user, name="schemathesis", days=1, scopes=scopes
    )
    return {"Authorization": f"Bearer {plaintext}"}


def _operations(headers: dict[str, str] | None = None) -> list[Any]:
    """Every operation of the document the app serves; ``headers`` go with every request (the
    token: schemathesis itself neither generates nor drops the ``Authorization`` header)."""
    config = schemathesis.Config.from_dict(
        {"headers": headers or {}, "generation": {"with-security-parameters": False}}
    )
    schema = schemathesis.openapi.from_wsgi(OPENAPI, get_wsgi_application(), config=config)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 50, "the document lost its operations"
    return operations


def _runner(
    operation: Any, mode: GenerationMode, examples: int, each: Callable[[Any, Any], None]
) -> Callable[[], None]:
    @_settings(examples)
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        each(operation, case)

    return run


def _walk(
    operations: list[Any],
    modes: tuple[GenerationMode, ...],
    examples: int,
    each: Callable[[Any, Any], None],
) -> list[str]:
    """Run ``each(operation, case)`` on generated cases of every operation; the failures, one
    line per operation and mode (hypothesis shrinks each to its smallest example)."""
    failures: list[str] = []
    for operation in operations:
        for mode in modes:
            try:
                _runner(operation, mode, examples, each)()
            except Unsatisfiable:
                # Nothing of the operation's can be made invalid (no parameters, no body).
                assert mode is GenerationMode.NEGATIVE, operation.label
            except (AssertionError, BaseExceptionGroup) as failure:
                failures.append(f"{operation.label} [{mode.value}]: {failure}")
    return failures


@pytest.fixture
def keyring(tmp_path: Path, settings: Any) -> None:
    """A real keyring: webhook secrets and material are sealed with it."""
    path = tmp_path / "keyring"
    keyring_init(path)
    settings.KEYRING_PATH = path


@pytest.mark.usefixtures("keyring")
def test_every_answer_to_a_ct_supervisor_matches_the_document(personas: Personas) -> None:
    headers = _token(personas.ct_supervisor, list(TOKEN_SCOPES))

    def call(operation: Any, case: Any) -> None:
        if operation.label not in RULES_BEYOND_THE_SCHEMA:
            case.call_and_validate()
            return
        response = case.call_and_validate(excluded_checks=[positive_data_acceptance])
        _beyond_the_schema(operation, case, response)

    failures = _walk(
        _operations(headers), (GenerationMode.POSITIVE, GenerationMode.NEGATIVE), 3, call
    )
    assert not failures, "\n\n".join(failures)


def test_without_a_token_every_operation_is_a_401(personas: Personas) -> None:
    def call(operation: Any, case: Any) -> None:
        response = case.call()
        assert response.status_code == 401, (operation.label, response.status_code)

    failures = _walk(_operations(), (GenerationMode.POSITIVE,), 1, call)
    assert not failures, "\n\n".join(failures)


def test_a_read_only_token_reads_but_every_write_is_a_403(personas: Personas) -> None:
    headers = _token(personas.ct_supervisor, [READ])

    def call(operation: Any, case: Any) -> None:
        response = case.call()
        if operation.method.upper() in WRITES:
            assert response.status_code == 403, (operation.label, response.status_code)
            assert "scope" in response.json()["detail"], operation.label
        else:
            assert response.status_code != 403 or "scope" not in response.text, operation.label
            assert response.status_code < 500, operation.label

    failures = _walk(_operations(headers), (GenerationMode.POSITIVE,), 1, call)
    assert not failures, "\n\n".join(failures)


def test_every_schema_of_the_api_has_a_name_of_its_own() -> None:
    """The document names each schema by its class alone: two API classes of one name would
    silently share one entry, and one of them would be documented wrong."""
    import jointcase.api  # noqa: F401 - every router's schemas loaded

    modules: dict[str, set[str]] = {}

    def walk(base: type) -> None:
        for cls in base.__subclasses__():
            if ".api" in cls.__module__ and not cls.__name__.startswith("_"):
                modules.setdefault(cls.__name__, set()).add(cls.__module__)
            walk(cls)

    walk(Schema)
    walk(Enum)
    shared = {name: sorted(found) for name, found in modules.items() if len(found) > 1}
    assert not shared, shared
