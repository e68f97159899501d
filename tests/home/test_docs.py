"""The documentation keeps up with the code: every setting, API operation and demo sign-in
the code has is in the docs (a new one fails here until it is documented)."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

from jointcase.seed.personas import DEMO_PASSWORD, PERSONAS

REPO = Path(settings.REPO_DIR)


def test_operations_guide_documents_every_environment_variable():
    source = (REPO / "src" / "jointcase" / "settings.py").read_text(encoding="utf-8")
    variables = set(re.findall(r'"((?:JOINTCASE_[A-Z0-9_]+)|DATABASE_URL)"', source))
    guide = (REPO / "docs" / "operations.md").read_text(encoding="utf-8")
    missing = sorted(name for name in variables if f"`{name}`" not in guide)
    assert missing == [], f"docs/operations.md does not document {missing}"


def test_api_guide_lists_every_operation_of_the_openapi_document():
    from jointcase.api import api

    guide = (REPO / "docs" / "api.md").read_text(encoding="utf-8")
    schema = api.get_openapi_schema()
    missing = [
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method in operations
        if f"`{method.upper()} {path}`" not in guide
    ]
    assert missing == [], f"docs/api.md does not list {missing}"


def test_readme_lists_every_demo_sign_in_and_the_password():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert DEMO_PASSWORD in readme
    missing = [p.username for p in PERSONAS if f"| `{p.username}` |" not in readme]
    assert missing == [], f"README.md does not list {missing}"


def test_readme_images_exist_and_are_small():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for image in re.findall(r"\]\((docs/images/[^)]+)\)", readme):
        path = REPO / image
        assert path.exists(), image
        assert path.stat().st_size < 300_000, image


def test_readme_describes_every_jointcase_app():
    from django.apps import apps

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ours = [
        c.name.split(".")[-1] for c in apps.get_app_configs() if c.name.startswith("jointcase.")
    ]
    missing = [name for name in ours if f"| `{name}` |" not in readme]
    assert missing == [], f"README.md's table of apps does not describe {missing}"
