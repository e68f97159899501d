"""Every rule in ``jointcase.access`` says what kind of user it is asked about: ``User`` (a
signed-in person) or ``policy.AnyUser`` (also ``AnonymousUser`` or nobody), never ``Any`` or
``object``, so mypy checks each caller hands it a user and each rule only reads what a user
has (``signed_in`` narrows ``AnyUser`` to ``User`` before a rule looks at roles or ids)."""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

ACCESS = Path(settings.REPO_DIR) / "src" / "jointcase" / "access"
#: Parameter names that hold the user a rule is asked about.
USER_PARAMETERS = {"user", "actor", "owner", "reader", "requester", "grantee"}
UNTYPED = {"Any", "object"}


def _untyped_users(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        arguments = node.args
        for argument in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]:
            if argument.arg not in USER_PARAMETERS:
                continue
            annotation = argument.annotation
            if annotation is None or ast.unparse(annotation) in UNTYPED:
                found.append(f"{node.name}({argument.arg})")
    return found


def test_no_rule_in_access_takes_an_untyped_user():
    untyped = {
        path.name: names
        for path in sorted(ACCESS.glob("*.py"))
        if (names := _untyped_users(ast.parse(path.read_text(encoding="utf-8"))))
    }
    assert untyped == {}


def test_the_scan_finds_an_untyped_user():
    sample = ast.parse(
        "def a(user: Any) -> bool: ...\n"
        "def b(*, actor) -> bool: ...\n"
        "def c(owner: object, case: Case) -> bool: ...\n"
        "def d(user: User, actor: AnyUser) -> bool: ...\n"
    )
    assert _untyped_users(sample) == ["a(user)", "b(actor)", "c(owner)"]
