"""The synthetic-world generator: deterministic for a given scale and seed.

Never real people: names come from Faker (en_GB) and identifiers have real formats but are
generated. Each step adds one domain's records; later work appends its step to ``STEPS``.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone
from faker import Faker
from tqdm import tqdm

from jointcase.agencies.models import Agency
from jointcase.seed import extra_steps, steps_agencies, steps_users
from jointcase.seed.context import SeedContext, Step
from jointcase.seed.scales import SCALES


def _steps() -> list[tuple[str, Step]]:
    """Every step in dependency order: agencies, users, then the domains' steps
    (``extra_steps.STEPS``)."""
    steps: list[tuple[str, Step]] = [
        ("agencies and teams", steps_agencies.seed_agencies),
        ("users", steps_users.seed_users),
    ]
    steps.extend(extra_steps.STEPS)
    return steps


def world_seed(
    *, scale: str = "demo", seed: int = 1, show_progress: bool = True, today: dt.date | None = None
) -> SeedContext:
    """Build the world. Runs in one transaction: a failed seed leaves nothing behind."""
    faker = Faker("en_GB")
    faker.seed_instance(seed)
    context = SeedContext(
        scale=SCALES[scale],
        seed=seed,
        rng=random.Random(seed),
        faker=faker,
        today=today or timezone.localdate(),
        show_progress=show_progress,
    )
    steps = _steps()
    with transaction.atomic():
        for _label, step in tqdm(steps, desc="Seeding", unit="step", disable=not show_progress):
            step(context)
    return context


def world_is_empty() -> bool:
    return not Agency.objects.exists()
