"""Who may see and who may act is decided in ``jointcase.access`` only (docs/design.md
"Layout"; docs/adr/0001-one-rule-in-two-forms.md): no other module orders classifications,
compares a clearance, a caveat set or releasability, or asks about a role or a role group.

An AST scan of src/ finds each such expression outside access: there is none, and a new one
fails here (ask a named predicate in ``jointcase.access`` instead: ``roles.is_auditor``,
``labels.classification_max`` and the like).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

SRC = Path(settings.REPO_DIR) / "src" / "jointcase"
#: Where the rules live (the role and classification types themselves are only named).
HOME = {"access"}

ORDER_NAMES = {"CLASSIFICATION_RANK", "CLEARANCE_RANK", "VETTING_CLEARANCE"}
ROLE_GROUPS = {
    "SENIOR_ROLES",
    "MANAGER_ROLES",
    "CASE_MANAGER_ROLES",
    "CASE_SENIOR_ROLES",
    "NATIONAL_ROLES",
    "PLATFORM_ONLY_ROLES",
}
ORDERING = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)


def _words(node: ast.AST) -> set[str]:
    """The lower-cased names and attribute names used in an expression."""
    words = set()
    for part in ast.walk(node):
        if isinstance(part, ast.Name):
            words.add(part.id.lower())
        elif isinstance(part, ast.Attribute):
            words.add(part.attr.lower())
        elif isinstance(part, ast.keyword) and part.arg:
            words.add(part.arg.lower())
    return words


def _mentions(node: ast.AST, stem: str) -> bool:
    return any(stem in word for word in _words(node))


def _is_role_member(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in {"Role", "CaseRole"}
    )


def _offences(tree: ast.AST) -> Iterator[tuple[str, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript | ast.Attribute) and (
            isinstance(node.value, ast.Name) and node.value.id in ORDER_NAMES
        ):
            yield "classification order", ast.unparse(node)
        elif isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            ordering = any(isinstance(op, ORDERING) for op in node.ops)
            if ordering and any(_mentions(o, "clearance") for o in operands):
                yield "clearance comparison", ast.unparse(node)
            if ordering and any(_mentions(o, "caveat") for o in operands):
                yield "caveat comparison", ast.unparse(node)
            membership = any(isinstance(op, ast.In | ast.NotIn) for op in node.ops)
            if membership and any(_mentions(o, "releasab") for o in operands):
                yield "releasability comparison", ast.unparse(node)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            method = node.func.attr
            if method in {"issubset", "issuperset"} and _mentions(node, "caveat"):
                yield "caveat comparison", ast.unparse(node)
            elif method in {"has_role", "has_any_role"}:
                yield "role check", ast.unparse(node)
        elif isinstance(node, ast.Name) and node.id in ROLE_GROUPS:
            yield "role group", node.id
        elif isinstance(node, ast.Set) and (
            len(node.elts) >= 2 and all(_is_role_member(element) for element in node.elts)
        ):
            yield "role group", ast.unparse(node)


def _scanned() -> Iterator[Path]:
    for path in sorted(SRC.rglob("*.py")):
        where = path.relative_to(SRC).as_posix()
        if where.split("/")[0] in HOME or "migrations" in path.parts:
            continue
        yield path


def _found() -> set[tuple[str, str, str]]:
    found = set()
    for path in _scanned():
        where = path.relative_to(SRC).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        # Imports name the rules' vocabulary; using it is what counts.
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                node.names = []
        found |= {(where, kind, text) for kind, text in _offences(tree)}
    return found


def test_no_clearance_caveat_releasability_or_role_comparison_outside_access():
    found = sorted(_found())
    assert found == [], "decide these in jointcase.access:\n" + "\n".join(map(str, found))


def test_the_scan_reads_the_modules_that_ask_access():
    """The scan covers the modules that once held such comparisons (so an empty answer means
    they ask access, not that the scan missed them)."""
    scanned = {path.relative_to(SRC).as_posix() for path in _scanned()}
    assert {
        "home/marking.py",
        "meetings/escalation.py",
        "agencies/selectors.py",
        "accounts/services.py",
        "material/services/labels.py",
    } <= scanned


def test_the_scan_finds_each_kind_of_comparison():
    """The scan itself: each kind it looks for is found in a sample."""
    sample = ast.parse(
        "CLASSIFICATION_RANK[item.classification] <= CLASSIFICATION_RANK[user_level]\n"
        "ok = user.clearance >= needed\n"
        "ok = set(item.caveat_ids) <= held\n"
        "ok = agency_id in item.releasable_to_ids\n"
        "ok = user.has_role(Role.AUDITOR)\n"
        "ok = user.has_role(*MANAGER_ROLES)\n"
        "SENIORS = {Role.NSD_SENIOR_LEAD, Role.CT_SUPERVISOR}\n"
    )
    kinds = {kind for kind, _ in _offences(sample)}
    assert kinds == {
        "classification order",
        "clearance comparison",
        "caveat comparison",
        "releasability comparison",
        "role check",
        "role group",
    }
