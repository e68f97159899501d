"""Seed steps contributed by later domains (people and cases, material, meetings...).

Each entry is ``(label, function(context))``; order is dependency order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jointcase.seed.world import Step

STEPS: list[tuple[str, Step]] = []

from jointcase.seed.steps_register import seed_register  # noqa: E402

STEPS.append(("people and cases", seed_register))

from jointcase.material.seed import seed_material  # noqa: E402

STEPS.append(("material", seed_material))

from jointcase.meetings.seed import seed_meetings  # noqa: E402

STEPS.append(("meetings and actions", seed_meetings))
