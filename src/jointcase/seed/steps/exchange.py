"""Seed step: one imported partner extract for the demo (synthetic people): a probation
extract of a few hundred person records, a handful of them faulty, imported by the agency
administrator persona, so the Imports page has a finished import and an open quarantine."""

from __future__ import annotations

from typing import TYPE_CHECKING

from jointcase.exchange.services.imports import import_run, import_start
from jointcase.seed.extracts import extract_csv, person_extract

if TYPE_CHECKING:
    from jointcase.seed.context import SeedContext

SOURCE = "probation-delius"
DEMO_ROWS = 300
BAD_SHARE = 0.02


def seed_imports(context: SeedContext) -> None:
    admin = context.registry.get("personas", {}).get("agency.admin")
    content = extract_csv(
        person_extract(
            source=SOURCE,
            count=DEMO_ROWS,
            rng=context.rng,
            faker=context.faker,
            today=context.today,
            bad_share=BAD_SHARE,
            prefix="DEL",
        )
    )
    batch = import_start(
        actor=admin, source_code=SOURCE, file_name="probation-extract.csv", content=content
    )
    import_run(batch.pk)
