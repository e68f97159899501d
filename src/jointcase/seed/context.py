"""The context every seed step receives (scale, random generators, today, and a registry of
what earlier steps made), in its own module so that the steps and the world that runs them do
not import each other."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from faker import Faker
from tqdm import tqdm

from jointcase.seed.scales import Scale

T = TypeVar("T")


@dataclass
class SeedContext:
    scale: Scale
    seed: int
    rng: random.Random
    faker: Faker
    today: dt.date
    show_progress: bool = True
    #: Objects earlier steps made that later steps need (agencies by code, personas...).
    registry: dict[str, Any] = field(default_factory=dict)

    def progress(
        self, iterable: Iterable[T], *, total: int | None = None, desc: str
    ) -> Iterator[T]:
        return iter(
            tqdm(
                iterable,
                total=total,
                desc=desc,
                unit="",
                disable=not self.show_progress,
                leave=False,
                dynamic_ncols=True,
            )
        )


Step = Callable[[SeedContext], None]
