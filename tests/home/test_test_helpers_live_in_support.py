"""Test modules share helpers through a conftest or tests/support/ (or a helper module such as
tests/factories.py), never by importing another test module: a test module is a set of tests,
and importing one drags its tests and fixtures into the importer."""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

TESTS = Path(settings.REPO_DIR) / "tests"

#: Burn-down: imports still to move to tests/support/ (remove each line as it moves; add none).
NOT_YET_MOVED = {
    ("tests/accounts/test_enrolment_links.py", "tests.agencies.test_users"),
    (
        "tests/accounts/test_the_django_admin_cannot_give_case_access.py",
        "tests.accounts.test_admin",
    ),
    ("tests/agencies/test_audit_trail.py", "tests.agencies.test_users"),
    ("tests/agencies/test_ceiling.py", "tests.agencies.test_users"),
    ("tests/agencies/test_disabling_revokes_api_tokens.py", "tests.accounts.test_admin"),
    (
        "tests/material/test_an_approved_request_grants_the_requester_alone.py",
        "tests.material.test_api",
    ),
    ("tests/material/test_api_files.py", "tests.material.test_api"),
    ("tests/material/test_grants.py", "tests.material.test_api"),
    ("tests/material/test_only_the_originator_widens_a_label.py", "tests.material.test_api"),
    ("tests/material/test_retention.py", "tests.material.test_api"),
    (
        "tests/meetings/test_excluded_people_cannot_be_invited.py",
        "tests.meetings.test_meeting_edit",
    ),
    ("tests/material/test_break_glass_is_read_only.py", "tests.material.test_api"),
}


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
    new = sorted(_imports_of_test_modules() - NOT_YET_MOVED)
    assert new == [], f"move these helpers to tests/support/: {new}"


def test_the_burn_down_list_names_only_imports_that_still_exist():
    gone = sorted(NOT_YET_MOVED - _imports_of_test_modules())
    assert gone == [], f"already moved, remove from NOT_YET_MOVED: {gone}"
