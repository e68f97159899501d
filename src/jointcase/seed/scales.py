"""How big each seeded world is. Later issues add their own counts here."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    name: str
    users_per_team: int
    extra_users: int
    cases: int
    material_items: int
    actions: int


SCALES: dict[str, Scale] = {
    "demo": Scale(
        "demo", users_per_team=2, extra_users=0, cases=60, material_items=400, actions=300
    ),
    "national": Scale(
        "national",
        users_per_team=6,
        extra_users=1500,
        cases=20_000,
        material_items=150_000,
        actions=150_000,
    ),
    "stress": Scale(
        "stress",
        users_per_team=10,
        extra_users=9000,
        cases=100_000,
        material_items=1_000_000,
        actions=1_000_000,
    ),
}
