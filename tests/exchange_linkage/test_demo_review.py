"""The demo's partner import leaves records awaiting review, so the linkage review queue has
something to show in ``make demo`` (synthetic people only)."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from faker import Faker

from jointcase.exchange.linkage.synthetic import extract_make
from jointcase.exchange.models import BatchLinkage, Resolution, SourceRecord
from jointcase.people.services import people_create_from_records
from jointcase.seed.context import SeedContext
from jointcase.seed.scales import SCALES
from jointcase.seed.steps.exchange import DEMO_ROWS, seed_imports
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


def test_the_demo_import_leaves_records_to_review(importers: Personas) -> None:
    people_create_from_records(actor=None, records=extract_make(300, seed=4).register)
    faker = Faker("en_GB")
    faker.seed_instance(1)
    context = SeedContext(
        scale=SCALES["demo"],
        seed=1,
        rng=random.Random(1),
        faker=faker,
        today=dt.date(2026, 12, 7),
        show_progress=False,
        registry={"personas": {"agency.admin": importers.agency_admin}},
    )
    seed_imports(context)
    stage = BatchLinkage.objects.get()
    assert stage.review >= 3
    assert stage.records_total == SourceRecord.objects.count() < DEMO_ROWS
    twins = SourceRecord.objects.filter(resolution=Resolution.REVIEW, linkage__possible_twin=True)
    assert twins.exists()
