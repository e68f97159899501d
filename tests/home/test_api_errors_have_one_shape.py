"""Every router answers errors the same way: the handlers live once in ``jointcase.api_common``
and are registered on the one ``NinjaAPI``; no router copies them from another app."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import RequestFactory
from ninja.errors import ValidationError as NinjaValidationError

from jointcase.access.acting import NotPermitted, Refusal
from jointcase.api import api
from jointcase.lib.edits import ConcurrentEdit

SRC = Path(settings.REPO_DIR) / "src" / "jointcase"


def _answer(exc: Exception) -> tuple[int, dict[str, object]]:
    request = RequestFactory().get("/api/v1/anything")
    response = api.on_exception(request, exc)
    return response.status_code, json.loads(response.content)


def test_a_visible_refusal_is_a_403_that_says_why():
    status, body = _answer(NotPermitted(Refusal(reason="not_chair", message="Only the chair")))
    assert status == 403
    assert body == {
        "detail": "Only the chair",
        "errors": [{"field": "request", "message": "Only the chair"}],
    }


def test_a_hidden_refusal_is_the_same_404_as_a_missing_object():
    hidden = _answer(NotPermitted(Refusal(reason="no_access", message="secret", hidden=True)))
    missing = _answer(Http404("Case JC-000001 does not exist"))
    assert hidden == missing == (404, {"detail": "Not Found"})


def test_a_services_validation_error_is_a_400_keyed_by_field_not_a_500():
    status, body = _answer(ValidationError({"due_on": ["Enter a date in the future"]}))
    assert status == 400
    assert body["errors"] == [{"field": "due_on", "message": "Enter a date in the future"}]


def test_a_stale_edit_is_a_409_keyed_by_version():
    status, body = _answer(ConcurrentEdit())
    assert status == 409
    assert body["errors"] == [{"field": "version", "message": ConcurrentEdit.message}]


def test_bad_input_is_a_400_with_the_field_name():
    error = NinjaValidationError([{"loc": ("query", "page"), "msg": "too big"}])
    assert _answer(error) == (
        400,
        {
            "detail": "There is a problem with the request",
            "errors": [{"field": "page", "message": "too big"}],
        },
    )


def _api_modules() -> list[str]:
    """Each app's API: an ``api.py`` module or an ``api/`` package."""
    modules = [*SRC.glob("*/api.py"), *SRC.glob("*/api/**/*.py")]
    return sorted(path.relative_to(SRC).as_posix() for path in modules)


@pytest.mark.parametrize("module", _api_modules())
def test_no_router_imports_another_apps_api_module(module: str):
    tree = ast.parse((SRC / module).read_text(encoding="utf-8"))
    app = module.split("/")[0]
    borrowed = [
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        and node.module
        and node.module.startswith("jointcase.")
        and (node.module.endswith(".api") or ".api." in node.module)
        and not node.module.startswith(f"jointcase.{app}.api")
        # The label schema is shared by material and minutes (one LabelOut), not a helper.
        and not (app == "meetings" and node.module == "jointcase.material.api")
    ]
    assert borrowed == [], f"{module} imports {borrowed}: use jointcase.api_common"
