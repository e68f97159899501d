"""Every date and moment a request carries, in every operation present and future, is read only
in the form the document states (``format: date`` YYYY-MM-DD, ``format: date-time`` RFC 3339):
``0``, a number of seconds or a date written another way is a 400 naming the field, never a
date in 1970 and never a 500. The fields are found in the document itself, so a new one cannot
be missed."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from jointcase.access.accounts import TOKEN_SCOPES
from jointcase.accounts.tokens import api_token_create
from tests.conftest import Personas

pytestmark = pytest.mark.django_db

NOT_A_DATE: tuple[Any, ...] = (0, 1_700_000_000, "0", "2026-1-2", "02/01/2026", "20260102", True)
NOT_A_MOMENT: tuple[Any, ...] = (0, 1_700_000_000, "0", "2026-01-02", "02/01/2026 10:00")


def _document() -> dict[str, Any]:
    return Client().get("/api/v1/openapi.json").json()


def _resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str):
        return document["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    return schema


def _format(schema: dict[str, Any], document: dict[str, Any]) -> str | None:
    """``date`` or ``date-time`` when the field is one (alone or nullable)."""
    schema = _resolve(schema, document)
    for option in [schema, *schema.get("anyOf", [])]:
        if option.get("format") in ("date", "date-time"):
            return str(option["format"])
    return None


def _date_fields(document: dict[str, Any]) -> Iterator[tuple[str, str, str, str, str]]:
    """(method, path, where, field, format) of every date a request carries."""
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for parameter in operation.get("parameters", []):
                found = _format(parameter["schema"], document)
                if found and parameter["in"] == "query":
                    yield method, path, "query", parameter["name"], found
            media = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if media:
                body = _resolve(media["schema"], document)
                for name, schema in body.get("properties", {}).items():
                    found = _format(schema, document)
                    if found:
                        yield method, path, "body", name, found


def _url(path: str, document: dict[str, Any], method: str) -> str:
    operation = document["paths"][path][method]
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path":
            value = str(uuid.uuid4()) if parameter["schema"].get("format") == "uuid" else "1"
            path = path.replace("{" + parameter["name"] + "}", value)
    return path


def test_the_document_has_dates_to_walk() -> None:
    fields = {(path, field) for _m, path, _w, field, _f in _date_fields(_document())}
    assert ("/api/v1/cases", "opened_at") in fields
    assert ("/api/v1/compliance/checks", "from") in fields
    assert len(fields) > 15


def test_every_date_in_a_request_is_yyyy_mm_dd_or_a_400_naming_it(personas: Personas) -> None:
    _row, token = api_token_create(
        actor=None, user=personas.ct_supervisor, name="dates", days=1, scopes=list(TOKEN_SCOPES)
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    document = _document()
    failures: list[str] = []
    for method, path, where, field, kind in _date_fields(document):
        url = _url(path, document, method)
        for value in NOT_A_DATE if kind == "date" else NOT_A_MOMENT:
            if where == "query":
                response = getattr(client, method)(url, {field: value})
            else:
                response = getattr(client, method)(
                    url, json.dumps({field: value}), content_type="application/json"
                )
            named = {
                item["field"].removeprefix("payload.").split(".")[0]
                for item in (response.json().get("errors") or [])
            }
            if response.status_code != 400 or field not in named:
                failures.append(
                    f"{method.upper()} {path} {field}={value!r}: {response.status_code}"
                )
    assert not failures, "\n".join(failures)
