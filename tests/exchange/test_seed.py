"""The demo's partner import: synthetic people, a finished import by the agency
administrator with a few rows in quarantine, and the same world every time."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from faker import Faker

from jointcase.exchange.models import ImportBatch, ImportStatus, QuarantinedRow, SourceRecord
from jointcase.exchange.records import person_record_clean
from jointcase.seed.context import SeedContext
from jointcase.seed.extracts import person_extract
from jointcase.seed.scales import SCALES
from jointcase.seed.steps.exchange import DEMO_ROWS, seed_imports
from tests.conftest import Personas

TODAY = dt.date(2026, 12, 7)


def _generators(seed: int) -> tuple[random.Random, Faker]:
    faker = Faker("en_GB")
    faker.seed_instance(seed)
    return random.Random(seed), faker


def test_a_clean_synthetic_extract_passes_every_rule_and_is_deterministic() -> None:
    rng, faker = _generators(3)
    rows = list(person_extract(source="police-ctnm", count=300, rng=rng, faker=faker, today=TODAY))
    assert all(person_record_clean(r, source="police-ctnm", today=TODAY).valid for r in rows)
    assert len({r["source_record_id"] for r in rows}) == 300
    rng, faker = _generators(3)
    again = list(person_extract(source="police-ctnm", count=300, rng=rng, faker=faker, today=TODAY))
    assert again == rows


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
