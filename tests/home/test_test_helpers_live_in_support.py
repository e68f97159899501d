"""Test modules share helpers through a conftest or tests/support/ (or a helper module such as
tests/factories.py), never by importing another test module: a test module is a set of tests,
and importing one drags its tests and fixtures into the importer."""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

TESTS = Path(settings.REPO_DIR) / "tests"


def _is_test_module(name: str) -> bool:
    last = name.rsplit(".", 1)[-1]
    return name.startswith("tests.") and last.startswith("test_")


def _imports_of_test_modules() -> set[tuple[str, str]]:
    found = set()
    for path in TESTS.rglob("*.py"):
        where = path.relative_to(TESTS.parent).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            found |= {(where, name) for name in names if _is_test_module(name)}
    return found


def test_no_test_module_imports_another_test_module():
    found = sorted(_imports_of_test_modules())
    assert found == [], f"move these helpers to tests/support/: {found}"


def test_the_scan_finds_an_import_of_a_test_module():
    """The scan itself: a test module counts as one; support modules and conftests do not."""
    assert _is_test_module("tests.material.test_api")
    assert not _is_test_module("tests.support.api")
    assert not _is_test_module("tests.meetings.conftest")
