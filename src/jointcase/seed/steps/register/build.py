"""The register step: each case built step by step in the order the random generator is
drawn (the world is deterministic for a seed), written in batches.
"""

from __future__ import annotations

from jointcase.seed.context import SeedContext
from jointcase.seed.steps.register.cases import add_exit, add_mappa, case_phase, open_case
from jointcase.seed.steps.register.custody import add_custody, add_recall
from jointcase.seed.steps.register.people import (
    add_addresses,
    add_contacts,
    add_identifiers,
    add_person,
)
from jointcase.seed.steps.register.plan import case_plan
from jointcase.seed.steps.register.seeder import BATCH, Batch, RegisterSeeder
from jointcase.seed.steps.register.sentences import (
    add_licence,
    add_notification_requirement,
    add_sentence,
)
from jointcase.seed.steps.register.teams import case_team


def add_case(seeder: RegisterSeeder, batch: Batch, index: int) -> None:
    """One person and their case with its whole history, in the order the rng is drawn."""
    plan = case_plan(seeder, index)
    new = add_person(seeder, batch, plan)
    add_identifiers(seeder, batch, new)
    add_addresses(seeder, batch, new)
    add_contacts(seeder, batch, new)
    open_case(seeder, batch, new)
    add_mappa(seeder, batch, new)
    if not plan.no_sentence:
        add_custody(seeder, batch, new)
        sentence = add_sentence(seeder, batch, new)
        schedule = add_notification_requirement(seeder, batch, new, sentence)
        if plan.released is not None:
            add_licence(seeder, batch, new, sentence, schedule)
        if new.recall_day is not None:
            add_recall(seeder, batch, new)
    add_exit(seeder, batch, new)
    case_phase(seeder, batch, new)
    case_team(seeder, batch, new)


def register_build(seeder: RegisterSeeder) -> None:
    total = seeder.context.scale.cases
    batch = Batch()
    for index in seeder.context.progress(range(total), total=total, desc="cases"):
        add_case(seeder, batch, index)
        if (index + 1) % BATCH == 0:
            seeder.flush()
            batch = Batch()
    seeder.flush()
    seeder.sequences_reset()


def seed_register(context: SeedContext) -> None:
    """Persons and cases with full histories; the demo personas placed on their cases."""
    register_build(RegisterSeeder(context))
