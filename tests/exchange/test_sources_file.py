"""The partner sources file: a problem stops start-up naming the file, the line and the
field; an agency administrator imports only their agency's sources."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from jointcase.access.exchange import sources_importable_by
from jointcase.exchange.sources import DEFAULT_SOURCES_PATH, sources_load, sources_parse
from tests.conftest import Personas

GOOD = """version: 1
sources:
  police-ctnm:
    label: Police nominals
    agency: ctp-hq
    kind: police
"""


def test_the_bundled_file_is_valid() -> None:
    sources = sources_load(DEFAULT_SOURCES_PATH)
    assert {source.kind for source in sources.values()} == {"police", "prison", "probation"}


@pytest.mark.parametrize(
    ("text", "where"),
    [
        (GOOD.replace("version: 1", "version: 2"), "line 1, field 'version'"),
        (GOOD.replace("kind: police", "kind: army"), "line 6, field 'kind': expected one of"),
        (GOOD.replace("    agency: ctp-hq\n", ""), "field 'agency': 'agency' is required"),
        (GOOD.replace("police-ctnm:", "Police CTNM:"), "line 3, field 'Police CTNM'"),
        (GOOD + "    colour: blue\n", "line 7, field 'colour': unknown field"),
        ("version: 1\nsources: []\n", "field 'sources'"),
    ],
)
def test_a_bad_sources_file_is_refused_naming_the_line_and_field(text: str, where: str) -> None:
    with pytest.raises(ImproperlyConfigured) as refused:
        sources_parse(text, source="sources.yaml")
    assert str(refused.value).startswith("sources.yaml, line ")
    assert where in str(refused.value)


@pytest.mark.django_db
def test_each_administrator_imports_only_their_agency_sources(importers: Personas) -> None:
    assert [s.code for s in sources_importable_by(importers.agency_admin)] == ["probation-delius"]
    assert len(sources_importable_by(importers.system_admin)) == 3
    for user in (importers.nsd_lead, importers.prison_ct_lead, importers.national_lead, None):
        assert sources_importable_by(user) == []
    importers.agency_admin.is_active = False
    assert sources_importable_by(importers.agency_admin) == []
