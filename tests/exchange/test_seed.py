"""The demo's partner import: synthetic people, a finished import by the agency
administrator with a few rows in quarantine, and the same world every time."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from faker import Faker

from jointcase.exchange.linkage.synthetic import extract_make, faults_add
from jointcase.exchange.models import ImportBatch, ImportStatus, QuarantinedRow, SourceRecord
from jointcase.exchange.records import person_record_clean
from jointcase.seed.context import SeedContext
from jointcase.seed.scales import SCALES
from jointcase.seed.steps.exchange import DEMO_ROWS, seed_imports
from tests.conftest import Personas

TODAY = dt.date(2026, 12, 7)


def _generators(seed: int) -> tuple[random.Random, Faker]:
    faker = Faker("en_GB")
    faker.seed_instance(seed)
    return random.Random(seed), faker


def test_faults_are_added_one_per_faulty_row_and_each_is_refused() -> None:
    rows = [{**row, "source": "police-ctnm"} for row in extract_make(120, seed=3).records]
    assert all(person_record_clean(r, source="police-ctnm", today=TODAY).valid for r in rows)
    faulty = faults_add(rows, share=0.5, rng=random.Random(3))
    changed = [(a, b) for a, b in zip(rows, faulty, strict=True) if a != b]
    assert 0 < len(changed) < len(rows)
    for clean, bad in changed:
        assert len([name for name in clean if clean[name] != bad[name]]) == 1
        assert not person_record_clean(bad, source="police-ctnm", today=TODAY).valid
    assert faults_add(rows, share=0.5, rng=random.Random(3)) == faulty


@pytest.mark.django_db
def test_the_demo_import_is_finished_with_a_quarantine_to_show(importers: Personas) -> None:
    rng, faker = _generators(1)
    context = SeedContext(
        scale=SCALES["demo"],
        seed=1,
        rng=rng,
        faker=faker,
        today=TODAY,
        show_progress=False,
        registry={"personas": {"agency.admin": importers.agency_admin}},
    )
    seed_imports(context)
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.DONE
    assert batch.created_by == importers.agency_admin
    assert batch.rows_total == DEMO_ROWS
    held = QuarantinedRow.objects.filter(batch=batch).count()
    assert 0 < held < DEMO_ROWS // 10
    assert SourceRecord.objects.count() + held == DEMO_ROWS


@pytest.mark.django_db
def test_the_next_delivery_is_ready_to_import_and_shows_every_outcome(importers: Personas) -> None:
    """After the demo's import, the next delivery (written by ``jointcase seed``) imports with
    records unchanged, updated, new, linked to people the register holds, and quarantined."""
    from jointcase.exchange.models import BatchLinkage
    from jointcase.exchange.services.imports import import_run, import_start
    from jointcase.seed.steps.exchange import SOURCE, next_delivery

    rng, faker = _generators(1)
    context = SeedContext(
        scale=SCALES["demo"],
        seed=1,
        rng=rng,
        faker=faker,
        today=TODAY,
        show_progress=False,
        registry={"personas": {"agency.admin": importers.agency_admin}},
    )
    seed_imports(context)
    content = next_delivery(1)
    assert content == next_delivery(1)  # the same world, the same file
    batch = import_start(
        actor=importers.agency_admin, source_code=SOURCE, file_name="next.csv", content=content
    )
    done = import_run(batch.pk)
    assert (done.unchanged, done.updated, done.quarantined, done.accepted) == (20, 10, 2, 58)
    stage = BatchLinkage.objects.get(batch=done)
    assert stage.linked >= 30  # the people who moved, and the register's own people
    assert stage.new >= 15
