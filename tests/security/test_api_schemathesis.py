"""The OpenAPI document is exact: schemathesis, driven in-process through the WSGI application,
generates requests from /api/v1/openapi.json for every operation (present and future) and runs
all its checks on each answer: no 5xx, every status and body as documented (errors included),
no schema-valid request refused as malformed, invalid ones refused, authentication not ignored.
Three callers: a CT supervisor persona's token with every scope (all checks, no failures), no
token (every operation 401) and a read-only token (every write 403, before anything runs).

A request the schema allows may still be a 400 for a rule JSON Schema cannot state (today's
date, the register of users, another field, the caller's clearance): the document lists each
on its field and, by field, on its operation under ``x-jointcase-rules``, and such a 400 passes
only when it names only those fields (``schemathesis_rules``). The rules are read from the
document, so the document and this test cannot drift apart.

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
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from ninja import Schema
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from jointcase.access.accounts import READ, TOKEN_SCOPES
from jointcase.accounts.tokens import api_token_create
from jointcase.keyring import keyring_init
from tests.conftest import Personas
from tests.security.schemathesis_rules import positive_data_acceptance_beyond_the_schema

# A generic walk over every API operation, like the route walk: run once (the SQLite run).
pytestmark = [pytest.mark.django_db, pytest.mark.route_walk]

OPENAPI = "/api/v1/openapi.json"
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


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
        # A 400 to a request the schema allows passes only when it names fields the document
        # lists under the operation's x-jointcase-rules (schemathesis_rules).
        case.call_and_validate(
            excluded_checks=[positive_data_acceptance],
            additional_checks=[positive_data_acceptance_beyond_the_schema],
        )

    failures = _walk(
        _operations(headers), (GenerationMode.POSITIVE, GenerationMode.NEGATIVE), 3, call
    )
    assert not failures, "\n\n".join(failures)


def _field_names(schema: Any, document: dict[str, Any], seen: set[str]) -> set[str]:
    """Every property name reachable in ``schema``, following ``$ref`` once each."""
    names: set[str] = set()
    if isinstance(schema, list):
        for item in schema:
            names |= _field_names(item, document, seen)
    elif isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref not in seen:
            seen.add(ref)
            target = document["components"]["schemas"][ref.rsplit("/", 1)[-1]]
            names |= _field_names(target, document, seen)
        for key, value in schema.items():
            if key == "properties":
                names |= set(value)
            if isinstance(value, dict | list):
                names |= _field_names(value, document, seen)
    return names


def test_every_rule_the_document_lists_is_described_and_names_a_field_of_its_operation() -> None:
    document = Client().get(OPENAPI).json()
    described = document["components"]["x-jointcase-rules"]
    listed = 0
    for path, item in document["paths"].items():
        for method, operation in item.items():
            fields = {parameter["name"] for parameter in operation.get("parameters", [])}
            fields |= _field_names(operation.get("requestBody", {}), document, set())
            for field, codes in operation.get("x-jointcase-rules", {}).items():
                listed += 1
                assert set(codes) <= set(described), (method, path, field, codes)
                assert field in fields, (method, path, field)
    assert listed > 20, "the document lost its rules"


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
