"""Fixtures of the linkage review tests: a register person and a partner record of the
probation source that the model can only send to review (synthetic people only)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from jointcase.accounts.models import User
from jointcase.exchange.models import RecordLinkage
from jointcase.exchange.services.imports import import_run, import_start
from jointcase.people.models import Person
from jointcase.people.services import people_create_from_records
from tests.conftest import Personas
from tests.exchange.conftest import csv_bytes, importers, person_row  # noqa: F401

SOURCE = "probation-delius"


def register_person(actor: User | None = None, **changes: str) -> Person:
    row = person_row(
        1, given_names="Alice", surname="Quenby", date_of_birth="1971-03-14", **changes
    )
    (person,) = people_create_from_records(actor=actor, records=[row], actor_username="test")
    return person


def record_import(rows: list[dict[str, str]], name: str = "extract.csv") -> int:
    batch = import_start(actor=None, source_code=SOURCE, file_name=name, content=csv_bytes(rows))
    return import_run(batch.pk).pk


@pytest.fixture
def reviewing(settings: pytest.FixtureRequest) -> None:
    """Thresholds that send every candidate to review (nothing is sure enough to link)."""
    settings.JOINTCASE_LINK_UPPER = 1.01  # type: ignore[attr-defined]
    settings.JOINTCASE_LINK_LOWER = 0.001  # type: ignore[attr-defined]


@pytest.fixture
def under_review(
    reviewing: None,
    importers: Personas,  # noqa: F811
) -> Callable[..., RecordLinkage]:
    """``under_review(**changes)``: the register person Alice Quenby (recorded by the system
    administrator persona, so only they may see her), and a record of her (changed by
    ``changes``) imported and sent to review against her."""

    def make(**changes: str) -> RecordLinkage:
        person = Person.objects.filter(display_name__icontains="Quenby").first()
        person = person or register_person(actor=importers.system_admin)
        row = person_row(
            2,
            given_names="Alice",
            surname="Quenby",
            date_of_birth="1971-03-14",
            source_record_id="DEL-REVIEW",
            pnc_id="",
            crn="",
        )
        row.update(changes)
        record_import([row])
        linkage = RecordLinkage.objects.get(record__source_record_id=row["source_record_id"])
        assert linkage.candidates.filter(person=person).exists()
        return linkage

    return make
