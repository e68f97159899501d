"""The documentation keeps up with the code: every setting, API operation and demo sign-in
the code has is in the docs (a new one fails here until it is documented)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from jointcase.accounts.personas import DEMO_PASSWORD, PERSONAS

REPO = Path(settings.REPO_DIR)


def test_operations_guide_documents_every_environment_variable():
    source = (REPO / "src" / "jointcase" / "settings.py").read_text(encoding="utf-8")
    variables = set(re.findall(r'"((?:JOINTCASE_[A-Z0-9_]+)|DATABASE_URL)"', source))
    guide = (REPO / "docs" / "operations.md").read_text(encoding="utf-8")
    missing = sorted(name for name in variables if f"`{name}`" not in guide)
    assert missing == [], f"docs/operations.md does not document {missing}"


@pytest.mark.django_db  # the document lists the vocabularies the database holds
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


def _anchor(heading: str) -> str:
    """GitHub's anchor for a Markdown heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def test_every_relative_link_in_the_docs_resolves():
    pages = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]
    broken = []
    for page in pages:
        for target in re.findall(r"\]\(([^)\s]+)\)", page.read_text(encoding="utf-8")):
            if re.match(r"^[a-z]+:", target):
                continue  # http(s), mailto: not checked here
            path, _, anchor = target.partition("#")
            destination = (page.parent / path) if path else page
            if not destination.exists():
                broken.append(f"{page.relative_to(REPO)}: {target}")
                continue
            if anchor and destination.suffix == ".md":
                headings = re.findall(
                    r"^#+ (.+)$", destination.read_text(encoding="utf-8"), flags=re.M
                )
                if anchor not in {_anchor(h) for h in headings}:
                    broken.append(f"{page.relative_to(REPO)}: {target}")
    assert broken == [], f"broken links: {broken}"


def test_every_operator_command_of_the_readme_exists():
    from django.core.management import get_commands

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    named = set(re.findall(r"^\| `jointcase ([a-z_-]+)", readme, flags=re.M))
    commands = set(get_commands()) | {"serve", "worker"}
    missing = sorted(name for name in named if name.replace("-", "_") not in commands)
    assert missing == [], f"README.md names commands that do not exist: {missing}"


def _code_files() -> list[Path]:
    """Every source, test and benchmark file whose comments and docstrings may cite docs."""
    roots = [REPO / "src" / "jointcase", REPO / "tests", REPO / "benchmarks"]
    return sorted(
        path
        for root in roots
        for path in root.rglob("*")
        if path.suffix in {".py", ".yaml", ".html", ".jinja"}
        and "migrations" not in path.parts
        and path != Path(__file__)  # its patterns name what they look for
    )


#: A note cited by its bare name (``DESIGN.md``): the notes live in docs/ under lower-case names.
BARE_NOTE = re.compile(r"(?<![\w/.-])(DESIGN|DOMAIN|SECURITY-TESTS|STYLE)\.md")
#: ``docs/design.md "No leaks"``: a document and, optionally, the section or phrase it cites.
DOC_REFERENCE = re.compile(r"\bdocs/([\w/-]+\.md)(?:\s*\(?\"([^\"\n]+)\")?")
#: An issue number in a comment or docstring ("issue 4", "issue #6"): not in the repository.
ISSUE_NUMBER = re.compile(r"\b[Ii]ssues? ?#?\d+\b")


def test_every_document_the_code_cites_is_in_the_repository():
    unresolved = []
    for path in _code_files():
        text = path.read_text(encoding="utf-8")
        where = path.relative_to(REPO)
        unresolved += [f"{where}: {m.group(0)} (cite docs/...)" for m in BARE_NOTE.finditer(text)]
        for match in DOC_REFERENCE.finditer(text):
            document = REPO / "docs" / match.group(1)
            if not document.exists():
                unresolved.append(f"{where}: docs/{match.group(1)} does not exist")
            elif match.group(2) and match.group(2) not in document.read_text(encoding="utf-8"):
                unresolved.append(f"{where}: docs/{match.group(1)} has no {match.group(2)!r}")
    assert unresolved == [], "\n".join(unresolved)


def test_code_comments_cite_no_issue_numbers():
    cited = [
        f"{path.relative_to(REPO)}:{number}: {line.strip()}"
        for path in _code_files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if ISSUE_NUMBER.search(line)
    ]
    assert cited == [], "\n".join(cited)


def test_the_design_notes_the_code_cites_are_in_docs():
    for name in ("design.md", "domain.md", "security-tests.md", "style.md"):
        assert (REPO / "docs" / name).stat().st_size > 1000, name
    adrs = sorted((REPO / "docs" / "adr").glob("0*.md"))
    index = (REPO / "docs" / "adr" / "README.md").read_text(encoding="utf-8")
    assert adrs, "docs/adr/ has no decision records"
    missing = [adr.name for adr in adrs if f"]({adr.name})" not in index]
    assert missing == [], f"docs/adr/README.md does not list {missing}"
