"""The register seeder builds a case in short, named steps (plan, person, names, identifiers,
addresses, contacts, MAPPA, custody, sentence, notification, licence, recall, exit, phase,
team): no function over 80 lines."""

from __future__ import annotations

import ast
import inspect

from jointcase.seed import steps_register


def test_no_function_of_the_register_seeder_is_over_80_lines() -> None:
    tree = ast.parse(inspect.getsource(steps_register))
    long = {
        node.name: node.end_lineno - node.lineno + 1
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and node.end_lineno is not None
        if node.end_lineno - node.lineno + 1 > 80
    }
    assert long == {}
