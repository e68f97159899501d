"""The register seeder is a package with one module per use case (plan, people, cases,
custody, sentences, teams), each a set of short, named steps: no module of it is a monolith."""

from __future__ import annotations

import pkgutil
from pathlib import Path

from jointcase.seed.steps import register


def test_the_register_seeder_is_one_module_per_use_case_none_over_300_lines() -> None:
    modules = {info.name for info in pkgutil.iter_modules(register.__path__)}
    assert {"plan", "people", "cases", "custody", "sentences", "teams", "build"} <= modules
    sizes = {
        path.name: len(path.read_text().splitlines())
        for path in Path(register.__path__[0]).glob("*.py")
    }
    assert {name: size for name, size in sizes.items() if size > 300} == {}
